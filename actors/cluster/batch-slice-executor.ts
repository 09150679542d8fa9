// BatchSliceExecutor: a TaskManager's side of batch stages spread over a cluster. The JobManager's
// batch scheduler deploys slices here (subtask `slice` of every vertex of one stage, joined by
// local channels, as the embedded StageExecution runs them); each slice builds its stage's job
// graph from the job's own graph (its bundle, loaded once per job as every process of the cluster
// loads it, then unwrapped: batchJobOf), writes its blocking outputs into this TaskManager's
// BlockingPartitionStore (memory up to the job's batch memory, then spill files in a temp
// directory of this TaskManager), and reads its blocking inputs from the store when they were
// produced here or fetches them from the TaskManager that holds them (RemotePartitionFetcher).
// Source readers of a first stage take their splits from the JobManager's enumerators (reports
// and commands of batch-messages.protocol.ts); a partition source reads the one split of its
// consumer. A slice reports finished (with its accumulators and partition figures), failed (with
// the error's message chain) or canceled once all its subtasks are done. The job's partitions,
// spill files and fetch channels go when the job is released here (it ended, or its JobManager
// went away). Imports api/, actors/runtime, actors/network and actors/cluster.
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { buildStageJobGraph } from '../../api/graph/batch-stage-graph.ts';
import { planBatchStages, type BatchPlan } from '../../api/graph/batch-stages.ts';
import { DEFAULT_BATCH_MEMORY_BYTES } from '../../api/environment/environment-config.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { Clock } from '../../api/time/clock.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import { buildJobGraph } from '../deploy/job-loader.ts';
import { DataPlane } from '../network/data/data-plane.ts';
import { BlockingPartitionSink, BlockingPartitionStore } from '../runtime/batch/blocking-partitions.ts';
import { batchJobOf } from '../runtime/batch/cluster-batch-job.ts';
import { ClusterPartitionSource, consumerSplit } from '../runtime/batch/partition-fetch.ts';
import { FileSpillStorage, SpillDirectory } from '../runtime/batch/spill-files.ts';
import { createSliceTasks } from '../runtime/batch/stage-execution.ts';
import type { StreamTask } from '../runtime/stream-task.ts';
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import type { TaskScheduler } from '../runtime/task-scheduler.ts';
import { fetchChannelPrefix, type RelayedPartitionRequest, type SliceDescriptor, type SliceId, type SliceReport } from './batch-messages.protocol.ts';
import type { BundleFetcher } from './task-executor-job.ts';
import { shippedBundles, type JobModuleSource } from './process-environment.ts';
import { PartitionService, RemotePartitionFetcher } from './partition-service.ts';
import { errorChain } from './task-executor.ts';

/** What the executor needs of its TaskManager. */
export interface BatchSliceHost {
  readonly system: ActorSystem;
  readonly clock: Clock;
  readonly scheduler: TaskScheduler;
  readonly fetchBundle: BundleFetcher;
  readonly jobs?: JobModuleSource;
}

/** One batch job's resources on this TaskManager. */
interface SliceJob {
  readonly graph: Promise<{ graph: JobGraph; plan: BatchPlan }>;
  readonly directory: SpillDirectory;
  store: BlockingPartitionStore | undefined;
}

interface RunningSlice {
  readonly id: SliceId;
  readonly jobMaster: ActorRef<SliceReport | RelayedPartitionRequest>;
  tasks: StreamTask[];
  readonly states: Map<StreamTask, SubtaskState>;
  error: unknown;
  cancelRequested: boolean;
  fetcher?: RemotePartitionFetcher;
}

function keyOf(id: SliceId): string { return `${id.jobId}/${id.stage}/${id.slice}/${id.attempt}`; }

const TERMINAL: ReadonlySet<SubtaskState> = new Set(['finished', 'failed', 'canceled']);

/** Runs the batch slices deployed on one TaskManager and keeps their partitions. */
export class BatchSliceExecutor {
  private readonly jobs = new Map<string, SliceJob>();
  private readonly slices = new Map<string, RunningSlice>();
  /** Serves this TaskManager's partitions to the others (its actor is spawned by the TaskManager). */
  readonly partitions: PartitionService;

  constructor(private readonly host: BatchSliceHost) {
    this.partitions = new PartitionService(host.system, (jobId) => this.store(jobId));
  }

