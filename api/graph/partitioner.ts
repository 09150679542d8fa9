// Partitioners: which downstream channel(s) a record goes to on a network edge (Flink's
// StreamPartitioner family). Pure logic: the runtime's record writer asks `select` per record.
// Imports state/key-groups and api/ only.
import { KeyGroupAssigner, operatorIndexForKeyGroup, type Key } from '../../state/key-groups.ts';
import { selectKey, type KeySelector } from '../functions/key-selector.ts';

/** A user partitioner (partitionCustom): key and number of partitions -> partition index. */
export type CustomPartitioner<K> = (key: K, numPartitions: number) => number;

/** How an edge distributes records; `undefined` on an edge means Flink's default. */
export type PartitionerSpec =
  | { readonly kind: 'forward' }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'rescale' }
  | { readonly kind: 'shuffle' }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'global' }
  | { readonly kind: 'hash'; readonly keySelector: KeySelector<any> }
  | { readonly kind: 'custom'; readonly partitioner: CustomPartitioner<any>; readonly keySelector: (value: any) => any };

/** Picks the channel of each record on one subtask's side of an edge. */
export interface ChannelSelector {
  /** True when every record goes to every channel. */
  readonly broadcast: boolean;
  /** The channel of `value` (unused when broadcast). */
  select(value: unknown): number;
}

/** Where the selector runs: the sender's subtask and the receiving operator. */
export interface ChannelSelectorContext {
  readonly numChannels: number;
  readonly senderIndex: number;
  readonly senderParallelism: number;
  /** maxParallelism of the receiving operator (key groups). */
  readonly maxParallelism: number;
  /** Name of the receiving operator, for error messages. */
  readonly targetName: string;
}

/**
 * For rescale: the receivers that sender `i` of `p` talks to (Flink's pointwise pattern):
 * a contiguous block of receivers when fanning out, or the one receiver when fanning in.
 */
export function rescaleTargets(senderIndex: number, senderParallelism: number, receiverParallelism: number): number[] {
  if (receiverParallelism >= senderParallelism) {
    const out: number[] = [];
    for (let j = 0; j < receiverParallelism; j++) {
      if (Math.floor((j * senderParallelism) / receiverParallelism) === senderIndex) out.push(j);
    }
    return out;
  }
  return [Math.floor((senderIndex * receiverParallelism) / senderParallelism)];
}

/** Creates the selector of `spec` for one sender. */
export function createChannelSelector(spec: PartitionerSpec, ctx: ChannelSelectorContext): ChannelSelector {
  const n = ctx.numChannels;
  switch (spec.kind) {
    case 'forward':
    case 'global':
      return { broadcast: false, select: () => 0 };
    case 'broadcast':
      return { broadcast: true, select: () => 0 };
    case 'rebalance': {
      // Round robin; Flink starts at a random channel, a sender-dependent start keeps runs reproducible.
      let next = ctx.senderIndex % n;
      return { broadcast: false, select: () => { const c = next; next = next + 1 === n ? 0 : next + 1; return c; } };
    }
    case 'rescale': {
      const targets = rescaleTargets(ctx.senderIndex, ctx.senderParallelism, n);
      let i = 0;
      return { broadcast: false, select: () => { const c = targets[i]; i = i + 1 === targets.length ? 0 : i + 1; return c; } };
    }
    case 'shuffle': {
      let seed = (ctx.senderIndex * 0x9e3779b1 + 0x85ebca6b) >>> 0;
      return {
        broadcast: false,
        select: () => {
          seed = (seed + 0x6d2b79f5) >>> 0;
          let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          return (((t ^ (t >>> 14)) >>> 0) % n);
        },
      };
    }
    case 'hash': {
      const assigner = new KeyGroupAssigner(ctx.maxParallelism);
      const { keySelector } = spec;
      const { maxParallelism, targetName } = ctx;
      if (n === 1) return { broadcast: false, select: (v) => { selectKey(keySelector, v, targetName); return 0; } };
      return {
        broadcast: false,
        select: (v) => operatorIndexForKeyGroup(maxParallelism, n, assigner.keyGroupOf(selectKey(keySelector, v, targetName) as Key)),
      };
    }
    case 'custom': {
      const { partitioner, keySelector } = spec;
      return {
        broadcast: false,
        select: (v) => {
          const c = partitioner(keySelector(v), n);
          if (!Number.isInteger(c) || c < 0 || c >= n) {
            throw new RangeError(`custom partitioner feeding "${ctx.targetName}" returned ${c}; it must be an integer in 0..${n - 1}`);
          }
          return c;
        },
      };
    }
  }
}
