// StreamExecutionEnvironment: where a DataStream program starts (sources) and ends (execute).
// Holds the StreamGraph the API builds, the job-wide settings, and the checkpoint / restart /
// state backend settings stored for the fault-tolerance work. execute() validates and translates
// the graph into a JobGraph and hands it to the registered executor (the embedded mini cluster
// by default). Imports api/ only; never actors/ (see executor-registry.ts).
import { DEFAULT_MAX_PARALLELISM, UPPER_BOUND_MAX_PARALLELISM } from '../../state/key-groups.ts';
import { DataStream } from '../datastream/data-stream.ts';
import '../datastream/keyed-stream.ts';
import '../datastream/streaming-iteration.ts';
import '../datastream/connected-streams.ts';
import { resolveRuntimeMode } from '../graph/batch-stages.ts';
import { buildJobGraph } from '../graph/job-graph-builder.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { StreamGraph } from '../graph/stream-graph.ts';
import { CollectionSource } from '../sources/collection-source.ts';
import { NumberSequenceSource } from '../sources/number-sequence-source.ts';
import { SocketTextSource } from '../sources/socket-text-source.ts';
import type { Source } from '../sources/source.ts';
import { SourceOperator, type WatermarkStrategyLike } from '../sources/source-operator.ts';
import {
  CheckpointConfig, defaultEnvironmentConfig, ExecutionConfig, type CheckpointingMode, type EnvironmentConfig,
} from './environment-config.ts';
import { findBatchExecutor, findExecutor } from './executor-registry.ts';
import type { ExecuteOptions, JobClient, JobExecutionResult } from './job-client.ts';
import type { RestartStrategy } from './restart-strategies.ts';

/**
 * Which subtasks a failure restarts (Flink's jobmanager.execution.failover-strategy): 'region'
 * only the failed subtask's pipelined region (the subtasks joined to it by channels), 'full'
 * every subtask of the job.
 */
export type FailoverStrategyName = 'region' | 'full';

/** How bounded programs run. */
export type RuntimeMode = 'streaming' | 'batch' | 'automatic';

/** A state backend choice: a name, or an object the fault-tolerance layer understands. */
export type StateBackendChoice = 'memory' | 'kv' | object;

/** The entry point of a DataStream program. */
export class StreamExecutionEnvironment {
  /** @internal the logical dataflow built so far. */
  readonly streamGraph = new StreamGraph();
  /** The environment's runtime configuration. */
  readonly environmentConfig: EnvironmentConfig;
  private parallelism = 1;
  private maxParallelism = DEFAULT_MAX_PARALLELISM;
  private runtimeMode: RuntimeMode = 'streaming';
  private chainingEnabled = true;
  private readonly executionConfig = new ExecutionConfig();
  private readonly checkpointConfig = new CheckpointConfig();
  private stateBackend: StateBackendChoice = 'memory';
  private checkpointStorage: string | undefined;
  private restartStrategy: RestartStrategy | undefined;
  private failoverStrategy: FailoverStrategyName = 'region';

  private constructor(config: Partial<EnvironmentConfig>) {
    this.environmentConfig = { ...defaultEnvironmentConfig(), ...stripUndefined(config) };
    const c = this.environmentConfig;
    if (!(Number.isInteger(c.taskManagers) && c.taskManagers >= 1)) throw new RangeError(`taskManagers must be a positive integer, got ${c.taskManagers}`);
    if (c.slotsPerTaskManager !== undefined && !(Number.isInteger(c.slotsPerTaskManager) && c.slotsPerTaskManager >= 1)) {
      throw new RangeError(`slotsPerTaskManager must be a positive integer, got ${c.slotsPerTaskManager}`);
    }
  }

  /** A new environment; `config` shapes the embedded mini cluster and the data plane. */
  static getExecutionEnvironment(config: Partial<EnvironmentConfig> = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(config);
  }

  // ---- settings ----

