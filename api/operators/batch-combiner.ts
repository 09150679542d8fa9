// BatchCombiner: the combine step of a rolling reduce in BATCH mode (Flink's combinable batch
// reduce, ReduceCombineDriver): the subtask that writes a keyBy exchange into a rolling reduce
// folds its own records per key in a hash map and sends one running value per key, so the
// exchange, the blocking partition and the consumer's fold carry distinct keys, not records.
// Only records without a timestamp are folded (their order at the consumer is arrival order, the
// order folded here); the first record with a timestamp, or a map over the memory budget, sends
// every running value, in first-seen order, and the records after it pass through unchanged. The
// consumer files each record it receives under that record's key, so a running value must keep
// the key of the records it folds: a reduce whose result has another key stops the folding too
// (the running value and the record go out as they are, and the consumer folds them again). One
// producer's fold therefore stays the left fold in arrival order; with several producers the
// consumer folds their partial values, so the reduce must be associative, as for a well-defined
// rolling reduce over parallel inputs (the streaming result then depends on interleaving).
// The same step serves an AggregateFunction over a whole key (a GlobalWindows end-of-stream window,
// `fullWindowPartition().aggregate`): there the map holds one accumulator per key, which `add`
// may update in place (the runtime owns it), and sends PartialAccumulators that the consumer
// merges; a map over the budget is sent and folding starts again from empty maps, since `merge`
// is associative by the AggregateFunction's contract (Flink's combiner does the same).
// Pure; imports api/ and state/ only.
import { isValidKey, type Key } from '../../state/key-groups.ts';
import type { AggregateFunction } from '../../state/state-descriptors.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import { selectKey, type KeySelector } from '../functions/key-selector.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { ENTRY_OVERHEAD, groupId } from './external-sorter.ts';
import { compareKeys, estimateBytes } from './key-order.ts';
import { StreamGroupedReduce } from './stream-grouped-reduce.ts';

/** What a combine step needs: the reduce and its key selector (the consumer's), and a budget. */
export interface CombineSpec {
  /** The rolling reduce (unset for an aggregate). */
  readonly reduce?: (a: unknown, b: unknown) => unknown;
  readonly keySelector: KeySelector<any>;
  /** The consuming operator's name (key errors name it). */
  readonly operatorName: string;
  /** Bytes (estimated) the running values may hold before the combiner stops folding. */
  readonly memoryBytes: number;
  /** Set for an aggregate over whole keys: accumulators per key instead of a reduce (see the header). */
  readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
}

/** A key's accumulator folded by a producer, on its way to the consumer that merges it. */
export class PartialAccumulator {
  constructor(readonly key: Key, readonly accumulator: unknown) {}
}

/** `selector`, also for the PartialAccumulators of an aggregate's combine step (their own key). */
export function partialAwareKeySelector<T>(selector: KeySelector<T>): KeySelector<T | PartialAccumulator> {
  return (value) => (value instanceof PartialAccumulator ? value.key : selector(value as T));
}

/** `agg`, whose `add` also merges a PartialAccumulator from a combine step into the accumulator. */
export function partialAwareAggregate<IN, ACC, OUT>(agg: AggregateFunction<IN, ACC, OUT>): AggregateFunction<IN | PartialAccumulator, ACC, OUT> {
  return {
    createAccumulator: () => agg.createAccumulator(),
    add: (value, accumulator) => (value instanceof PartialAccumulator ? agg.merge(accumulator, value.accumulator as ACC) : agg.add(value as IN, accumulator)),
    getResult: (accumulator) => agg.getResult(accumulator),
    merge: (a, b) => agg.merge(a, b),
  };
}

/** The function of `operator` when it is a plain rolling reduce (not a subclass with its own logic). */
export function rollingReduceOf(operator: unknown): ((a: unknown, b: unknown) => unknown) | undefined {
  return operator instanceof StreamGroupedReduce && operator.constructor === StreamGroupedReduce
    ? operator.reduce as (a: unknown, b: unknown) => unknown
    : undefined;
}

/** A running value; an object so that a record costs one map lookup. */
interface Slot { value: unknown }

