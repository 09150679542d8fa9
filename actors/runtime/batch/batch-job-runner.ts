// BatchJobRunner: runs a job in BATCH mode on this process (the embedded executor's batch side).
// The job graph splits into stages (planBatchStages); each stage runs as its own stage graph
// (buildStageJobGraph: keyed operators on sorted input, blocking partition sources and sinks)
// once the stages it reads have finished, its slices sharing the job's slots (StageExecution).
// Blocking partitions live in memory up to the batch memory budget and spill to a temp directory
// that goes away with the job; a stage's input partitions are released when it finishes. No
// checkpoints: a failure re-runs the failed slice from its stage's persisted inputs, as the
// restart strategy allows (sources are read again only by a slice of a first stage). An
// iteration's stage runs its body's stages once per superstep (iteration-runner.ts). The job's
// status is the usual JobStatus machine. Imports api/ and actors/.
import { createActor } from 'xstate';
import { DEFAULT_BATCH_MEMORY_BYTES, type EnvironmentConfig } from '../../../api/environment/environment-config.ts';
import type { PipelineExecutor } from '../../../api/environment/executor-registry.ts';
import { JobCancellationError, JobExecutionError, type JobClient, type JobExecutionResult, type JobStatus } from '../../../api/environment/job-client.ts';
import { buildStageJobGraph } from '../../../api/graph/batch-stage-graph.ts';
import { describeBatchPlan, isIterationVertex, planBatchStages, type BatchPlan } from '../../../api/graph/batch-stages.ts';
import type { JobGraph } from '../../../api/graph/job-graph.ts';
import { restartStrategyOf } from '../../failover/job-failover.ts';
import { createRestartBackoff, type RestartBackoff } from '../../failover/restart-backoff.ts';
import { errorFields, logger } from '../../observability/logger.ts';
import { newJobId } from '../dispatcher.ts';
import { jobStatusMachine, type JobStatusEvent } from '../job-status.machine.ts';
import type { StreamTask } from '../stream-task.ts';
import { TaskScheduler } from '../task-scheduler.ts';
import { BlockingPartitionSink, BlockingPartitionSource, BlockingPartitionStore } from './blocking-partitions.ts';
import { FileSpillStorage, SpillDirectory } from './spill-files.ts';
import { runIteration } from './iteration-runner.ts';
import { StageExecution, StageFailure } from './stage-execution.ts';

/** What a finished (or failed) batch run measured (tests, logs). */
export interface BatchRunStats {
  /** Stage graphs' vertex names, per stage. */
  readonly stages: string[][];
  /** Slots the job ran in. */
  slots: number;
  /** Most slices that ran at the same time. */
  peakRunningSlices: number;
  /** Slice attempts that failed and ran again. */
  sliceRestarts: number;
  /** Records written to blocking partitions, and their chunks that spilled. */
  partitionRecords: number;
  partitionChunksSpilled: number;
  /** Spill files and bytes written (sort runs and partitions). */
  spillFiles: number;
  spillBytes: number;
  /** Supersteps run by the job's iterations. */
  supersteps: number;
}

