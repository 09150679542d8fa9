// DataStream: the user's handle on a stream: transformations (map, filter, flatMap, process,
// keyBy, union, connect), partitioning (rebalance, rescale, shuffle, broadcast, forward, global,
// partitionCustom), side outputs, operator settings, and sinks. Every call adds to the
// environment's StreamGraph; nothing runs until execute(). Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import type { MapStateDescriptor } from '../../state/state-descriptors.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { Collector } from '../functions/collector.ts';
import type { KeySelector } from '../functions/key-selector.ts';
import type { ProcessFunction } from '../functions/process-function.ts';
import type { FeedbackLoopOptions } from '../graph/feedback-loop.ts';
import type { CustomPartitioner, PartitionerSpec } from '../graph/partitioner.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import { ProcessOperator } from '../operators/process-operator.ts';
import { SinkFunctionOperator } from '../operators/sink-function-operator.ts';
import { SinkWriterOperator } from '../operators/sink-writer-operator.ts';
import { StreamFilter } from '../operators/stream-filter.ts';
import { StreamFlatMap } from '../operators/stream-flat-map.ts';
import { StreamMap } from '../operators/stream-map.ts';
import type { OneInputStreamOperator } from '../operators/stream-operator.ts';
import type { OutputTag } from '../output-tag.ts';
import { CollectSink, ExactlyOnceCollectSink } from '../sinks/collect-sink.ts';
import { PrintSink } from '../sinks/print-sink.ts';
import type { Sink } from '../sinks/sink.ts';
import { TwoPhaseCommitSinkOperator, type TwoPhaseCommitSink } from '../sinks/two-phase-commit-sink.ts';
import type { StreamExecutionEnvironment } from '../environment/stream-execution-environment.ts';
import { TimestampsAndWatermarksOperator } from '../time/timestamps-and-watermarks-operator.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import { AllWindowedStream } from '../windowing/all-windowed-stream.ts';
import type { GlobalWindow, Window } from '../windowing/time-window.ts';
import { CoGroupedStreams } from '../windowing/co-grouped-streams.ts';
import { JoinedStreams } from '../windowing/joined-streams.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { checkParallelism, DataStreamSink } from './data-stream-sink.ts';
import { streamExtensions } from './stream-extensions.ts';
import { bulkIteration, deltaIteration, type BulkIterationOptions, type DeltaIterationOptions, type DeltaStep } from './iterative-stream.ts';

/** One upstream output a stream reads: an operator's main or side output, and how it is partitioned. */
export interface StreamInput {
  readonly node: StreamNode;
  readonly partitioner?: PartitionerSpec;
  readonly sideOutputTag?: OutputTag<unknown>;
}

/** A stream of elements of type T. */
export class DataStream<T> {
  declare readonly __type?: T;

  constructor(
    /** The environment the stream belongs to. */
    readonly environment: StreamExecutionEnvironment,
    /** @internal the upstream outputs (several after union). */
    readonly inputs: readonly StreamInput[],
  ) {}

  // ---- transformations ----

  /** Applies `fn` to every element. */
  map<R>(fn: (value: T) => R): DataStream<R> {
    return this.transform('Map', () => new StreamMap<T, R>(fn));
  }

  /** Keeps the elements for which `fn` holds. */
  filter(fn: (value: T) => boolean): DataStream<T> {
    return this.transform('Filter', () => new StreamFilter<T>(fn));
  }

  /** Emits zero or more elements per element through `out.collect`. */
  flatMap<R>(fn: (value: T, out: Collector<R>) => void): DataStream<R> {
    return this.transform('Flat Map', () => new StreamFlatMap<T, R>(fn));
  }