/** A key's accumulator, with the key it is sent under. */
interface AccumulatorSlot extends Slot { readonly key: Key }

/** Folds one subtask's records per key before they are written; see the file header. */
export class BatchCombiner {
  private folding: Map<unknown, Slot> | undefined = new Map();
  private bytes = 0;
  /** Records in, records out (tests, metrics). */
  recordsIn = 0;
  recordsOut = 0;

  private readonly aggregate: AggregateFunction<unknown, unknown, unknown> | undefined;

  constructor(private readonly spec: CombineSpec, private readonly emit: (value: unknown, timestamp: number) => void) {
    // Each producing subtask folds with its own copy of the function, as it gets its own operator.
    this.aggregate = spec.aggregate && cloneFunction(spec.aggregate);
  }

  /** Folds `value` into its key's running value, or passes it on once folding stopped. */
  add(value: unknown, timestamp: number): void {
    this.recordsIn++;
    if (this.aggregate !== undefined) {
      this.accumulate(this.aggregate, value);
      return;
    }
    const map = this.folding;
    if (map === undefined || timestamp !== NO_TIMESTAMP) {
      if (map !== undefined) this.stop();
      this.recordsOut++;
      this.emit(value, timestamp);
      return;
    }
    const key: Key = selectKey(this.spec.keySelector, value, this.spec.operatorName);
    const id = typeof key === 'object' ? groupId(key) : key;
    const slot = map.get(id);
    if (slot !== undefined) {
      const next = this.spec.reduce!(slot.value, value);
      if (this.keeps(next, key)) {
        slot.value = next;
        return;
      }
      // The consumer would file `next` under its own key: send the running value and this record
      // instead (the consumer folds them into `next` again) and fold nothing more.
      this.stop();
      this.recordsOut++;
      this.emit(value, timestamp);
      return;
    }
    map.set(id, { value });
    this.bytes += ENTRY_OVERHEAD + estimateBytes(value) + (typeof key === 'object' ? estimateBytes(key) : 8);
    if (this.bytes > this.spec.memoryBytes) this.stop();
  }

  /** Adds `value` to its key's accumulator; a map over the budget is sent and folding starts over. */
  private accumulate(agg: AggregateFunction<unknown, unknown, unknown>, value: unknown): void {
    const map = this.folding!;
    const key: Key = selectKey(this.spec.keySelector, value, this.spec.operatorName);
    const id = typeof key === 'object' ? groupId(key) : key;
    const slot = map.get(id) as AccumulatorSlot | undefined;
    if (slot !== undefined) {
      slot.value = agg.add(value, slot.value);
      return;
    }
    const created: AccumulatorSlot = { key, value: agg.add(value, agg.createAccumulator()) };
    map.set(id, created);
    // Accumulators are measured once, when created: one that grows (a list) is the function's choice.
    this.bytes += ENTRY_OVERHEAD + estimateBytes(created.value) + (typeof key === 'object' ? estimateBytes(key) : 8);
    if (this.bytes > this.spec.memoryBytes) this.flush();
  }

  /** Whether the reduce's result `next` has the key of the records it folded. */
  private keeps(next: unknown, key: Key): boolean {
    let k: unknown;
    try { k = this.spec.keySelector(next); } catch { return false; }
    return k === key || (typeof key === 'object' && isValidKey(k) && compareKeys(k as Key, key) === 0);
  }

  /** The input ended: sends the running values that are left. */
  finish(): void { if (this.folding !== undefined) this.flush(); }

  /** Sends every running value and folds nothing more. */
  private stop(): void {
    this.flush();
    this.folding = undefined;
  }

  private flush(): void {
    const map = this.folding!;
    if (this.aggregate !== undefined) {
      for (const slot of map.values() as IterableIterator<AccumulatorSlot>) {
        this.recordsOut++;
        this.emit(new PartialAccumulator(slot.key, slot.value), NO_TIMESTAMP);
      }
    } else {
      for (const slot of map.values()) {
        this.recordsOut++;
        this.emit(slot.value, NO_TIMESTAMP);
      }
    }
    map.clear();
    this.bytes = 0;
  }
}