  /** The blocking partitions job `jobId` keeps here (the partition service reads them). */
  store(jobId: string): BlockingPartitionStore | undefined { return this.jobs.get(jobId)?.store; }

  /** Slices deployed here and not yet done. */
  get runningSlices(): number { return this.slices.size; }

  /** Builds and starts one slice attempt; it reports to its JobMaster. */
  deploy(d: SliceDescriptor): void {
    const id: SliceId = { jobId: d.jobId, stage: d.stage, slice: d.slice, attempt: d.attempt };
    const jobMaster = this.host.system.resolve(d.jobMaster) as ActorRef<SliceReport | RelayedPartitionRequest>;
    const slice: RunningSlice = { id, jobMaster, tasks: [], states: new Map(), error: undefined, cancelRequested: false };
    this.slices.set(keyOf(id), slice);
    void this.build(d, slice).then(() => {
      if (slice.cancelRequested) { this.report(slice, 'canceled'); return; }
      for (const t of slice.tasks) void t.start();
    }, (error: unknown) => {
      slice.error = error;
      this.report(slice, 'failed');
    });
  }

  /** Cancels a slice attempt (it reports canceled, or finished/failed if it ended first). */
  cancel(id: SliceId): void {
    const slice = this.slices.get(keyOf(id));
    if (slice === undefined) return;
    slice.cancelRequested = true;
    for (const t of slice.tasks) void t.cancel();
  }

  /** The JobManager's enumerator assigned splits to a source subtask of a slice. */
  addSplits(id: SliceId, vertex: number, splits: SourceSplit[]): void { this.slices.get(keyOf(id))?.tasks[vertex]?.addSplits(splits); }

  notifyNoMoreSplits(id: SliceId, vertex: number): void { this.slices.get(keyOf(id))?.tasks[vertex]?.notifyNoMoreSplits(); }

  /** Forgets job `jobId` here: its slices are cancelled, its partitions, spill files and fetch channels go. */
  async releaseJob(jobId: string): Promise<void> {
    const stopped: Promise<void>[] = [];
    for (const [key, slice] of this.slices) {
      if (slice.id.jobId !== jobId) continue;
      slice.cancelRequested = true;
      stopped.push(...slice.tasks.map((t) => t.cancel()));
      this.slices.delete(key);
    }
    await Promise.all(stopped);
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    DataPlane.of(this.host.system).closeChannels(fetchChannelPrefix(jobId));
    job?.store?.releaseAll();
    job?.directory.dispose();
  }

  /** Releases every job (the TaskManager stops or lost its JobManager). */
  async releaseAll(): Promise<void> {
    const ids = new Set([...this.jobs.keys(), ...[...this.slices.values()].map((s) => s.id.jobId)]);
    await Promise.all([...ids].map((jobId) => this.releaseJob(jobId)));
  }

  // ---- internals ----

  private job(d: SliceDescriptor): SliceJob {
    let job = this.jobs.get(d.jobId);
    if (job !== undefined) return job;
    const { fetchBundle, jobs = shippedBundles } = this.host;
    const directory = new SpillDirectory();
    const created: { -readonly [K in keyof SliceJob]: SliceJob[K] } = { directory, store: undefined, graph: undefined as never };
    created.graph = (async () => {
      const bundle = await fetchBundle(d.blobKey);
      const wrapper = await buildJobGraph(await jobs.load(bundle, d.blobKey), d.submitOptions);
      const graph = batchJobOf(wrapper);
      if (graph === undefined) throw new Error(`job ${d.jobId} is not a batch job on this TaskManager (its bundle built a streaming graph)`);
      created.store = new BlockingPartitionStore(graph.config.batchMemoryBytes ?? DEFAULT_BATCH_MEMORY_BYTES, directory);
        return { graph, plan: planBatchStages(graph) };
    })();
    created.graph.catch(() => {});
    job = created;
    this.jobs.set(d.jobId, job);
    return job;
  }

