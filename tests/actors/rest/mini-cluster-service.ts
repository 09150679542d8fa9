// A ClusterService over an embedded MiniCluster, for the REST tests: real jobs, real JobMasters.
// The "bundle" of a submission is the UTF-8 name of one of the test jobs below (shipping real
// bundles is the job loader's business, tested beside it).
import { JobCancellationError, type JobClient, type JobStatus } from '../../../api/environment/job-client.ts';
import { DataGeneratorSource, OutputTag, ProcessFunction, RestartStrategies, StreamExecutionEnvironment, systemClock, type Collector } from '../../../api/index.ts';
import {
  BadRequestError, UnknownJobError, type CheckpointStats, type ClusterOverview, type ClusterService, type JobDetail,
  type JobOverview, type JobResultInfo, type JobSubmitOptions, type TaskManagerInfo,
} from '../../../actors/rest/cluster-service.ts';
import { messageChain } from '../../../actors/rest/rest-server.ts';
import type { JobMaster } from '../../../actors/runtime/job-master.ts';
import { MiniCluster } from '../../../actors/runtime/mini-cluster.ts';
import { ClusterMetrics } from '../../../actors/observability/cluster-metrics.ts';
import { checkpointStatsOf } from '../../../actors/cluster/job-manager-service.ts';

/** Values the 'finite' job's sink received. */
export const finiteOutput: number[] = [];

/** Records the 'keyed' job reads: all of them cross its keyBy exchange. */
export const KEYED_RECORDS = 1000;

/** Records in and out of each operator of the 'chained' job, in chain order (2..301 after plus: 200 not divisible by 3). */
export const CHAINED_COUNTS: ReadonlyArray<readonly [string, number, number]> = [
  ['seq', 0, 300], ['plus', 300, 300], ['thirds', 300, 200], ['twice', 200, 400], ['drop', 400, 0],
];

/** Records in and out of the 'fanout' job's operators: 'split' emitted 50 evens (to two consumers) and 50 odds. */
export const FANOUT_COUNTS: ReadonlyArray<readonly [string, number, number]> = [
  ['split', 100, 100], ['fours', 50, 25], ['negate', 50, 50], ['sink-a', 25, 0], ['sink-b', 50, 0], ['sink-odd', 50, 0],
];

/** Whether the 'flaky' job failed already (it fails once, then restarts and finishes). */
let flakyFailed = false;

/** The jobs a test may submit, by name. */
const JOBS: Record<string, (env: StreamExecutionEnvironment) => void> = {
  /** Squares of 1..200, finishes. */
  finite: (env) => { env.fromSequence(1, 200).map((x) => x * x).name('square').addSink((x) => { finiteOutput.push(x); }); },
  /** Runs until cancelled (paced, so that the HTTP server shares the thread fairly). */
  endless: (env) => { env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 2000 }), undefined, 'endless').map((x) => x + 1).disableChaining().name('plus-one').addSink(() => {}); },
  /** 1..KEYED_RECORDS at parallelism 2, keyed by x % 4: every record crosses the exchange once. */
  keyed: (env) => {
    env.setParallelism(2);
    env.fromSequence(1, KEYED_RECORDS).name('numbers').keyBy((x) => x % 4).map((x) => x * 2).name('double').addSink(() => {}).name('discard');
  },
  /** The endless job, checkpointed every 50 ms. */
  checkpointed: (env) => {
    env.enableCheckpointing(50);
    env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 2000 }), undefined, 'endless').map((x) => x + 1).disableChaining().name('plus-one').addSink(() => {});
  },
  /** Fails once in user code at the 50th record, restarts and finishes. */
  flaky: (env) => {
    env.setRestartStrategy(RestartStrategies.fixedDelay(2, 10));
    env.fromSequence(1, 100).map((x) => { if (x === 50 && !flakyFailed) { flakyFailed = true; throw new Error('injected failure at 50'); } return x; }).name('flaky').addSink(() => {});
  },
  /** 1..300 through one chain: a map, a filter keeping two thirds, a flatMap doubling, a sink (CHAINED_COUNTS). */
  chained: (env) => {
    env.fromSequence(1, 300).name('seq').map((x) => x + 1).name('plus').filter((x) => x % 3 !== 0).name('thirds')
      .flatMap((x, out) => { out.collect(x); out.collect(-x); }).name('twice').addSink(() => {}).name('drop');
  },
  /**
   * 1..100 fanned out inside one chain: 'split' sends evens to its main output, read by two
   * consumers, and odds to a side output (FANOUT_COUNTS).
   */
  fanout: (env) => {
    const odd = new OutputTag<number>('odd');
    class Split extends ProcessFunction<number, number> {
      processElement(v: number, ctx: { output<X>(t: OutputTag<X>, v: X): void }, out: Collector<number>): void {
        if (v % 2 === 0) out.collect(v); else ctx.output(odd, v);
      }
    }
    const split = env.fromSequence(1, 100).name('seq').process(new Split()).name('split');
    split.filter((x) => x % 4 === 0).name('fours').addSink(() => {}).name('sink-a');
    split.map((x) => -x).name('negate').addSink(() => {}).name('sink-b');
    split.getSideOutput(odd).addSink(() => {}).name('sink-odd');
  },
  /** Fails in user code at the 50th record. */
  failing: (env) => {
    env.fromSequence(1, 100).map((x) => { if (x === 50) throw new Error('boom at 50'); return x; }).name('explode').addSink(() => {});
  },
};

