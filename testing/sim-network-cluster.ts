// SimNetworkCluster: the cluster a simulation runs its environments' jobs on when it has
// JobManager candidates (jobManagers > 1, or `network: true`): a SimulatedCluster (the real
// JobManager processes with their lease and job store, the real TaskManager processes, the real
// transport over the simulated network) on the simulation's kernel, with its checkpoints in the
// simulation's storage. A job graph an environment built is registered with the cluster and
// submitted to the leader; its JobClient follows the job across leaders through the HA store.
// Process kills, partitions and message faults of the scenario land here. Imports api/ types,
// actors/ types and testing/.
import type { JobGraph } from '../api/graph/job-graph.ts';
import {
  JobCancellationError, JobExecutionError, type JobClient, type JobExecutionResult, type JobStatus,
} from '../api/environment/job-client.ts';
import type { JobMaster } from '../actors/runtime/job-master.ts';
import { SimulatedCluster } from './cluster/simulated-cluster.ts';
import type { SimKernel } from './sim-kernel.ts';
import type { SimRandom } from './sim-random.ts';
import type { SimStorage } from './sim-storage.ts';

/** The shape of a networked simulated cluster. */
export interface SimNetworkClusterOptions {
  readonly jobManagers: number;
  readonly taskManagers: number;
  readonly slotsPerTaskManager: number;
}

const TERMINAL: ReadonlySet<string> = new Set(['FINISHED', 'FAILED', 'CANCELED']);
/** How often a waiting JobClient reads the HA store (virtual ms). */
const POLL_MS = 50;

/** A networked HA cluster on a simulation's kernel. */
export class SimNetworkCluster {
  /** The processes, their network and stores. */
  readonly cluster: SimulatedCluster;
  /** Settles once every process started (every TaskManager registered with the leader). */
  readonly ready: Promise<void>;
  private readonly jobIds: string[] = [];
  /** The last status seen of each job (kept while no JobManager leads). */
  private readonly statuses = new Map<string, JobStatus>();

