// SortedKeyedOperator: how a keyed operator runs in BATCH mode (Flink's sorted keyed inputs with
// the batch state backend and timer service). It wraps the operator the program built: its
// keyed input is consumed completely and sorted by key, then timestamp, then arrival
// (ExternalSorter, spilling beyond the memory budget); then the keys are processed one after the
// other with state for the current key only (a heap backend cleared after each key) and
// BatchTimerServices. At the end of a key its event-time timers fire in timestamp order: the
// operator sees MAX_WATERMARK (its watermark logic fires timers and buffered windows) and then
// the watermark starts over for the next key, so event-time windows fire once, complete.
// Processing-time timers never fire, and no watermark leaves before the input is done (then
// MAX_WATERMARK). A rolling reduce (StreamGroupedReduce) runs as a BatchGroupedReduce: one final
// value per key. Two inputs keyed alike are merged key by key; a broadcast second input (the
// keyed broadcast pattern) is processed as it arrives, before any keyed record.
// A rolling reduce folds by hashing while it can (Flink's hash-based batch reduce): while no
// record has a timestamp, each key's records arrive in the order the sort would give them, so the
// running value per key is kept in a map instead of buffering and sorting every record. The
// first record with a timestamp, or a map over the memory budget, hands each key's running value
// to the sorter as one untimestamped record ahead of everything after it, and sorting goes on
// from there: the fold stays a left fold in sort order, so the reduce need not be associative.
// When every record was folded, the running values go out in key order without the sorter.
// A whole-key aggregate (a GlobalWindows end-of-stream window whose input comes from combine
// steps) folds the same way: the partial accumulators of a key are merged in a map as they
// arrive, and at the end each key's one merged partial goes through the window operator, in key
// order, without sorting anything.
// Imports api/ and state/ only: the SpillStorage comes from the runtime.
import type { Key } from '../../state/key-groups.ts';
import { BatchTimerService } from '../../state/batch/batch-timer-service.ts';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { Triggerable } from '../../state/timer-service.ts';
import { selectKey, type KeySelector } from '../functions/key-selector.ts';
import type { OutputTag } from '../output-tag.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../stream-elements.ts';
import type { AggregateFunction } from '../../state/state-descriptors.ts';
import { PartialAccumulator, rollingReduceOf } from './batch-combiner.ts';
import { BatchGroupedReduce } from './batch-grouped-reduce.ts';
import { ENTRY_OVERHEAD, ExternalSorter, groupId } from './external-sorter.ts';
import { compareKeys, estimateBytes } from './key-order.ts';
import type { SpillStorage } from './spill-storage.ts';
import type { OperatorContext, Output } from './stream-operator.ts';

/** What the sorting needs: its memory budget and where runs spill (none: memory only). */
export interface SortedInputOptions {
  readonly memoryBytes: number;
  readonly spill?: SpillStorage;
}

/** A keyed operator (one or two inputs) run on input grouped by key. */
export class SortedKeyedOperator {
  private inner: any;
  private output!: Output<unknown>;
  private backend!: HeapKeyedStateBackend;
  private readonly timerServices: BatchTimerService[] = [];
  private sorter!: ExternalSorter;
  private drained = false;
  /** Inputs that ended before the sorted input was processed (their endInput waits until then). */
  private readonly endedInputs: Array<1 | 2 | undefined> = [];
  private readonly twoInput: boolean;
  /** A rolling reduce's function while it folds by hashing. */
  private readonly reduce: ((a: unknown, b: unknown) => unknown) | undefined;
  /** Set when the folded values are partial accumulators that go through the inner operator: their function. */
  private readonly partials: AggregateFunction<unknown, unknown, unknown> | undefined;
  /** Running values per key (by groupId) while folding by hashing; undefined once sorting. */
  private hashed: Map<unknown, { key: Key; value: unknown }> | undefined;
  private hashedBytes = 0;

  constructor(
    inner: unknown,
    private readonly selectors: readonly [KeySelector<any> | undefined, KeySelector<any> | undefined],
    private readonly operatorName: string,
    private readonly options: SortedInputOptions,
    twoInput: boolean,
    /** The AggregateFunction of a whole-key aggregate whose input is partial accumulators. */
    partialAggregate?: AggregateFunction<unknown, unknown, unknown>,
  ) {
    const reduce = rollingReduceOf(inner);
    this.inner = reduce !== undefined ? new BatchGroupedReduce(reduce) : inner;
    this.twoInput = twoInput;
    if (reduce !== undefined && !twoInput) {
      this.reduce = reduce;
      this.hashed = new Map();
    } else if (partialAggregate !== undefined && !twoInput) {
      this.reduce = (a, b) => new PartialAccumulator((a as PartialAccumulator).key, partialAggregate.merge((a as PartialAccumulator).accumulator, (b as PartialAccumulator).accumulator));
      this.partials = partialAggregate;
      this.hashed = new Map();
    }
  }

  /** The operator running inside (tests). */
  get wrapped(): unknown { return this.inner; }

  /** Records sorted so far and how many runs spilled (tests, metrics). */
  sortStats(): { records: number; spilledRuns: number; spilledBytes: number } {
    return { records: this.sorter.count, spilledRuns: this.sorter.spilledRuns, spilledBytes: this.sorter.spilledBytes };
  }

