// What an iteration node of the stream graph carries: its kind, its limit of supersteps and its
// body, a separate StreamGraph the step function built. The body starts at an IterationInput
// (a source that reads, per superstep, whatever the runtime points it at: the current data set or
// workset) and ends at IterationOutput sinks (the next data set, the termination criterion, the
// solution set delta), whose operators the runtime supplies per superstep. The solution set of a
// delta iteration is reached through SolutionSetPartitions: while the iteration runs, the runtime
// installs its table there (in memory up to the batch memory budget, the rest spilled); outside a
// run it is in memory, one map per key partition. Lookups go through probes, so a table may answer
// a lookup whose entry is on disk later (at the end of the probing operator's input). Pure;
// imports api/ and state/ only.
import { assignKeyToParallelOperator, isValidKey, type Key } from '../../state/key-groups.ts';
import type { IterationAggregation } from '../functions/iteration-aggregators.ts';
import type { KeySelector } from '../functions/key-selector.ts';
import type { Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../sources/source.ts';
import type { StreamGraph, StreamNode } from './stream-graph.ts';

/** The error a bulk or delta iteration gives outside batch mode. */
export const ITERATION_NEEDS_BATCH = "bulk iterations need batch execution mode: env.setRuntimeMode('batch')";

/** The source at the head of an iteration body: reads what the runtime sets as `current`. */
export class IterationInput implements Source<unknown, SourceSplit, unknown> {
  readonly boundedness = 'bounded' as const;
  /** Set by the runtime before each superstep. */
  current: Source<unknown, any, any> | undefined;

  constructor(readonly description: string) {}

  private target(): Source<unknown, any, any> {
    if (this.current === undefined) throw new Error(`${this.description} runs only inside its iteration, in batch mode`);
    return this.current;
  }

  createEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, unknown> {
    return this.target().createEnumerator(context);
  }

  restoreEnumerator(context: SplitEnumeratorContext<SourceSplit>, state: unknown): SplitEnumerator<SourceSplit, unknown> {
    return this.target().restoreEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<unknown, SourceSplit> {
    return this.target().createReader(context);
  }
}

/** A sink at the tail of an iteration body: its operator comes from the runtime, per superstep. */
export class IterationOutput {
  /** Set by the runtime before each superstep. */
  factory: (() => unknown) | undefined;
  /** The body's sink node writing this output. */
  node!: StreamNode;

  constructor(readonly description: string) {}

  /** The node's operator factory. */
  create(): unknown {
    if (this.factory === undefined) throw new Error(`${this.description} runs only inside its iteration, in batch mode`);
    return this.factory();
  }
}

/** A bulk iteration: `next` is the data set of the next superstep. */
export interface BulkIterationSpec {
  readonly kind: 'bulk';
  readonly maxIterations: number;
  readonly body: StreamGraph;
  readonly head: IterationInput;
  readonly headNode: StreamNode;
  readonly next: IterationOutput;
  readonly termination?: IterationOutput;
  /** Aggregators, convergence criterion and superstep number the body's functions see. */
  readonly aggregation: IterationAggregation;
}

/** A delta iteration: input 1 is the initial solution set, input 2 the initial workset. */
export interface DeltaIterationSpec {
  readonly kind: 'delta';
  readonly maxIterations: number;
  readonly body: StreamGraph;
  /** The workset. */
  readonly head: IterationInput;
  readonly headNode: StreamNode;
  readonly delta: IterationOutput;
  readonly nextWorkset: IterationOutput;
  readonly solution: SolutionSetPartitions<unknown>;
  /** Aggregators, convergence criterion and superstep number the body's functions see. */
  readonly aggregation: IterationAggregation;
}

/** What an iteration node runs. */
export type IterationSpec = BulkIterationSpec | DeltaIterationSpec;

/** Calls `onMatch(entry, w, timestamp)` for every probed workset element, now or at `finish()`. */
export interface SolutionSetProbe<W> {
  /** Looks `key` up for `w`; an entry on disk is answered at `finish()`. */
  probe(key: Key, w: W, timestamp: number): void;
  /** Answers every lookup still waiting (the probing operator's input ended). */
  finish(): void;
  /** Drops what is still waiting (the operator closes or failed). */
  dispose(): void;
}

/** A solution set store the runtime installs for the length of a delta iteration. */
export interface SolutionSetTable<S> {
  /** Inserts or replaces the entry of `value`'s key (between supersteps only). */
  put(value: S): void;
  /** Makes every put so far visible to probes and values (at a superstep barrier: no join runs). */
  flush(): void;
  /** The entries of key partition `index` (as keyBy assigns keys to subtasks). */
  values(index: number): Iterable<S>;
  /** A probe for one subtask of a join; `onMatch` gets the entry of each probed key, or undefined. */
  openProbe<W>(onMatch: (entry: S | undefined, w: W, timestamp: number) => void): SolutionSetProbe<W>;
}

/** The solution set of a delta iteration: one map per key partition, keyed by the solution's key. */
export class SolutionSetPartitions<S> {
  private partitions: Map<unknown, S>[] = [new Map()];
  private maxParallelism = 128;
  /** The runtime's table while an iteration runs. */
  private table: SolutionSetTable<S> | undefined;
  /** What the last run's table measured (tests, logs). */
  lastStats: unknown;

  constructor(readonly keySelector: KeySelector<S>) {}

  /** Lets `table` hold the solution set until `install(undefined)`. */
  install(table: SolutionSetTable<S> | undefined): void { this.table = table; }

  /** The key of `value`, checked. */
  keyOf(value: S): Key {
    const key = this.keySelector(value) as Key;
    if (!isValidKey(key)) {
      throw new TypeError(`the delta iteration's key selector returned ${describe(key)} for ${describe(value)}: keys are strings, numbers, bigints, booleans or arrays of them`);
    }
    return key;
  }

  /** A probe for one subtask of a SolutionSet.join (see SolutionSetTable.openProbe). */
  openProbe<W>(onMatch: (entry: S | undefined, w: W, timestamp: number) => void): SolutionSetProbe<W> {
    if (this.table !== undefined) return this.table.openProbe(onMatch);
    return { probe: (key, w, timestamp) => onMatch(this.get(key), w, timestamp), finish: () => {}, dispose: () => {} };
  }

  /** Starts empty with `parallelism` partitions (key groups as keyBy assigns them). */
  reset(parallelism: number, maxParallelism: number): void {
    this.partitions = Array.from({ length: parallelism }, () => new Map());
    this.maxParallelism = maxParallelism;
  }

  get parallelism(): number { return this.partitions.length; }

  /** The entry of `key`, if any. */
  get(key: Key): S | undefined {
    checkProbeKey(key);
    return this.partitions[this.partitionOf(key)].get(mapKey(key));
  }

  /** Inserts or replaces the entry of `value`'s key. */
  put(value: S): void {
    if (this.table !== undefined) { this.table.put(value); return; }
    const key = this.keyOf(value);
    this.partitions[this.partitionOf(key)].set(mapKey(key), value);
  }

  /** The entries of partition `index`. */
  values(index: number): Iterable<S> { return this.table !== undefined ? this.table.values(index) : this.partitions[index].values(); }

  /** Makes every put visible (the runtime's table buffers puts into spilled partitions). */
  flush(): void { this.table?.flush(); }

  /** Entries in all partitions. */
  get size(): number { return this.partitions.reduce((n, p) => n + p.size, 0); }

  private partitionOf(key: Key): number {
    return assignKeyToParallelOperator(key, this.maxParallelism, this.partitions.length);
  }
}

/** Refuses a workset key that is no key, naming it. */
export function checkProbeKey(key: unknown): asserts key is Key {
  if (!isValidKey(key)) throw new TypeError(`SolutionSet.join: the workset key selector returned ${describe(key)}: keys are strings, numbers, bigints, booleans or arrays of them`);
}

/** Primitive keys are map keys as they are; composite keys by their JSON text. */
export function mapKey(key: Key): unknown {
  return typeof key === 'object' && key !== null ? `\u0000${JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}` : key;
}

function describe(value: unknown): string {
  try { return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value); } catch { return String(value); }
}