  private async build(d: SliceDescriptor, slice: RunningSlice): Promise<void> {
    const job = this.job(d);
    const { graph, plan } = await job.graph;
    if (this.slices.get(keyOf(slice.id)) !== slice) throw new Error(`slice ${keyOf(slice.id)} was released while it was being deployed`);
    const stage = plan.stages[d.stage];
    if (stage === undefined) throw new Error(`job ${d.jobId} has no stage ${d.stage} (the bundle built a different graph)`);
    const store = job.store!;
    const { system, clock, scheduler } = this.host;
    const prefix = `${fetchChannelPrefix(d.jobId)}${d.stage}.${d.slice}.${d.attempt}/`;
    const fetcher = new RemotePartitionFetcher(system, this.partitions, d.jobId, prefix, d.credits, slice.jobMaster);
    slice.fetcher = fetcher;
    const inputs = { store, ownAddress: system.address!, locations: d.inputs, fetcher };
    const memoryBytes = graph.config.batchMemoryBytes ?? DEFAULT_BATCH_MEMORY_BYTES;
    const { graph: stageGraph } = buildStageJobGraph(graph, stage, {
      partitionSource: (edges) => new ClusterPartitionSource(inputs, edges),
      partitionSink: (edge, combine) => () => new BlockingPartitionSink(store, edge, combine),
      sortedInput: { memoryBytes, spill: new FileSpillStorage(job.directory) },
    });
    slice.tasks = createSliceTasks(stageGraph, d.slice, d.attempt, {
      jobId: d.jobId, clock, batchSize: d.batchSize, channelCredits: d.credits, scheduler,
      listener: {
        onStateChange: (task, state, error) => this.onTaskState(slice, task, state, error),
        onReaderRegistered: (task) => {
          const vertex = slice.tasks.indexOf(task);
          if (task.vertex.head.source instanceof ClusterPartitionSource) {
            task.addSplits([consumerSplit(d.slice)]);
            task.notifyNoMoreSplits();
          } else {
            slice.jobMaster.tell({ type: 'jobmaster.slice-reader-registered', id: slice.id, vertex });
          }
        },
        onSplitRequest: (task) => {
          if (task.vertex.head.source instanceof ClusterPartitionSource) return;
          slice.jobMaster.tell({ type: 'jobmaster.slice-split-request', id: slice.id, vertex: slice.tasks.indexOf(task) });
        },
      },
    });
  }

  private onTaskState(slice: RunningSlice, task: StreamTask, state: SubtaskState, error: unknown): void {
    if (!TERMINAL.has(state) || slice.states.has(task)) return;
    slice.states.set(task, state);
    if (state === 'failed' && slice.error === undefined) {
      slice.error = error ?? new Error(`subtask ${task.name} failed`);
      // The slice fails as a whole: its other subtasks stop (their partition output is discarded).
      for (const t of slice.tasks) if (t !== task) void t.cancel();
    }
    if (slice.states.size < slice.tasks.length) return;
    const states = [...slice.states.values()];
    this.report(slice, states.every((s) => s === 'finished') ? 'finished' : slice.error !== undefined ? 'failed' : 'canceled');
  }

  private report(slice: RunningSlice, state: 'finished' | 'failed' | 'canceled'): void {
    if (this.slices.get(keyOf(slice.id)) === slice) this.slices.delete(keyOf(slice.id));
    const taskManagerId = this.host.system.name;
    if (state === 'finished') {
      const accumulators: Record<string, unknown> = {};
      for (const t of slice.tasks) {
        for (const [k, v] of t.accumulators()) {
          const prev = accumulators[k];
          accumulators[k] = typeof prev === 'number' && typeof v === 'number' ? prev + v : v;
        }
      }
      const store = this.jobs.get(slice.id.jobId)?.store;
      slice.jobMaster.tell({
        type: 'jobmaster.slice-state', id: slice.id, taskManagerId, state, accumulators,
        partitions: {
          recordsWritten: store?.recordsWritten ?? 0, chunksSpilledOnTaskManager: store?.chunksSpilled ?? 0,
          remoteChunks: slice.fetcher?.chunks ?? 0, remoteRecords: slice.fetcher?.records ?? 0,
        },
      });
      return;
    }
    slice.jobMaster.tell({
      type: 'jobmaster.slice-state', id: slice.id, taskManagerId, state,
      ...(state === 'failed' ? { error: `slice ${slice.id.slice} of stage ${slice.id.stage} failed on TaskManager ${taskManagerId}: ${errorChain(slice.error)}` } : {}),
    });
  }
}
