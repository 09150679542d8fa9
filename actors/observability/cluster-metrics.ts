// ClusterMetrics: a JobManager's MetricsSource, read from what it runs: each job's JobMaster (its
// subtasks' metrics — read from a StreamTask in this process, or as its TaskManager last reported
// for one in another — its restarts, checkpoint statistics and exception history), the
// ResourceManager's TaskManagers (their heartbeats' process metrics) and this process's own
// memory and actor system, and (asked over the cluster connection) the TaskManagers' actor trees.
// Nothing is sampled in the background: every read computes from the counters as they are. Prometheus text is rendered with prom-client (prometheus-text.ts).
// Imports actors/runtime and actors/cluster types, actors/rest types and this folder.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { ActorSystemSnapshot } from '../core/actor-snapshot.ts';
import type { ActorSystemsReport, MetricsSource, TaskManagerActors, VertexMetrics } from '../rest/cluster-service.ts';
import type { JobMaster } from '../runtime/job-master.ts';
import type { ResourceManager } from '../runtime/resource-manager.ts';
import { StreamTask } from '../runtime/stream-task.ts';
import { TaskManager, type TaskHandle } from '../runtime/task-manager.ts';
import type { JobExceptionsSnapshot } from './exception-history.ts';
import { processMetrics, type MetricValues } from './process-metrics.ts';
import { renderPrometheus, type PrometheusSeries } from './prometheus-text.ts';
import { OPERATOR_METRIC_NAMES, SUBTASK_METRIC_NAMES, subtaskMetricsOf, type OperatorMetrics, type SubtaskMetricsSnapshot } from './subtask-metrics.ts';

/** What the metrics are read from. */
export interface MetricsHost {
  /** The JobMaster of `jobId`, if this JobManager runs (or ran) it. */
  job(jobId: string): JobMaster | undefined;
  /** Every job's id and JobMaster. */
  jobs(): Iterable<readonly [string, JobMaster]>;
  readonly resourceManager: ResourceManager;
  /** The JobManager's actor system (its actor counts), if it has one. */
  readonly system?: ActorSystem;
}

/** The metrics of one subtask handle now: from the task itself here, else as last reported. */
export function subtaskMetricsOfHandle(handle: TaskHandle | undefined): SubtaskMetricsSnapshot | undefined {
  if (handle === undefined) return undefined;
  if (handle instanceof StreamTask) return subtaskMetricsOf(handle);
  return (handle as { metrics?: SubtaskMetricsSnapshot }).metrics;
}

/** Flink's per-job metrics of `job`. */
export function jobMetricsOf(job: JobMaster): MetricValues {
  const stats = job.checkpointing.stats();
  return {
    numRestarts: job.failover.numRestarts,
    numberOfCompletedCheckpoints: stats.completed,
    numberOfFailedCheckpoints: stats.failed,
    numberOfInProgressCheckpoints: stats.inProgress,
    lastCheckpointDuration: stats.latest?.durationMs ?? -1,
    lastCheckpointSize: stats.latest?.bytes ?? -1,
  };
}

/** A MetricsSource over a JobManager's jobs, TaskManagers and process. */
export class ClusterMetrics implements MetricsSource {
  constructor(private readonly host: MetricsHost) {}

  async jobMetrics(jobId: string): Promise<MetricValues | undefined> {
    const job = this.host.job(jobId);
    return job && jobMetricsOf(job);
  }

  async vertexMetrics(jobId: string, vertexId: string): Promise<VertexMetrics | undefined> {
    const job = this.host.job(jobId);
    const vertex = job?.graph.vertices.find((v) => String(v.id) === vertexId);
    return job && vertex && this.vertexOf(job, vertex);
  }

  async exceptions(jobId: string): Promise<JobExceptionsSnapshot | undefined> {
    return this.host.job(jobId)?.failover.exceptions.snapshot();
  }

  async jobManagerMetrics(): Promise<MetricValues> {
    const rm = this.host.resourceManager;
    let running = 0;
    for (const [, job] of this.host.jobs()) {
      const status = job.getStatus();
      if (status !== 'FINISHED' && status !== 'FAILED' && status !== 'CANCELED') running++;
    }
    return {
      numRegisteredTaskManagers: rm.registeredTaskManagers().length, numRunningJobs: running,
      taskSlotsAvailable: rm.freeSlots().length, taskSlotsTotal: rm.totalSlots(),
      ...processMetrics(this.host.system),
    };
  }

  async taskManagerMetrics(taskManagerId: string): Promise<MetricValues | undefined> {
    const rm = this.host.resourceManager;
    if (!rm.isRegistered(taskManagerId)) return undefined;
    const tm = rm.getTaskManager(taskManagerId);
    const slots = { 'Status.Slots.Total': tm.slots.length, 'Status.Slots.Free': tm.slots.filter((s) => s.allocatedTo === undefined).length };
    // A TaskManager in this process shares its memory; one elsewhere reports its own with heartbeats.
    if (tm instanceof TaskManager) return { ...processMetrics(), numRunningTasks: tm.runningTasks().filter((t) => t.state === 'running').length, ...slots };
    return { ...((tm as { metrics?: MetricValues }).metrics ?? {}), ...slots };
  }