interface Job { readonly client: JobClient; readonly jobMaster: JobMaster; readonly name: string; readonly start: number; end: number }

/** ClusterService of a MiniCluster with 2 TaskManagers of 4 slots. */
export class MiniClusterService implements ClusterService {
  readonly cluster = new MiniCluster({ taskManagers: 2, slotsPerTaskManager: 4, clock: systemClock, slotRequestTimeoutMs: 5000, batchSize: 64, channelCredits: 4 });
  private readonly jobs = new Map<string, Job>();
  /** The metrics of its jobs and TaskManagers, as a JobManager process keeps them. */
  readonly metrics = new ClusterMetrics({
    job: (jobId) => this.jobs.get(jobId)?.jobMaster,
    jobs: () => [...this.jobs].map(([jobId, j]) => [jobId, j.jobMaster] as const),
    resourceManager: this.cluster.resourceManager,
    system: this.cluster.system,
  });

  async overview(): Promise<ClusterOverview> {
    const count = (...states: JobStatus[]): number => [...this.jobs.values()].filter((j) => states.includes(j.jobMaster.getStatus())).length;
    const slots = this.cluster.taskManagers.flatMap((tm) => tm.slots);
    return {
      taskmanagers: this.cluster.taskManagers.length, 'slots-total': slots.length,
      'slots-available': slots.filter((s) => s.allocatedTo === undefined).length,
      'jobs-running': count('CREATED', 'RUNNING', 'RESTARTING', 'FAILING', 'CANCELLING'), 'jobs-finished': count('FINISHED'),
      'jobs-cancelled': count('CANCELED'), 'jobs-failed': count('FAILED'),
    };
  }

  async listJobs(): Promise<JobOverview[]> {
    return [...this.jobs].map(([jid, j]) => ({
      jid, name: j.name, state: j.jobMaster.getStatus(), 'start-time': j.start, 'end-time': j.end,
      duration: (j.end >= 0 ? j.end : Date.now()) - j.start,
    }));
  }

  async jobDetail(jobId: string): Promise<JobDetail | undefined> {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    const subtasks = job.jobMaster.subtasks();
    return {
      jid: jobId, name: job.name, state: job.jobMaster.getStatus(), 'start-time': job.start,
      duration: (job.end >= 0 ? job.end : Date.now()) - job.start,
      vertices: [...subtasks].map(([vertex, tasks]) => ({
        id: String(vertex.id), name: vertex.name, parallelism: vertex.parallelism,
        subtasks: tasks.map((t) => ({
          subtask: t.subtaskIndex, status: t.state.toUpperCase(),
          taskmanager: job.jobMaster.taskManagerOf(vertex, t.subtaskIndex) ?? '', attempt: t.deployment.attemptNumber,
        })),
      })),
    };
  }

  async checkpoints(jobId: string): Promise<CheckpointStats | undefined> {
    const job = this.jobs.get(jobId);
    return job && checkpointStatsOf(job.jobMaster);
  }

  async submitJob(bundle: Uint8Array, options: JobSubmitOptions): Promise<string> {
    const build = JOBS[new TextDecoder().decode(bundle)];
    if (!build) throw new BadRequestError(`unknown test job "${new TextDecoder().decode(bundle).slice(0, 40)}"`);
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (options.parallelism) env.setParallelism(options.parallelism);
    build(env);
    const { client, jobMaster } = await this.cluster.submitJob(env.getJobGraph(options.name));
    const job: Job = { client, jobMaster, name: options.name, start: Date.now(), end: -1 };
    void jobMaster.terminated.then(() => { job.end = Date.now(); });
    this.jobs.set(client.jobId, job);
    return client.jobId;
  }

  async jobResult(jobId: string): Promise<JobResultInfo> {
    const job = this.get(jobId);
    try {
      const result = await job.jobMaster.result;
      return { jid: jobId, state: 'FINISHED', result };
    } catch (e) {
      await job.jobMaster.terminated;
      return { jid: jobId, state: job.jobMaster.getStatus(), error: e instanceof JobCancellationError ? e.message : messageChain(e) };
    }
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.get(jobId).client.cancel();
  }

  triggerSavepoint(jobId: string, directory?: string): Promise<string> {
    return this.get(jobId).jobMaster.triggerSavepoint(directory);
  }

  async stopJob(jobId: string, options: { savepointDirectory?: string; drain?: boolean }): Promise<string | undefined> {
    const job = this.get(jobId);
    if (options.savepointDirectory === undefined) { await job.client.cancel(); return undefined; }
    return job.jobMaster.stopWithSavepoint(options.savepointDirectory, options.drain ?? false);
  }

  async taskManagers(): Promise<TaskManagerInfo[]> {
    return this.cluster.taskManagers.map((tm) => ({
      id: tm.id, address: 'local', slotsNumber: tm.slots.length,
      freeSlots: tm.slots.filter((s) => s.allocatedTo === undefined).length, lastHeartbeat: Date.now(),
    }));
  }

  close(): Promise<void> { return this.cluster.close(); }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new UnknownJobError(jobId);
    return job;
  }
}

/** Polls `condition` every few ms until it holds or `timeoutMs` passes. */
export async function eventually(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
