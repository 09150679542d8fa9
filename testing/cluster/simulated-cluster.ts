// SimulatedCluster: a standalone actorflow cluster with high availability, every process of it an
// actor system in this one thread: N JobManager candidates (the real startJobManager: lease, job
// store, dispatcher, JobMasters, checkpoint coordinator) and M TaskManagers (the real
// startTaskManager: registration, heartbeats, TaskExecutor, data plane), connected through a
// SimulatedNetwork by the real transport, on one injected clock (each process through its own
// ProcessClock), with every random byte of theirs from the injected PRNG. The HA store and the
// checkpoint storage are in-memory KV stores all processes share (each process through a handle
// severed when it is killed). Jobs are built in this process and submitted without a bundle: the
// processes load them from the cluster's registry (JobModuleSource), as a builder function or as
// a job graph an environment built already (each process gets its own copy of its settings).
//
// Faults: kill(name) stops a process as a crash would (its timers halt, its connections reset,
// its store handle is severed, its subtasks stop without reporting), restart(name) starts a new
// one under the same name, partition/heal/pause go to the network (pause holds the process's
// timers too). Nothing here advances time: the caller drives the clock (drive.ts, or the
// simulation kernel). Imports actors/cluster, api/ and state/ types, and testing/cluster.
import { setImmediate } from 'node:timers';
import type { Clock } from '../../api/time/clock.ts';
import type { Host } from '../../actors/core/host.ts';
import type { StreamExecutionEnvironment } from '../../api/index.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { startJobManager, type RunningJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../actors/cluster/task-manager-process.ts';
import type { JobModuleSource, ProcessEnvironment } from '../../actors/cluster/process-environment.ts';
import type { JobModule } from '../../actors/deploy/job-loader.ts';
import { JobStore, type StoredJob } from '../../actors/ha/job-store.ts';
import { currentLeader } from '../../actors/ha/leader-lease.ts';
import { KvCheckpointStorage } from '../../state/checkpoint/kv-checkpoint-storage.ts';
import type { KvStore } from '../../state/kv/kv-store.ts';
import { kvStateBackend, type StateBackend } from '../../state/snapshot/state-backend.ts';
import { ProcessClock } from './process-clock.ts';
import { loadHeapState } from '../../actors/runtime/keyed-state-factory.ts';
import { SimulatedKvStore, type SimulatedKvView } from './simulated-kv-store.ts';
import { SimulatedNetwork, type SimulatedNetworkOptions } from './simulated-network.ts';

/** How a simulated cluster is shaped and timed. */
export interface SimulatedClusterOptions {
  /** Virtual time (a ManualClock in tests, the kernel's scheduler in a simulation). */
  readonly clock: Clock;
  /** A seeded PRNG in [0, 1). */
  readonly random: () => number;
  /** Hears every network delivery and every fault. */
  readonly trace?: (event: string) => void;
  /** JobManager candidates (default 2: a leader and a standby). */
  readonly jobManagers?: number;
  /** TaskManagers (default 2). */
  readonly taskManagers?: number;
  /** Slots per TaskManager (default 2). */
  readonly slotsPerTaskManager?: number;
  /** The leader lease's duration: a standby takes over this long after the leader died (default 3 s). */
  readonly leaseMs?: number;
  /** A TaskManager silent this long is lost to the JobManager (default 4 s). */
  readonly heartbeatTimeoutMs?: number;
  /** TaskManager heartbeat interval (default 500 ms). */
  readonly heartbeatIntervalMs?: number;
  /** Latency and timeouts of the network. */
  readonly network?: Pick<SimulatedNetworkOptions, 'latencyMs' | 'resetAfterMs' | 'connectTimeoutMs'>;
  /**
   * How the processes yield event-loop turns (default setImmediate, 8 scheduler rounds a turn): the
   * simulation kernel passes its own so that turns are its events. Slice deadlines always read
   * virtual time, which stands still within a turn: subtasks yield by rounds, never by real time.
   */
  readonly turns?: Pick<Host, 'yieldTurn' | 'roundsPerTurn'>;
  /** Where checkpoints go (default an in-memory SimulatedKvStore); the kernel passes its SimStorage (latency, failing writes). */
  readonly checkpointStore?: KvStore;
}

/** Scheduler rounds a subtask thread runs before it yields the turn, unless `turns` says otherwise. */
const ROUNDS_PER_TURN = 8;