  /**
   * The JobManager's actor tree and each TaskManager's: a TaskManager in this process shares the
   * JobManager's actor system (its actors are in that tree); one in another process is asked over
   * its cluster connection, all at once, each within `timeoutMs`; those that do not answer in
   * time are named in `unanswered` with the reason.
   */
  async actorSystems(options: { timeoutMs: number; maxActors?: number }): Promise<ActorSystemsReport> {
    const { timeoutMs, maxActors } = options;
    if (!(timeoutMs > 0)) throw new RangeError(`the timeout must be a positive number of ms, got ${timeoutMs}`);
    if (maxActors !== undefined && !(maxActors >= 0)) throw new RangeError(`maxActors must be a number >= 0, got ${maxActors}`);
    const limit = maxActors !== undefined ? { maxActors } : {};
    const jobManager = this.host.system?.snapshot(limit);
    const taskManagers = await Promise.all(this.host.resourceManager.registeredTaskManagers().map(async (tm): Promise<TaskManagerActors> => {
      if (tm instanceof TaskManager) return { id: tm.id, inJobManager: true };
      const ref = (tm as { ref?: ActorRef }).ref;
      const address = (tm as { address?: string }).address;
      const base = { id: tm.id, ...(address !== undefined ? { address } : {}) };
      if (ref === undefined) return { ...base, error: 'this TaskManager has no actor to ask' };
      try {
        return { ...base, snapshot: await ref.ask<ActorSystemSnapshot>({ type: 'taskexecutor.actor-tree', ...limit }, timeoutMs) };
      } catch (error) {
        return { ...base, error: (error as Error)?.message ?? String(error) };
      }
    }));
    const unanswered = taskManagers.filter((tm) => tm.error !== undefined).map((tm) => tm.id);
    return { ...(jobManager ? { jobManager } : {}), taskManagers, unanswered };
  }

  async prometheus(): Promise<string> {
    const series: PrometheusSeries[] = [];
    for (const [name, value] of Object.entries(await this.jobManagerMetrics())) series.push({ scope: 'jobmanager', name, value, labels: {} });
    for (const tm of this.host.resourceManager.registeredTaskManagers()) {
      for (const [name, value] of Object.entries((await this.taskManagerMetrics(tm.id)) ?? {})) series.push({ scope: 'taskmanager', name, value, labels: { tm_id: tm.id } });
    }
    for (const [jobId, job] of this.host.jobs()) {
      const jobLabels = { job_id: jobId, job_name: job.graph.jobName };
      for (const [name, value] of Object.entries(jobMetricsOf(job))) series.push({ scope: 'jobmanager_job', name, value, labels: jobLabels });
      for (const vertex of job.graph.vertices) {
        for (const { subtask, metrics, operators } of this.subtasksOf(job, vertex)) {
          if (metrics === undefined) continue;
          const labels = {
            ...jobLabels, task_id: String(vertex.id), task_name: vertex.name, subtask_index: String(subtask),
            task_attempt_num: String(job.subtaskAttemptNumber(vertex, subtask)), tm_id: job.taskManagerOf(vertex, subtask) ?? '',
          };
          for (const name of SUBTASK_METRIC_NAMES) if (metrics[name] !== undefined) series.push({ scope: 'taskmanager_job_task', name, value: metrics[name], labels });
          for (const op of operators ?? []) {
            const opLabels = { ...labels, operator_id: op.id, operator_name: op.name };
            for (const name of OPERATOR_METRIC_NAMES) series.push({ scope: 'taskmanager_job_task_operator', name, value: op[name], labels: opLabels });
          }
        }
      }
    }
    return renderPrometheus(series);
  }

  /** Each subtask's task metrics and its chained operators' counts. */
  private subtasksOf(job: JobMaster, vertex: JobVertex): Array<{ subtask: number; metrics: MetricValues | undefined; operators: readonly OperatorMetrics[] | undefined }> {
    const handles = job.taskHandles().get(vertex);
    return Array.from({ length: vertex.parallelism }, (_, i) => {
      const snapshot = subtaskMetricsOfHandle(handles?.[i]);
      return { subtask: i, metrics: snapshot && pick(snapshot), operators: snapshot?.operators };
    });
  }

  private vertexOf(job: JobMaster, vertex: JobVertex): VertexMetrics {
    return {
      id: String(vertex.id), name: vertex.name,
      subtasks: this.subtasksOf(job, vertex).map(({ subtask, metrics, operators }) => ({
        subtask, attempt: job.subtaskAttemptNumber(vertex, subtask),
        // Flink's operator-scoped ids in a vertex's metrics: `<operator name>.numRecordsIn`.
        metrics: metrics && { ...metrics, ...operatorValues(operators) },
      })),
    };
  }
}

function pick(snapshot: SubtaskMetricsSnapshot): MetricValues {
  const out: MetricValues = {};
  for (const name of SUBTASK_METRIC_NAMES) out[name] = snapshot[name];
  return out;
}

/** `<operator name>.<metric>` for each chained operator. */
function operatorValues(operators: readonly OperatorMetrics[] | undefined): MetricValues {
  const out: MetricValues = {};
  for (const op of operators ?? []) for (const name of OPERATOR_METRIC_NAMES) out[`${op.name}.${name}`] = op[name];
  return out;
}