  /** Default parallelism of operators (default 1). */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    this.parallelism = parallelism;
    return this;
  }
  getParallelism(): number { return this.parallelism; }

  /** Default maxParallelism: the number of key groups (default 128). */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
      throw new RangeError(`maxParallelism must be an integer within 1..${UPPER_BOUND_MAX_PARALLELISM}, got ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    return this;
  }
  getMaxParallelism(): number { return this.maxParallelism; }

  /**
   * 'batch' runs a bounded program in stages with blocking exchanges and key-grouped input
   * (every source must be bounded); 'automatic' is batch when every source is bounded.
   */
  setRuntimeMode(mode: RuntimeMode): this {
    if (mode !== 'streaming' && mode !== 'batch' && mode !== 'automatic') {
      throw new RangeError(`runtime mode must be 'streaming', 'batch' or 'automatic', got ${String(mode)}`);
    }
    this.runtimeMode = mode;
    return this;
  }
  getRuntimeMode(): RuntimeMode { return this.runtimeMode; }

  /** Turns operator chaining off for the whole job. */
  disableOperatorChaining(): this { this.chainingEnabled = false; return this; }
  isChainingEnabled(): boolean { return this.chainingEnabled; }

  /** Flush partly filled network batches at the latest after `ms`. */
  setBufferTimeout(ms: number): this { this.environmentConfig.bufferTimeoutMs = ms; return this; }

  getConfig(): ExecutionConfig { return this.executionConfig; }

  /** Takes a checkpoint every `intervalMs` (default mode exactly-once). */
  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = 'exactly-once'): this {
    if (!(intervalMs > 0)) throw new RangeError(`checkpoint interval must be > 0, got ${intervalMs}`);
    this.checkpointConfig.intervalMs = intervalMs;
    this.checkpointConfig.mode = mode;
    return this;
  }
  getCheckpointConfig(): CheckpointConfig { return this.checkpointConfig; }

  setStateBackend(backend: StateBackendChoice): this { this.stateBackend = backend; return this; }
  getStateBackend(): StateBackendChoice { return this.stateBackend; }

  setCheckpointStorage(pathOrUrl: string): this { this.checkpointStorage = pathOrUrl; return this; }
  getCheckpointStorage(): string | undefined { return this.checkpointStorage; }

  setRestartStrategy(strategy: RestartStrategy): this { this.restartStrategy = strategy; return this; }
  getRestartStrategy(): RestartStrategy | undefined { return this.restartStrategy; }

  /** Which subtasks a failure restarts (default 'region', as in Flink). */
  setFailoverStrategy(strategy: FailoverStrategyName): this {
    if (strategy !== 'region' && strategy !== 'full') throw new RangeError(`failover strategy must be 'region' or 'full', got ${String(strategy)}`);
    this.failoverStrategy = strategy;
    return this;
  }
  getFailoverStrategy(): FailoverStrategyName { return this.failoverStrategy; }

  // ---- sources ----

  /** The given elements, in order (non-parallel, bounded). */
  fromElements<T>(...values: T[]): DataStream<T> {
    return this.addSource(new CollectionSource<T>(values), undefined, 'Collection Source');
  }

  /** The elements of `iterable`, in order (non-parallel, bounded). */
  fromCollection<T>(iterable: Iterable<T>): DataStream<T> {
    return this.addSource(new CollectionSource<T>(iterable), undefined, 'Collection Source');
  }

  /** The numbers from..to (inclusive), split among the source's subtasks. */
  fromSequence(from: number, to: number): DataStream<number> {
    return this.addSource(new NumberSequenceSource(from, to), undefined, 'Sequence Source');
  }

  /**
   * The text records a TCP server sends, split at `delimiter` (Flink's socketTextStream):
   * unbounded, non-parallel, and at-most-once on recovery (a socket cannot be replayed).
   */
  socketTextStream(hostname: string, port: number, delimiter = '\n', maxRetry = 0): DataStream<string> {
    return this.addSource(new SocketTextSource(hostname, port, { delimiter, maxRetry }), undefined, 'Socket Stream');
  }

  /** A FLIP-27 source with timestamps and watermarks from `watermarks` (per split). */
  fromSource<T>(source: Source<T, any, any>, watermarks: WatermarkStrategyLike<T> | undefined, name: string): DataStream<T> {
    return this.addSource(source, watermarks, name);
  }

  // ---- execution ----

  /** The JobGraph of the program built so far (validates it). */
  getJobGraph(jobName = 'Flink Streaming Job'): JobGraph {
    const ck = this.checkpointConfig;
    // Validated at submission: batch mode with an unbounded source fails here, naming it.
    const runtimeMode = resolveRuntimeMode(this.runtimeMode, this.streamGraph.nodes);
    // Batch jobs take no checkpoints (as in Flink, the checkpointing settings are ignored).
    const checkpointing = ck.isCheckpointingEnabled() && runtimeMode === 'streaming' ? { ...ck } : undefined;
    return buildJobGraph(this.streamGraph, {
      jobName,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      chainingEnabled: this.chainingEnabled,
      config: {
        bufferTimeoutMs: this.environmentConfig.bufferTimeoutMs,
        autoWatermarkIntervalMs: this.executionConfig.getAutoWatermarkInterval(),
        runtimeMode,
        batchMemoryBytes: this.executionConfig.getBatchMemoryBytes(),
        chainingEnabled: this.chainingEnabled,
        faultTolerance: {
          checkpointing,
          // Savepoints of a job without periodic checkpoints expire after the checkpoint timeout too.
          checkpointTimeoutMs: ck.timeoutMs,
          stateBackend: this.stateBackend,
          checkpointStorage: this.checkpointStorage,
          restartStrategy: this.restartStrategy,
          failoverStrategy: this.failoverStrategy,
        },
      },
    });
  }

  /** Submits the job and returns its client at once. */
  async executeAsync(nameOrOptions?: string | ExecuteOptions): Promise<JobClient> {
    const options: ExecuteOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions ?? {};
    const graph = this.getJobGraph(options.name);
    if (options.fromSavepoint) {
      (graph.config.faultTolerance as Record<string, unknown>).restore = { path: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState ?? false };
    }
    // As in Flink, a submitted program is forgotten: the environment can build the next one.
    this.streamGraph.clear();
    const name = this.environmentConfig.executor;
    if (graph.config.runtimeMode === 'batch') return findBatchExecutor(name).execute(graph, this.environmentConfig);
    return findExecutor(name).execute(graph, this.environmentConfig);
  }

  /** Runs the job to completion (bounded) or until it fails or is cancelled. */
  async execute(nameOrOptions?: string | ExecuteOptions): Promise<JobExecutionResult> {
    const client = await this.executeAsync(nameOrOptions);
    return client.getJobExecutionResult();
  }

  private addSource<T>(source: Source<T, any, any>, watermarks: WatermarkStrategyLike<T> | undefined, name: string): DataStream<T> {
    const interval = (): number => this.executionConfig.getAutoWatermarkInterval();
    const node = this.streamGraph.addNode({
      name,
      kind: 'source',
      source: source as Source<unknown, any, any>,
      operatorFactory: () => new SourceOperator<T>(source, watermarks, interval()),
      parallelismLimit: source.maxParallelism,
    });
    return new DataStream<T>(this, [{ node }]);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
