// The split of a NATS JetStream source and its start positions. A split is one subject filter of
// one stream (the whole stream when unfiltered); its position is the stream sequence of the next
// message to read, so a reader restored from a checkpoint resumes exactly there. Imports nothing
// from actors/.
import type { SourceSplit } from '../../sources/source.ts';

/** Where a split starts reading when no checkpoint says otherwise. */
export type NatsStartPosition =
  | 'earliest'
  | 'latest'
  | { readonly sequence: number }
  | { readonly time: number };

/** One subject filter of one stream, with its progress (msgpack-encodable: it lives in checkpoints). */
export interface NatsSplit extends SourceSplit {
  readonly stream: string;
  /** Subject filter; absent: every subject of the stream. */
  readonly filter?: string;
  /** Stream sequence of the next message to read; 0 while the start position is not resolved yet. */
  readonly next: number;
  /** The start position, used while `next` is 0. */
  readonly start: NatsStartPosition;
  /**
   * Bounded mode: the last sequence to read, fixed when the split is first opened (the stream's
   * last sequence then); -1 until then; absent when unbounded.
   */
  readonly end?: number;
}

/** Checks a start position, naming what is wrong. */
export function checkStartPosition(start: unknown): NatsStartPosition {
  if (start === 'earliest' || start === 'latest') return start;
  if (typeof start === 'object' && start !== null) {
    const s = start as { sequence?: unknown; time?: unknown };
    if (typeof s.sequence === 'number' && Number.isInteger(s.sequence) && s.sequence >= 1) return { sequence: s.sequence };
    if (typeof s.time === 'number' && Number.isFinite(s.time)) return { time: s.time };
  }
  throw new TypeError(`NATS source start position must be 'earliest', 'latest', { sequence: n >= 1 } or { time: epochMs }, got ${JSON.stringify(start)}`);
}

/** The splits of a source: one per partition subject, else one for the (optional) filter. */
export function initialSplits(stream: string, filter: string | undefined, partitions: readonly string[] | undefined, start: NatsStartPosition, bounded: boolean): NatsSplit[] {
  const filters: Array<string | undefined> = partitions && partitions.length > 0 ? [...partitions] : [filter];
  return filters.map((f) => ({
    splitId: f === undefined ? stream : `${stream}:${f}`,
    stream,
    ...(f === undefined ? {} : { filter: f }),
    next: typeof start === 'object' && 'sequence' in start ? start.sequence : 0,
    start,
    ...(bounded ? { end: -1 } : {}),
  }));
}