  setup(context: OperatorContext, output: Output<unknown>): void {
    this.output = output;
    const now = (): number => context.clock.now();
    // One key group and one cached key context: clearing after each key costs only that key's entries.
    this.backend = new HeapKeyedStateBackend({ maxParallelism: 1, keyGroupRange: { start: 0, end: 0 }, clock: now, keyContextLimit: 1 });
    this.sorter = new ExternalSorter(this.options.memoryBytes, this.options.spill);
    const innerOutput: Output<unknown> = {
      collect: (value, timestamp) => output.collect(value, timestamp),
      collectSide: <X>(tag: OutputTag<X>, value: X, timestamp: number) => output.collectSide(tag, value, timestamp),
      // Per-key watermarks stay inside: downstream sees MAX_WATERMARK once, after the last key.
      emitWatermark: () => {},
      emitWatermarkStatus: () => {},
    };
    const innerContext: OperatorContext = {
      ...context,
      keyedState: this.backend,
      getTimerService: (_name: string, triggerable: Triggerable) => {
        const service = new BatchTimerService(this.backend, triggerable, now);
        this.timerServices.push(service);
        return service;
      },
      checkpointingEnabled: false,
    };
    this.inner.setup(innerContext, innerOutput);
  }

  open(): void | Promise<void> { return this.inner.open(); }

  close(): void | Promise<void> {
    this.sorter?.dispose();
    return this.inner.close();
  }

  processElement(value: unknown, timestamp: number): void {
    const key = selectKey(this.selectors[0]!, value, this.operatorName);
    const hashed = this.hashed;
    if (hashed !== undefined) {
      // A whole-key aggregate folds partial accumulators only (a plain record becomes one).
      const agg = this.partials;
      if (agg !== undefined && !(value instanceof PartialAccumulator)) value = new PartialAccumulator(key, agg.add(value, agg.createAccumulator()));
      if (timestamp === NO_TIMESTAMP) {
        const id = groupId(key);
        const slot = hashed.get(id);
        if (slot !== undefined) {
          slot.value = this.reduce!(slot.value, value);
          return;
        }
        hashed.set(id, { key, value });
        this.hashedBytes += ENTRY_OVERHEAD + estimateBytes(value) + (typeof key === 'object' ? estimateBytes(key) : 8);
        if (this.hashedBytes > this.options.memoryBytes) this.stopHashing();
        return;
      }
      this.stopHashing();
    }
    this.sorter.add(key, value, timestamp, 1);
  }

  /** From now on records are sorted: each key's running value goes first, as one record. */
  private stopHashing(): void {
    const hashed = this.hashed;
    if (hashed === undefined) return;
    this.hashed = undefined;
    for (const { key, value } of hashed.values()) this.sorter.add(key, value, NO_TIMESTAMP, 1);
  }

  processElement1(value: unknown, timestamp: number): void { this.processElement(value, timestamp); }

  processElement2(value: unknown, timestamp: number): void {
    const selector = this.selectors[1];
    if (selector === undefined) { this.inner.processElement2(value, timestamp); return; }
    this.sorter.add(selectKey(selector, value, this.operatorName), value, timestamp, 2);
  }

  /** Only the end of all input matters: MAX_WATERMARK means every input has been consumed. */
  processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK) this.drain();
  }

  processWatermarkStatus(): void {}

  endInput(input?: 1 | 2): void {
    if (this.drained) { this.forwardEndInput(input); return; }
    this.endedInputs.push(input);
    if (this.endedInputs.length < (this.twoInput ? 2 : 1)) return;
    this.drain();
  }

  /** Processes the sorted input key by key, then tells the operator its inputs ended. */
  private drain(): void {
    if (this.drained) return;
    this.drained = true;
    if (this.hashed !== undefined && this.sorter.count === 0) { this.drainHashed(this.hashed); return; }
    this.stopHashing();
    const inner = this.inner;
    for (const group of this.sorter.groups()) {
      this.startKey(group[0].key);
      if (this.twoInput) {
        for (const entry of group) {
          if (entry.input === 2) inner.processElement2(entry.value, entry.timestamp);
          else inner.processElement1(entry.value, entry.timestamp);
        }
      } else {
        for (let i = 0; i < group.length; i++) inner.processElement(group[i].value, group[i].timestamp);
      }
      this.endKey();
    }
    for (const input of this.endedInputs.splice(0)) this.forwardEndInput(input);
    this.output.emitWatermark(MAX_WATERMARK);
  }

  /**
   * Every record was folded by hashing: the running values are the reduce's results, emitted in
   * key order as the key-by-key path would (no record had a timestamp, so none carries one).
   */
  private drainHashed(hashed: Map<unknown, { key: Key; value: unknown }>): void {
    this.hashed = undefined;
    const slots = [...hashed.values()];
    hashed.clear();
    slots.sort(byKey);
    if (this.partials) {
      // Each key's merged accumulator goes through the window operator, which fires at the key's end.
      for (let i = 0; i < slots.length; i++) {
        this.startKey(slots[i].key);
        this.inner.processElement(slots[i].value, NO_TIMESTAMP);
        this.endKey();
      }
    } else {
      for (let i = 0; i < slots.length; i++) this.output.collect(slots[i].value, NO_TIMESTAMP);
    }
    for (const input of this.endedInputs.splice(0)) this.forwardEndInput(input);
    this.output.emitWatermark(MAX_WATERMARK);
  }

  private startKey(key: Key): void {
    this.backend.setCurrentKey(key);
    this.inner.setKeyContext?.(key);
  }

  /** The key's input ended: its timers fire (and buffered results flush), then its state goes. */
  private endKey(): void {
    this.inner.processWatermark(MAX_WATERMARK);
    this.inner.processWatermark(-Infinity);
    for (const t of this.timerServices) t.clearKey();
    this.backend.clearEntries();
  }

  private forwardEndInput(input: 1 | 2 | undefined): void {
    if (this.twoInput) this.inner.endInput?.(input);
    else this.inner.endInput?.();
  }
}

const byKey = (a: { key: Key }, b: { key: Key }): number => {
  const x = a.key, y = b.key;
  return typeof x === 'number' && typeof y === 'number' ? x - y : compareKeys(x, y);
};