/** A job built in this process: its pipeline on the given environment. */
export type JobBuilder = (env: StreamExecutionEnvironment) => void | Promise<void>;

type Role = 'jobmanager' | 'taskmanager';

interface SimProcess {
  readonly name: string;
  readonly role: Role;
  readonly clock: ProcessClock;
  readonly kv: SimulatedKvView;
  alive: boolean;
  jobManager?: RunningJobManager;
  taskManager?: RunningTaskManager;
}

// Loaded with this module, before any run: the runtime loads keyed state lazily, and a first load
// takes real time (files read and compiled), which would move work to other virtual instants in
// the first run of a seed than in later ones.
await loadHeapState();

const SECRET = 'simulated-cluster-secret';
const HA_STORAGE = 'simulated-ha-store';
const TEXT = new TextEncoder();

/** A HA cluster of JobManager candidates and TaskManagers in one thread on virtual time. */
export class SimulatedCluster {
  /** The network every process talks through. */
  readonly network: SimulatedNetwork;
  /** The HA store (lease, jobs) every JobManager and TaskManager shares. */
  readonly haStore = new SimulatedKvStore();
  /** The checkpoint storage every process writes its jobs' checkpoints to. */
  readonly checkpointStore: KvStore;
  /** The state backend of every job on the cluster: checkpoints into `checkpointStore`. */
  readonly stateBackend: StateBackend;
  private readonly processes = new Map<string, SimProcess>();
  /** How far each process's wall clock was jumped (kept across its restarts: the machine's clock is off). */
  private readonly clockOffsets = new Map<string, number>();
  /** The JobManager process that began to lead last and has not lost its lease (as it sees it). */
  private leading: SimProcess | undefined;
  private readonly builders = new Map<string, JobBuilder | JobGraph>();
  private readonly jobs: JobModuleSource;
  private readonly emit: (event: string) => void;
  private readonly clock: Clock;

  constructor(private readonly options: SimulatedClusterOptions) {
    this.clock = options.clock;
    this.emit = options.trace ?? (() => {});
    this.network = new SimulatedNetwork({ clock: options.clock, random: options.random, trace: this.emit, ...options.network });
    const kv = kvStateBackend();
    const store = this.checkpointStore = options.checkpointStore ?? new SimulatedKvStore();
    this.stateBackend = {
      ...kv,
      createCheckpointStorage: async ({ jobId, epoch }) => new KvCheckpointStorage(jobId, store, false, epoch ?? 0, 'the simulated checkpoint store'),
    };
    this.jobs = {
      check: async (bundle) => {
        if (!this.builders.has(new TextDecoder().decode(bundle))) throw new Error('not a job registered with the simulated cluster');
      },
      load: async (bundle) => this.moduleOf(new TextDecoder().decode(bundle)),
    };
  }

  /** Grows with every network write and every timer of the processes: drive.ts settles a step until it stops. */
  readonly activity = (): number => {
    let n = this.network.writes;
    for (const p of this.processes.values()) n += p.clock.scheduled;
    return n;
  };

  /** Names of the JobManager candidates. */
  get jobManagerNames(): string[] { return this.names('jobmanager'); }

  /** Names of the TaskManagers. */
  get taskManagerNames(): string[] { return this.names('taskmanager'); }

  /** Starts every JobManager candidate, then every TaskManager; resolves once all TaskManagers registered. */
  async start(): Promise<void> {
    const jms = this.options.jobManagers ?? 2;
    const tms = this.options.taskManagers ?? 2;
    if (!(Number.isInteger(jms) && jms >= 1 && Number.isInteger(tms) && tms >= 1)) {
      throw new RangeError(`a simulated cluster needs at least one JobManager and one TaskManager, got ${jms} and ${tms}`);
    }
    for (let i = 0; i < jms; i++) await this.startProcess(`jobmanager-${i}`, 'jobmanager');
    await Promise.all(Array.from({ length: tms }, (_, i) => this.startProcess(`taskmanager-${i}`, 'taskmanager')));
  }

  /** The name of the JobManager whose lease is current, if any. */
  async leader(): Promise<string | undefined> {
    const lease = await currentLeader(this.haStore, this.clock.now());
    if (!lease) return undefined;
    for (const p of this.processes.values()) if (p.alive && p.jobManager?.rpcAddress === lease.address) return p.name;
    return undefined;
  }