/** Runs one batch job. */
export class BatchJobRunner {
  readonly jobId = newJobId();
  readonly plan: BatchPlan;
  readonly stats: BatchRunStats;
  private readonly status = createActor(jobStatusMachine).start();
  private readonly directory = new SpillDirectory();
  private readonly store: BlockingPartitionStore;
  private readonly startedAt = performance.now();
  private readonly accumulators: Record<string, unknown> = {};
  private current: StageExecution | undefined;
  private backoff!: RestartBackoff;
  private slotSchedulers: readonly TaskScheduler[] = [];
  private readonly bodyPlans = new WeakMap<JobGraph, BatchPlan>();
  private cancelled = false;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: unknown) => void };
  /** Resolves when the job finishes; rejects when it fails or is cancelled. */
  readonly result: Promise<JobExecutionResult>;
  private readonly log;

  constructor(readonly graph: JobGraph, private readonly config: EnvironmentConfig) {
    this.plan = planBatchStages(graph);
    const memory = graph.config.batchMemoryBytes ?? DEFAULT_BATCH_MEMORY_BYTES;
    this.store = new BlockingPartitionStore(memory, this.directory);
    this.stats = { stages: [], slots: 0, peakRunningSlices: 0, sliceRestarts: 0, partitionRecords: 0, partitionChunksSpilled: 0, spillFiles: 0, spillBytes: 0, supersteps: 0 };
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => {});
    this.log = logger('batch-job', { jobId: this.jobId, jobName: graph.jobName });
  }

  /** The job's status. */
  getStatus(): JobStatus { return this.status.getSnapshot().value as JobStatus; }

  /** Runs the stages one after another; settles `result`. */
  async run(): Promise<void> {
    this.transition({ type: 'job.start' });
    const { graph, config } = this;
    const maxParallelism = Math.max(...graph.vertices.map((v) => v.parallelism));
    const perTaskManager = config.slotsPerTaskManager ?? Math.max(1, Math.ceil(maxParallelism / config.taskManagers));
    const schedulers = Array.from({ length: config.taskManagers }, () => new TaskScheduler());
    const slotSchedulers = Array.from({ length: config.taskManagers * perTaskManager }, (_, k) => schedulers[Math.floor(k / perTaskManager)]);
    this.stats.slots = slotSchedulers.length;
    this.backoff = createRestartBackoff(restartStrategyOf(graph));
    this.slotSchedulers = slotSchedulers;
    this.log.info('batch job planned', { slots: slotSchedulers.length, plan: describeBatchPlan(this.plan) });
    try {
      await this.runStages(graph, this.plan, true);
      if (this.cancelled) return;
      this.updateStats();
      this.transition({ type: 'job.finish' });
      this.settle.resolve({ jobId: this.jobId, jobName: graph.jobName, netRuntimeMs: Math.round(performance.now() - this.startedAt), accumulators: this.accumulators });
    } catch (error) {
      this.updateStats();
      if (this.cancelled) return;
      const cause = error instanceof StageFailure ? error.cause : error;
      const failure = new JobExecutionError(this.jobId, `job "${graph.jobName}" (${this.jobId}) failed: ${(error as Error)?.message ?? String(error)}`, { cause });
      this.log.error('job failed', errorFields(failure));
      this.transition({ type: 'job.fail' });
      this.transition({ type: 'job.failed' });
      this.settle.reject(failure);
    } finally {
      this.directory.dispose();
    }
  }

  /** Runs `plan`'s stages of `graph` one after another (the job's, or an iteration body's superstep). */
  private async runStages(graph: JobGraph, plan: BatchPlan, recordStages: boolean): Promise<void> {
    const memory = graph.config.batchMemoryBytes ?? DEFAULT_BATCH_MEMORY_BYTES;
    const spill = new FileSpillStorage(this.directory);
    const { config } = this;
    for (const stage of plan.stages) {
      if (this.cancelled) return;
      if (isIterationVertex(stage.vertices[0])) {
        if (recordStages) this.stats.stages.push(stage.vertices.map((v) => v.name));
        this.log.info('iteration started', { stage: stage.index, iteration: stage.vertices[0].name, parallelism: stage.parallelism });
        const supersteps = await runIteration(graph, stage, {
          store: this.store,
          runGraph: (body) => this.runStages(body, this.bodyPlans.get(body) ?? this.planBody(body), false),
          cancelled: () => this.cancelled,
          onSuperstep: (iteration, superstep, records) => {
            this.stats.supersteps++;
            this.log.debug('superstep finished', { iteration, superstep, records });
          },
        });
        this.store.release(stage.inputs);
        this.log.info('iteration finished', { stage: stage.index, supersteps });
        continue;
      }
      const { graph: stageGraph } = buildStageJobGraph(graph, stage, {
        partitionSource: (edges) => new BlockingPartitionSource(this.store, edges),
        partitionSink: (edge, combine) => () => new BlockingPartitionSink(this.store, edge, combine),
        sortedInput: { memoryBytes: memory, spill },
      });
      if (recordStages) this.stats.stages.push(stageGraph.vertices.map((v) => v.name));
      if (this.cancelled) return;
      const execution = new StageExecution(stageGraph, {
        jobId: this.jobId, clock: config.clock, batchSize: config.batchSize, channelCredits: config.channelCredits,
        slotSchedulers: this.slotSchedulers, backoff: this.backoff,
        onRestart: (what, error) => {
          this.stats.sliceRestarts++;
          this.log.warn(`${what} failed; its slice runs again from the stage's inputs`, { stage: stage.index, ...errorFields(error) });
        },
        onFinished: (task) => this.collectAccumulators(task),
        onRunning: (n) => { if (n > this.stats.peakRunningSlices) this.stats.peakRunningSlices = n; },
      });
      this.current = execution;
      this.log.info('stage started', { stage: stage.index, parallelism: stage.parallelism });
      await execution.start();
      this.store.release(stage.inputs);
      this.log.info('stage finished', { stage: stage.index });
    }
  }

  /** Plans an iteration body once (it runs once per superstep). */
  private planBody(body: JobGraph): BatchPlan {
    const plan = planBatchStages(body);
    this.bodyPlans.set(body, plan);
    return plan;
  }

  /** Cancels the job; resolves when its subtasks have stopped. */
  async cancel(): Promise<void> {
    const status = this.getStatus();
    if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED') return;
    this.cancelled = true;
    this.transition({ type: 'job.cancel' });
    await this.current?.cancel();
    this.transition({ type: 'job.canceled' });
    this.directory.dispose();
    this.settle.reject(new JobCancellationError(this.jobId));
  }

  /** The client env.executeAsync returns. */
  client(): JobClient {
    const noSavepoints = (): Promise<string> => Promise.reject(new Error(`job ${this.jobId} runs in batch mode: batch jobs take no savepoints`));
    return {
      jobId: this.jobId,
      getJobStatus: async () => this.getStatus(),
      cancel: () => this.cancel(),
      triggerSavepoint: noSavepoints,
      stopWithSavepoint: noSavepoints,
      getJobExecutionResult: () => this.result,
    };
  }

  private collectAccumulators(task: StreamTask): void {
    for (const [k, v] of task.accumulators()) {
      const prev = this.accumulators[k];
      this.accumulators[k] = typeof prev === 'number' && typeof v === 'number' ? prev + v : v;
    }
  }

  private updateStats(): void {
    this.stats.partitionRecords = this.store.recordsWritten;
    this.stats.partitionChunksSpilled = this.store.chunksSpilled;
    this.stats.spillFiles = this.directory.filesCreated;
    this.stats.spillBytes = this.directory.bytesWritten;
  }

  private transition(event: JobStatusEvent): void { this.status.send(event); }
}

/** Runs BATCH-mode jobs embedded (registered as the 'embedded' runtime's batch executor). */
export class EmbeddedBatchExecutor implements PipelineExecutor {
  /** The runner of the most recently submitted job (tests read its plan and stats). */
  lastRun: BatchJobRunner | undefined;

  async execute(jobGraph: JobGraph, config: EnvironmentConfig): Promise<JobClient> {
    const runner = new BatchJobRunner(jobGraph, config);
    this.lastRun = runner;
    void runner.run();
    return runner.client();
  }
}

/** The batch executor of the embedded runtime. */
export const embeddedBatchExecutor = new EmbeddedBatchExecutor();
