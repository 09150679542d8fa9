// ClusterBatchDeployer: how the JobMaster of a BATCH-mode job on a cluster gets it running. The
// JobMaster sees the job as clusterJobGraph wraps it (one vertex, one subtask: its status, result
// and accumulators, its cancellation and whole-job restarts work as for any job); this deployer
// turns that subtask into a BatchJobHandle in the JobManager whose work is a
// ClusterBatchScheduler spreading the job's own stages over the TaskManagers. It takes its slots
// itself (SlotSchedulingDeployer: the JobMaster requests none) and keeps them across a restart of
// the whole job; the JobMaster releases them, and with them the job's partitions on every
// TaskManager, when the job ends. Imports api/, actors/runtime, actors/failover and actors/cluster.
import type { JobGraph, JobVertex } from '../../api/graph/job-graph.ts';
import { isIterationVertex, planBatchStages, type BatchPlan } from '../../api/graph/batch-stages.ts';
import { batchJobOf } from '../runtime/batch/cluster-batch-job.ts';
import { restartStrategyOf } from '../failover/job-failover.ts';
import { createRestartBackoff } from '../failover/restart-backoff.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { SlotSchedulingDeployer } from '../runtime/job-master.ts';
import type { DeployContext } from '../runtime/subtask-deployer.ts';
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import type { Slot, TaskHandle } from '../runtime/task-manager.ts';
import type { RelayedPartitionRequest, SliceReport } from './batch-messages.protocol.ts';
import { ClusterBatchScheduler } from './cluster-batch-scheduler.ts';
import type { RemoteJobInfo } from './remote-deployer.ts';

/** Slice attempt numbers of a run restarted as job attempt n start at n times this. */
const ATTEMPTS_PER_RUN = 1_000_000;

/** The JobMaster's one subtask of a cluster batch job: the run of its stages. */
class BatchJobHandle implements TaskHandle {
  readonly name: string;
  readonly subtaskIndex = 0;
  state: SubtaskState = 'running';
  private readonly values = new Map<string, unknown>();
  scheduler: ClusterBatchScheduler | undefined;

  constructor(readonly vertex: JobVertex, private readonly onState: (handle: BatchJobHandle, state: SubtaskState, error?: unknown) => void) {
    this.name = `${vertex.name} (1/1)`;
  }

  finished(accumulators: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(accumulators)) this.values.set(k, v);
    this.settle('finished');
  }

  failed(error: Error): void { this.settle('failed', error); }

  async cancel(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'canceled';
    await this.scheduler?.cancel();
  }

  addSplits(): void {}
  notifyNoMoreSplits(): void {}
  accumulators(): Map<string, unknown> { return this.values; }

  private settle(state: SubtaskState, error?: unknown): void {
    if (this.state !== 'running') return;
    this.state = state;
    this.onState(this, state, error);
  }
}

/** The SubtaskDeployer of a batch job whose stages spread over a cluster's TaskManagers. */
export class ClusterBatchDeployer implements SlotSchedulingDeployer {
  readonly schedulesSlots = true as const;
  /** The slots the job holds (kept across runs; released by the JobMaster when the job ends). */
  private readonly slots: Slot[] = [];
  private handle: BatchJobHandle | undefined;

  constructor(
    private readonly context: DeployContext,
    private readonly info: RemoteJobInfo,
    private readonly graph: JobGraph,
    private readonly plan: BatchPlan,
    private readonly resolve: (path: string) => ActorRef,
  ) {}

  /** The scheduler of the current run (tests read its stats). */
  get scheduler(): ClusterBatchScheduler | undefined { return this.handle?.scheduler; }

  deployAttempt(attemptNumber: number): Map<JobVertex, TaskHandle[]> {
    this.handle?.scheduler?.close();
    const { jobId, options, listener } = this.context;
    const vertex = this.context.graph.vertices[0];
    const handle = new BatchJobHandle(vertex, (h, state, error) => listener.onStateChange(h, state, error));
    // Slots lost with their TaskManager are not the job's any more.
    for (let i = this.slots.length - 1; i >= 0; i--) if (!this.info.resourceManager.holdsSlot(this.slots[i])) this.slots.splice(i, 1);
    handle.scheduler = new ClusterBatchScheduler({
      jobId, graph: this.graph, plan: this.plan, clock: options.clock, resourceManager: this.info.resourceManager, slots: this.slots,
      backoff: createRestartBackoff(restartStrategyOf(this.graph)), firstAttempt: attemptNumber * ATTEMPTS_PER_RUN,
      blobKey: this.info.blobKey, submitOptions: this.info.submitOptions, jobMasterPath: this.info.jobMasterPath,
      credits: options.channelCredits, batchSize: options.batchSize, resolve: this.resolve,
      onFinished: (accumulators) => handle.finished(accumulators),
      onFailed: (error) => handle.failed(error),
    });
    this.handle = handle;
    return new Map([[vertex, [handle]]]);
  }

  deployRegion(): TaskHandle[] {
    throw new Error('a cluster batch job restarts its slices itself, not pipelined regions');
  }

  start(): void { this.handle?.scheduler?.start(); }

  onTaskManagerLost(taskManagerId: string): void { this.handle?.scheduler?.onTaskManagerLost(taskManagerId); }

  onReport(report: { readonly type: string }): void { this.handle?.scheduler?.onReport(report as SliceReport | RelayedPartitionRequest); }

  close(): void { this.handle?.scheduler?.close(); }
}

/**
 * The deployer of `context`'s job when it is a batch job whose stages spread over the cluster;
 * undefined for a streaming job, and for a batch job with a bulk or delta iteration, which runs
 * whole in one slot of one TaskManager (cluster-batch-job.ts).
 */
export function clusterBatchDeployerFor(context: DeployContext, info: RemoteJobInfo, resolve: (path: string) => ActorRef): ClusterBatchDeployer | undefined {
  const graph = batchJobOf(context.graph);
  if (graph === undefined) return undefined;
  const plan = planBatchStages(graph);
  if (plan.stages.some((s) => isIterationVertex(s.vertices[0]))) return undefined;
  return new ClusterBatchDeployer(context, info, graph, plan, resolve);
}