  /**
   * The JobManager leading now as the processes themselves see it (no store read, so callable
   * from a synchronous predicate): the one that began to lead last, while it lives and holds its lease.
   */
  leaderNow(): string | undefined { return this.leading?.alive ? this.leading.name : undefined; }

  /** Submits a job built by `build` to the leading JobManager; resolves with its id. */
  submit(name: string, build: JobBuilder, options: { parallelism?: number } = {}): Promise<string> {
    return this.submitJob(`simulated-job:${name}`, name, build, options);
  }

  /**
   * Submits the job graph an environment of this process built (its executor's input) to the
   * leading JobManager under `graph.jobName`; every process runs that graph. Resolves with its id.
   */
  async submitGraph(graph: JobGraph): Promise<string> {
    if (graph.config.runtimeMode === 'batch') throw new Error(`job ${graph.jobName}: a simulated cluster runs streaming jobs; use setRuntimeMode('streaming')`);
    // Environments may submit several jobs of one name: each graph is registered apart.
    return this.submitJob(`simulated-graph:${this.builders.size}:${graph.jobName}`, graph.jobName, graph, {});
  }

  private async submitJob(key: string, name: string, build: JobBuilder | JobGraph, options: { parallelism?: number }): Promise<string> {
    if (this.builders.has(key)) throw new Error(`a job named ${name} was submitted to this simulated cluster already`);
    this.builders.set(key, build);
    const leader = await this.leader();
    const jm = leader === undefined ? undefined : this.processes.get(leader)?.jobManager;
    if (!jm) throw new Error('no JobManager leads the simulated cluster now');
    this.emit(`${this.clock.now()} cluster submit ${name} to ${leader}`);
    const jobId = await jm.service.submitJob(TEXT.encode(key), { name, ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}) });
    // Job ids come from the leader's seeded randomness: the same seed names the same job.
    this.emit(`${this.clock.now()} cluster job ${name} ${jobId}`);
    return jobId;
  }

  /** The job as the HA store records it (its status is final once a leader saw it end). */
  job(jobId: string): Promise<StoredJob | undefined> { return new JobStore(this.haStore).get(jobId); }

  /** The running JobManager process `name` (undefined when killed). */
  jobManager(name: string): RunningJobManager | undefined { return this.live(name)?.jobManager; }

  /** The running TaskManager process `name` (undefined when killed). */
  taskManager(name: string): RunningTaskManager | undefined { return this.live(name)?.taskManager; }

  /** Whether process `name` runs. */
  isAlive(name: string): boolean { return this.live(name) !== undefined; }

  /**
   * Kills process `name` as a crash would (see the header). What it leaves is stopped in the
   * background (that may take virtual time): nothing of it reaches the others any more.
   */
  kill(name: string): void {
    const p = this.live(name);
    if (!p) throw new Error(`${name} is not a running process of the simulated cluster`);
    this.emit(`${this.clock.now()} cluster kill ${name}`);
    p.alive = false;
    p.clock.halt();
    p.kv.sever();
    this.network.crash(name);
    if (p.taskManager) void p.taskManager.kill().catch(() => {});
    if (p.jobManager) void p.jobManager.close().catch(() => {});
  }

  /** Starts a new process under the name of a killed one; resolves once it runs (a TaskManager: registered). */
  async restart(name: string): Promise<void> {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} is not a process of the simulated cluster`);
    if (p.alive) throw new Error(`${name} still runs: kill it first`);
    this.emit(`${this.clock.now()} cluster restart ${name}`);
    this.network.restart(name);
    await this.startProcess(name, p.role);
  }

  /** Cuts the processes `a` from `b` (see SimulatedNetwork.partition). */
  partition(a: readonly string[], b: readonly string[]): void { this.network.partition(a, b); }

  /** Ends the partition. */
  heal(): void { this.network.heal(); }

  /** Stops process `name` for `ms` (a long GC pause): its timers and its traffic wait. */
  pause(name: string, ms: number): void {
    const p = this.live(name);
    if (!p) throw new Error(`${name} is not a running process of the simulated cluster`);
    p.clock.pauseFor(ms);
    this.network.pause(name, ms);
  }

  /** Process `name`'s wall clock jumps by `ms` (negative: backward); its timers, its monotonic time and the others' clocks go on. */
  jumpClock(name: string, ms: number): void {
    if (!this.processes.has(name)) throw new Error(`${name} is not a process of the simulated cluster`);
    this.processes.get(name)!.clock.jump(ms);
    this.clockOffsets.set(name, (this.clockOffsets.get(name) ?? 0) + ms);
  }

  /** Stops every process still running (cleanly: a test's end, not a fault); the clock must move meanwhile. */
  async close(): Promise<void> {
    const running = [...this.processes.values()].filter((p) => p.alive);
    for (const p of running) p.alive = false;
    for (const p of running) if (p.taskManager) await p.taskManager.close().catch(() => {});
    for (const p of running) if (p.jobManager) await p.jobManager.close().catch(() => {});
    for (const p of running) p.clock.halt();
  }

  private names(role: Role): string[] {
    return [...this.processes.values()].filter((p) => p.role === role).map((p) => p.name);
  }

  private live(name: string): SimProcess | undefined {
    const p = this.processes.get(name);
    return p?.alive ? p : undefined;
  }

  private moduleOf(key: string): JobModule {
    const build = this.builders.get(key);
    if (!build) throw new Error(`no job ${key} is registered with the simulated cluster`);
    const backend = this.stateBackend;
    if (typeof build !== 'function') {
      return {
        default: () => { throw new Error(`job ${key} was submitted as a job graph`); },
        // Processes amend a graph's settings (storage, recovery): each load gets settings of its
        // own; vertices and operator factories are shared, as the processes share this thread. A
        // backend object the job chose stays (it must write where every process reaches, as the
        // simulation's does); a named one ('memory', 'kv') becomes the cluster's.
        jobGraph: () => {
          const ft = build.config.faultTolerance;
          const stateBackend = typeof ft.stateBackend === 'object' && ft.stateBackend !== null ? ft.stateBackend : backend;
          return { ...build, config: { ...build.config, faultTolerance: { ...ft, stateBackend, checkpointStorage: undefined } } };
        },
      };
    }
    return {
      default: async (env) => {
        await build(env);
        // The cluster's storage is the one every process reaches.
        env.setStateBackend(backend);
      },
    };
  }

  private async startProcess(name: string, role: Role): Promise<void> {
    const clock = new ProcessClock(this.clock);
    clock.jump(this.clockOffsets.get(name) ?? 0);
    const kv = this.haStore.view(name);
    const p: SimProcess = { name, role, clock, kv, alive: true };
    this.processes.set(name, p);
    const ids = this.network.randomBytes(4);
    let idState = (((ids[0] << 24) | (ids[1] << 16) | (ids[2] << 8) | ids[3]) >>> 0) || 1;
    const host: Host = {
      clock,
      monotonicNow: () => clock.monotonicNow(),
      yieldTurn: this.options.turns?.yieldTurn ?? ((_label, callback) => { setImmediate(callback); }),
      // A process's own stream (xorshift32), so that its draws do not depend on the others'.
      random: () => { idState ^= idState << 13; idState >>>= 0; idState ^= idState >>> 17; idState ^= idState << 5; idState >>>= 0; return idState / 4294967296; },
      roundsPerTurn: this.options.turns?.roundsPerTurn ?? ROUNDS_PER_TURN,
    };
    const environment: ProcessEnvironment = {
      clock, host, network: this.network.host(name), randomBytes: (n) => this.network.randomBytes(n), haStore: kv, jobs: this.jobs,
      checkpointStorage: 'simulated',
      // Memory figures of this thread differ from run to run: heartbeats carry none.
      processMetrics: () => ({}),
    };
    this.emit(`${this.clock.now()} cluster start ${name}`);
    try {
      if (role === 'jobmanager') {
        p.jobManager = await startJobManager({
          host: name, port: 0, restPort: 0, secret: SECRET, environment,
          heartbeatTimeoutMs: this.options.heartbeatTimeoutMs ?? 4000,
          ha: { storage: HA_STORAGE, leaseMs: this.options.leaseMs ?? 3000, leaseClock: clock },
        });
        const jm = p.jobManager;
        jm.leading.then(() => { if (p.alive) this.leading = p; }, () => {});
        jm.leadershipLost.then(() => { if (this.leading === p) this.leading = undefined; }, () => {});
      } else {
        p.taskManager = await startTaskManager({
          haStorage: HA_STORAGE, slots: this.options.slotsPerTaskManager ?? 2, host: name, secret: SECRET, id: name, environment,
          heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 500, registrationTimeoutMs: 120_000,
        });
      }
    } catch (error) {
      p.alive = false;
      clock.halt();
      throw error;
    }
  }
}