  /** Runs a ProcessFunction on every element. */
  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    return this.transform('Process', () => new ProcessOperator<T, R>(cloneFunction(fn)));
  }

  /** Adds a custom one-input operator (a fresh instance per subtask from `operatorFactory`). */
  transform<R>(name: string, operatorFactory: () => OneInputStreamOperator<T, R>): DataStream<R> {
    return new DataStream<R>(this.environment, [{ node: this.addOperator(name, operatorFactory) }]);
  }

  /** Partitions by key: elements with equal keys go to the same subtask (by key group). */
  keyBy<K extends Key>(selector: (value: T) => K): KeyedStream<T, K> {
    if (typeof selector !== 'function') throw new TypeError('keyBy expects a key selector function');
    return streamExtensions.keyed!(this, selector);
  }

  /** Assigns event timestamps and generates watermarks inside the stream. */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    const interval = this.environment.getConfig().getAutoWatermarkInterval();
    return this.transform('Timestamps/Watermarks', () => new TimestampsAndWatermarksOperator<T>(strategy, interval));
  }

  /** Windows over the whole (non-keyed) stream; the window operator runs at parallelism 1. */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  /** Count windows over the whole stream: every `size` elements, or sliding by `slide`. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    return AllWindowedStream.countWindowAll(this, size, slide);
  }

  /** A window co-group with `other`: `.where(k1).equalTo(k2).window(assigner).apply((first, second, out) => ...)`. */
  coGroup<U>(other: DataStream<U>): CoGroupedStreams<T, U> {
    return new CoGroupedStreams<T, U>(this, other);
  }

  /** A window join with `other`: `.where(k1).equalTo(k2).window(assigner).apply(fn)`. */
  join<U>(other: DataStream<U>): JoinedStreams<T, U> {
    return new JoinedStreams<T, U>(this, other);
  }

  /** Merges streams of the same type. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (o.environment !== this.environment) throw new Error('union: all streams must belong to the same environment');
    }
    return new DataStream<T>(this.environment, [...this.inputs, ...others.flatMap((o) => o.inputs)]);
  }

  /** Connects with another stream for a two-input operator (CoProcessFunction, joins). */
  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  /** Connects with a broadcast stream (broadcast state pattern): process with a (Keyed)BroadcastProcessFunction. */
  connect<U>(other: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
  connect<U>(other: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
    if (other instanceof BroadcastStream) return streamExtensions.broadcastConnected!(this, other);
    return streamExtensions.connected!(this, other);
  }

  /** The records emitted to side output `tag` by this stream's operator. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    return new DataStream<X>(this.environment, [{ node: this.node(), sideOutputTag: tag as OutputTag<unknown> }]);
  }

  // ---- partitioning ----

  /** Round robin over all downstream subtasks. */
  rebalance(): DataStream<T> { return this.partition({ kind: 'rebalance' }); }
  /** Round robin over a local subset of downstream subtasks. */
  rescale(): DataStream<T> { return this.partition({ kind: 'rescale' }); }
  /** Uniformly random downstream subtask. */
  shuffle(): DataStream<T> { return this.partition({ kind: 'shuffle' }); }
  /** Every element to every downstream subtask. */
  broadcast(): DataStream<T>;
  /** A broadcast stream carrying the broadcast states `descriptors` (connect a stream to it). */
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    const partitioned = this.partition({ kind: 'broadcast' });
    return descriptors.length === 0 ? partitioned : new BroadcastStream<T>(partitioned, descriptors);
  }
  /** Subtask i to subtask i; needs equal parallelism. */
  forward(): DataStream<T> { return this.partition({ kind: 'forward' }); }
  /** Everything to downstream subtask 0. */
  global(): DataStream<T> { return this.partition({ kind: 'global' }); }
  /** The partition `partitioner(key, n)` picks for each element's key. */
  partitionCustom<K>(partitioner: CustomPartitioner<K>, selector: (value: T) => K): DataStream<T> {
    return this.partition({ kind: 'custom', partitioner, keySelector: selector });
  }

  // ---- operator settings (apply to the operator producing this stream) ----

  setParallelism(parallelism: number): this {
    const node = this.node();
    node.parallelism = checkParallelism(parallelism, node.name);
    return this;
  }
  setMaxParallelism(maxParallelism: number): this {
    const node = this.node();
    node.maxParallelism = checkParallelism(maxParallelism, node.name);
    return this;
  }
  name(name: string): this { this.node().name = name; return this; }
  uid(uid: string): this { this.node().uid = uid; return this; }
  /** This operator starts a new chain (it is not chained to its input). */
  startNewChain(): this { this.node().chainingStrategy = 'head'; return this; }
  /** This operator is chained to neither neighbour. */
  disableChaining(): this { this.node().chainingStrategy = 'never'; return this; }
  slotSharingGroup(group: string): this { this.node().slotSharingGroup = group; return this; }

  // ---- sinks ----

  /** Writes through a Sink (one writer per subtask) or a TwoPhaseCommitSink (exactly-once with checkpoints). */
  sinkTo(sink: Sink<T> | TwoPhaseCommitSink<T, any>): DataStreamSink<T> {
    if ('beginTransaction' in sink) {
      const node = this.addOperator('Sink', () => new TwoPhaseCommitSinkOperator<T, unknown>(sink), true);
      node.commitsOnCheckpoint = true;
      return new DataStreamSink<T>(node);
    }
    return new DataStreamSink<T>(this.addOperator('Sink', () => new SinkWriterOperator<T>(sink), true));
  }

  /** Calls `fn` for every element (at-least-once convenience). */
  addSink(fn: (value: T) => void | Promise<void>): DataStreamSink<T> {
    return new DataStreamSink<T>(this.addOperator('Sink', () => new SinkFunctionOperator<T>(fn), true));
  }

  /** Prints every element (`prefix:subtask> value`). */
  print(prefix?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(prefix)).name('Print to Std. Out');
  }

  /** Executes the environment's job and returns this stream's elements (bounded jobs). */
  async executeAndCollect(jobName?: string): Promise<T[]> {
    // With checkpoints, results are committed per checkpoint: exactly-once even across failures.
    const sink = this.environment.getCheckpointConfig().isCheckpointingEnabled() ? new ExactlyOnceCollectSink<T>() : new CollectSink<T>();
    this.sinkTo(sink).name('Collect Sink');
    await this.environment.execute(jobName ?? 'Collect Job');
    return sink.results;
  }

  // ---- iterations ----

  /**
   * Streaming iteration (a feedback loop, streaming mode): the returned IterativeStream is this
   * stream plus whatever is fed back with `closeWith(feedback)`. Fed-back records are
   * at-least-once across failures. The loop's head ends once this stream has ended and nothing
   * was fed back for `maxWaitTimeMs` on the job's clock (default 1 s: the loop has drained; 0: it
   * never ends, as Flink's iterate(0)).
   */
  iterate(options?: FeedbackLoopOptions): IterativeStream<T>;
  /**
   * Bulk iteration: `step` maps the whole current data set to the next one, in synchronized
   * supersteps, at most `maxIterations` times; ends early after a superstep whose
   * `terminationCriterion(next)` is empty, or for which `options.convergence` holds for its
   * aggregator (aggregators: `options.aggregators`). Needs batch execution mode.
   */
  iterate(maxIterations: number, step: (current: DataStream<T>) => DataStream<T>, options?: BulkIterationOptions<T>): DataStream<T>;
  iterate(
    maxIterationsOrOptions?: number | FeedbackLoopOptions, step?: (current: DataStream<T>) => DataStream<T>, options?: BulkIterationOptions<T>,
  ): DataStream<T> | IterativeStream<T> {
    if (typeof maxIterationsOrOptions === 'number') return bulkIteration(this, maxIterationsOrOptions, step!, options);
    if (step !== undefined) throw new TypeError('iterate(maxIterations, step): maxIterations must be a number');
    return streamExtensions.iterative!(this, maxIterationsOrOptions ?? {});
  }

  /**
   * Delta iteration with this stream as the initial solution set (keyed by `keySelector`): each
   * superstep's step returns the solution set's delta (merged by key) and the next workset; ends
   * when the workset is empty or after `maxIterations`, or when `options.convergence` holds for
   * its aggregator after a superstep. Needs batch execution mode.
   */
  iterateDelta<W>(
    initialWorkset: DataStream<W>, maxIterations: number, keySelector: (s: T) => Key, step: DeltaStep<T, W>, options?: DeltaIterationOptions,
  ): DataStream<T> {
    return deltaIteration(this, initialWorkset, maxIterations, keySelector, step, options);
  }

  // ---- internals ----

  /** @internal the single operator producing this stream. */
  node(): StreamNode {
    if (this.inputs.length !== 1) throw new Error('this setting applies to one operator; a union of streams has several');
    return this.inputs[0].node;
  }

  /** @internal adds a one-input node reading this stream. */
  addOperator(name: string, operatorFactory: () => unknown, isSink = false, keySelector?: KeySelector<any>): StreamNode {
    const graph = this.environment.streamGraph;
    const node = graph.addNode({ name, kind: 'one-input', operatorFactory, isSink, keySelectors: [keySelector, undefined] });
    for (const input of this.inputs) {
      graph.addEdge({ source: input.node, target: node, typeNumber: 1, partitioner: input.partitioner, sideOutputTag: input.sideOutputTag });
    }
    return node;
  }

  private partition(partitioner: PartitionerSpec): DataStream<T> {
    return new DataStream<T>(this.environment, this.inputs.map((i) => ({ ...i, partitioner })));
  }
}

// Type-only imports for the extension points (the classes import DataStream; see stream-extensions.ts).
import type { KeyedStream } from './keyed-stream.ts';
import type { ConnectedStreams } from './connected-streams.ts';
import type { IterativeStream } from './streaming-iteration.ts';
import type { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