  constructor(private readonly kernel: SimKernel, random: SimRandom, storage: SimStorage, options: SimNetworkClusterOptions) {
    this.cluster = new SimulatedCluster({
      clock: kernel.clock, random: () => random.next(), trace: (e) => kernel.note(e), turns: kernel.host, checkpointStore: storage,
      jobManagers: options.jobManagers, taskManagers: options.taskManagers, slotsPerTaskManager: options.slotsPerTaskManager,
    });
    this.ready = this.cluster.start();
    // Awaited by submit; a failed start is reported there, not as an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** Submits `graph` to the leading JobManager (once the cluster runs); its client follows it across leaders. */
  async submit(graph: JobGraph): Promise<JobClient> {
    await this.ready;
    const jobId = await this.cluster.submitGraph(graph);
    this.jobIds.push(jobId);
    return new SimNetworkJobClient(jobId, graph.jobName, this);
  }

  /** The JobMasters of the live JobManagers, the leader's first (a deposed one may still hold a suspended copy). */
  jobMasters(): JobMaster[] {
    const leader = this.cluster.leaderNow();
    const names = this.cluster.jobManagerNames.sort((a, b) => (a === leader ? -1 : b === leader ? 1 : a < b ? -1 : 1));
    const out: JobMaster[] = [];
    for (const name of names) {
      const dispatcher = this.cluster.jobManager(name)?.dispatcher;
      if (!dispatcher) continue;
      for (const { jobId } of dispatcher.listJobs()) out.push(dispatcher.getJob(jobId)!);
    }
    return out;
  }

  /** The job's status at the leading JobManager (the last one seen while none leads); undefined for an unknown job. */
  jobStatus(jobId: string): JobStatus | undefined {
    const leader = this.cluster.leaderNow();
    const status = leader === undefined ? undefined : this.cluster.jobManager(leader)?.dispatcher.getJob(jobId)?.getStatus();
    if (status !== undefined) this.statuses.set(jobId, status);
    return this.statuses.get(jobId);
  }

  /** Ids of the jobs submitted so far. */
  get jobs(): readonly string[] { return this.jobIds; }

  /** Whether `name` is a process of this cluster. */
  has(name: string): boolean {
    return this.cluster.jobManagerNames.includes(name) || this.cluster.taskManagerNames.includes(name);
  }

  /** Crashes process `name`. */
  kill(name: string): void {
    if (!this.cluster.isAlive(name)) throw new Error(`cannot kill ${name}: it is not running`);
    this.cluster.kill(name);
  }

  /** Starts a new process under a killed one's name (it registers / competes for the lease in the background). */
  restart(name: string): void {
    this.cluster.restart(name).catch((error: unknown) => {
      this.kernel.note(`restart ${name} failed: ${(error as Error)?.message ?? String(error)}`);
    });
  }

  /** The leading JobManager's name as the HA store's lease names it (undefined while none holds it). */
  leader(): Promise<string | undefined> { return this.cluster.leader(); }

  /** Stops what still runs (the end of a run, not a fault). */
  async close(): Promise<void> {
    this.cluster.network.heal();
    this.cluster.network.dropMessages(0);
    this.cluster.network.delayMessages(0, 0);
    await this.ready.catch(() => {});
    await this.cluster.close();
  }

  /** Virtual time now (epoch ms, as the processes' clocks read it). */
  now(): number { return this.kernel.now; }

  /** Resolves after `ms` virtual ms. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.kernel.clock.schedule(ms, resolve); });
  }

  /** Runs `call` on the leading JobManager's service, waiting for a leader for up to `boundMs`. */
  async onLeader<T>(what: string, call: (service: NonNullable<ReturnType<SimulatedCluster['jobManager']>>['service']) => Promise<T>, boundMs = 30_000): Promise<T> {
    for (let waited = 0; ; waited += POLL_MS) {
      const leader = await this.cluster.leader();
      const jm = leader === undefined ? undefined : this.cluster.jobManager(leader);
      if (jm) return call(jm.service);
      if (waited >= boundMs) throw new Error(`${what}: no JobManager led the simulated cluster within ${boundMs} virtual ms`);
      await this.sleep(POLL_MS);
    }
  }
}

/** A JobClient that follows its job across JobManager leaders: its end is read from the HA store. */
class SimNetworkJobClient implements JobClient {
  constructor(readonly jobId: string, private readonly jobName: string, private readonly owner: SimNetworkCluster) {}

  async getJobStatus(): Promise<JobStatus> {
    const stored = await this.owner.cluster.job(this.jobId);
    if (stored && TERMINAL.has(stored.status)) return stored.status as JobStatus;
    return this.owner.jobStatus(this.jobId) ?? 'RUNNING';
  }

  async cancel(): Promise<void> {
    await this.owner.onLeader(`cancel job ${this.jobId}`, (service) => service.cancelJob(this.jobId));
  }

  triggerSavepoint(directory?: string): Promise<string> {
    return this.owner.onLeader(`savepoint of job ${this.jobId}`, (service) => service.triggerSavepoint(this.jobId, directory));
  }

  async stopWithSavepoint(directory?: string, drain?: boolean): Promise<string> {
    const path = await this.owner.onLeader(`stop job ${this.jobId}`, (service) => service.stopJob(this.jobId, { savepointDirectory: directory, drain }));
    if (path === undefined) throw new Error(`job ${this.jobId} stopped without a savepoint`);
    return path;
  }

  /** Resolves once the HA store records the job's end (a leader saw it): a new leader will not run it again. */
  async getJobExecutionResult(): Promise<JobExecutionResult> {
    for (;;) {
      const stored = await this.owner.cluster.job(this.jobId);
      if (stored?.status === 'FINISHED') {
        // Submission to the first read of its end: the store keeps no end time.
        return { jobId: this.jobId, jobName: this.jobName, netRuntimeMs: this.owner.now() - stored.submittedAt, accumulators: {} };
      }
      if (stored?.status === 'CANCELED') throw new JobCancellationError(this.jobId);
      if (stored?.status === 'FAILED') throw new JobExecutionError(this.jobId, `job ${this.jobId} (${this.jobName}) failed`);
      await this.owner.sleep(POLL_MS);
    }
  }
}
