// Simulation: what a scenario drives. It owns the kernel (virtual time, the event queue, the
// trace), the cluster its jobs run on, the checkpoint storage, and the actor systems of user
// programs; faults (killing a process or an actor system, failing storage writes, partitions and
// message faults) are injected here and written to the trace. The cluster is the embedded one (a
// MiniCluster on the simulated host: real JobMaster, TaskManagers, checkpoints, operators and
// sinks in one actor system) or, with JobManager candidates, a networked HA cluster
// (sim-network-cluster.ts). Imports api/, actors/, state/ and testing/.
import type { Cancel, Clock } from '../api/time/clock.ts';
import { StreamExecutionEnvironment, type EnvironmentConfig } from '../api/index.ts';
import { registerExecutor, type PipelineExecutor } from '../api/environment/executor-registry.ts';
import type { JobClient } from '../api/environment/job-client.ts';
import type { JobGraph } from '../api/graph/job-graph.ts';
import { ActorSystem } from '../actors/core/actor-system.ts';
import type { Host } from '../actors/core/host.ts';
import { MiniCluster } from '../actors/runtime/mini-cluster.ts';
import type { JobMaster } from '../actors/runtime/job-master.ts';
import { MemoryKvStore } from '../state/checkpoint/memory-kv-store.ts';
import type { StateBackend } from '../state/snapshot/state-backend.ts';
import { SIM_EPOCH_MS, type SimKernel } from './sim-kernel.ts';
import type { SimRandom } from './sim-random.ts';
import { SimStorage, simulatedStateBackend, type TornWriteDamage } from './sim-storage.ts';
import { SimNetworkCluster } from './sim-network-cluster.ts';
import type { JobStatus } from '../api/environment/job-client.ts';

/** How a simulated cluster is shaped. */
export interface SimulationOptions {
  /** The seed: the same seed (and scenario) gives the same run, on Node and on Deno. */
  readonly seed: number;
  /** TaskManagers of the simulated cluster (default 2). */
  readonly taskManagers?: number;
  /** Slots per TaskManager (default 2). */
  readonly slotsPerTaskManager?: number;
  /** JobManager candidates (default 1; more run the networked HA cluster: a leader and standbys). */
  readonly jobManagers?: number;
  /**
   * Run jobs on the networked cluster (every JobManager and TaskManager a process of its own on the
   * simulated network) rather than the embedded one; default: when jobManagers > 1.
   */
  readonly network?: boolean;
  /** Records per network batch of simulated jobs (default 64: small batches interleave more). */
  readonly batchSize?: number;
  /** Keep the trace's lines in the report (default true; bulk runs keep only the hash). */
  readonly keepTrace?: boolean;
  /** Events after which a run counts as a livelock (default 20 million). */
  readonly maxEvents?: number;
}

/** One check of a run: its name, whether it held, and what was seen when it did not. */
export interface CheckResult { readonly name: string; readonly ok: boolean; readonly detail?: string }

/** A fault that was injected, with its virtual time (ms since the start of the run). */
export interface FaultRecord { readonly atMs: number; readonly fault: string }

/** Thrown by runUntil when the condition does not hold within its virtual bound. */
export class SimulationTimeoutError extends Error {}

/** Simulations by their clock: the 'simulation' executor finds the cluster of an environment through it. */
const byClock = new WeakMap<Clock, Simulation>();

const simulationExecutor: PipelineExecutor = {
  async execute(jobGraph: JobGraph, config: EnvironmentConfig): Promise<JobClient> {
    const sim = byClock.get(config.clock);
    if (sim === undefined) throw new Error("the 'simulation' executor runs only environments made by sim.environment()");
    return sim.submit(jobGraph);
  },
};
registerExecutor('simulation', simulationExecutor);

interface SimActorSystem { system: ActorSystem; alive: { value: boolean }; readonly kv: MemoryKvStore }

/** The handle a scenario drives. */
export class Simulation {
  /** The virtual clock (processing time of jobs and actors). */
  readonly clock: Clock;
  /** The seed's randomness left to the scenario (fault plans, inputs); the kernel's own draws are apart. */
  readonly random: SimRandom;
  /** The simulated checkpoint storage of every job. */
  readonly storage: SimStorage;
  /** Results of the checks recorded so far. */
  readonly checks: CheckResult[] = [];
  /** Faults injected so far, in order. */
  readonly faults: FaultRecord[] = [];
  /** The embedded cluster (undefined when jobs run on the networked one). */
  private readonly cluster: MiniCluster | undefined;
  /** The networked HA cluster (with JobManager candidates or `network: true`). */
  private readonly net: SimNetworkCluster | undefined;
  private readonly taskManagers: number;
  private readonly slotsPerTaskManager: number;
  private readonly stateBackend: StateBackend;
  private readonly jobs: JobMaster[] = [];
  private readonly systems = new Map<string, SimActorSystem>();
  private readonly restarts = new Set<Cancel>();

  constructor(readonly kernel: SimKernel, readonly options: SimulationOptions) {
    const jobManagers = positive('jobManagers', options.jobManagers ?? 1);
    this.taskManagers = positive('taskManagers', options.taskManagers ?? 2);
    this.slotsPerTaskManager = positive('slotsPerTaskManager', options.slotsPerTaskManager ?? 2);
    const networked = options.network ?? jobManagers > 1;
    if (!networked && jobManagers > 1) throw new Error(`jobManagers: ${jobManagers} needs the networked cluster: leave network unset or true`);
    this.clock = kernel.clock;
    this.random = kernel.random.fork();
    this.storage = new SimStorage(kernel, kernel.random.fork());
    this.stateBackend = simulatedStateBackend(this.storage);
    if (networked) {
      // Its own stream of the seed: the embedded cluster's runs draw exactly what they did before.
      this.net = new SimNetworkCluster(kernel, kernel.random.fork(), this.storage, { jobManagers, taskManagers: this.taskManagers, slotsPerTaskManager: this.slotsPerTaskManager });
    } else {
      this.cluster = new MiniCluster({
        taskManagers: this.taskManagers, slotsPerTaskManager: this.slotsPerTaskManager,
        clock: kernel.clock, host: kernel.host, slotRequestTimeoutMs: 30_000, batchSize: options.batchSize ?? 64, channelCredits: 2,
      });
    }
    byClock.set(kernel.clock, this);
  }

  /** Virtual milliseconds since the run started. */
  get nowMs(): number { return this.kernel.now - SIM_EPOCH_MS; }

  /** An environment whose jobs run on the simulated cluster, checkpointing into the simulated storage. */
  environment(config: Partial<Omit<EnvironmentConfig, 'clock' | 'executor'>> = {}): StreamExecutionEnvironment {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({
      taskManagers: this.taskManagers, slotsPerTaskManager: this.slotsPerTaskManager,
      ...config, clock: this.kernel.clock, executor: 'simulation',
    });
    env.setStateBackend(this.stateBackend);
    return env;
  }

  /** @internal the 'simulation' executor's entry. */
  async submit(graph: JobGraph): Promise<JobClient> {
    if (this.net) {
      const client = await this.net.submit(graph);
      this.kernel.note(`job submitted ${graph.jobName}`);
      return client;
    }
    const { client, jobMaster } = await this.cluster!.submitJob(graph);
    this.jobs.push(jobMaster);
    this.kernel.note(`job submitted ${graph.jobName}`);
    return client;
  }

  /**
   * The JobMasters of the jobs submitted so far (their status, attempts, checkpoints); on the
   * networked cluster those of the live JobManagers, the leader's first.
   */
  jobMasters(): readonly JobMaster[] { return this.net ? this.net.jobMasters() : this.jobs; }

  /**
   * The status of job `jobId` now (synchronous, for runUntil and eventually): its JobMaster's, on
   * the networked cluster the leader's (the last one seen while no JobManager leads).
   */
  jobStatus(jobId: string): JobStatus | undefined {
    if (this.net) return this.net.jobStatus(jobId);
    return this.jobs.find((j) => j.jobId === jobId)?.getStatus();
  }

  /** The JobManager whose lease is current (networked cluster; undefined while none holds it). */
  leader(): Promise<string | undefined> {
    if (!this.net) return Promise.reject(networkUnavailable('leader()'));
    return this.net.leader();
  }

  /** Lets `ms` virtual milliseconds pass (timers fire, subtasks run, faults scheduled meanwhile happen). */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    return new Promise((resolve) => { this.kernel.at(this.kernel.now + ms, 'advance', resolve); });
  }

  /** Runs until `predicate` holds (checked after every event); rejects after `maxVirtualMs` virtual ms. */
  runUntil(predicate: () => boolean, options: { maxVirtualMs?: number } = {}): Promise<void> {
    const bound = options.maxVirtualMs ?? 60_000;
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => { unwatch(); cancel(); };
      const unwatch = this.kernel.watch(() => { if (predicate()) { done(); resolve(); } });
      const cancel = this.kernel.at(this.kernel.now + bound, 'deadline', () => {
        done();
        reject(new SimulationTimeoutError(`the condition did not hold within ${bound} virtual ms (at ${this.nowMs} ms)`));
      });
    });
  }

  /** Runs `fault` at virtual time `atMs` (ms since the run started), or now when that has passed. */
  at(atMs: number, fault: () => void): void {
    this.kernel.at(SIM_EPOCH_MS + atMs, 'fault', fault);
  }

  /**
   * Kills `name` as if its process died: 'taskmanager-N' (its subtasks stop, its slots are gone,
   * the jobs holding them fail over), on the networked cluster also 'jobmanager-N' (a leader's
   * standby takes over once its lease runs out), or an actor system made by actorSystem(). With
   * `restartAfterMs` it comes back (fresh, same name) that much later.
   */
  kill(name: string, options: { restartAfterMs?: number } = {}): void {
    this.recordFault(`kill ${name}`);
    if (this.systems.has(name)) this.killActorSystem(name);
    else if (this.net) {
      if (!this.net.has(name)) {
        throw new Error(`cannot kill "${name}": not a process of the simulated cluster ` +
          `(${[...this.net.cluster.jobManagerNames, ...this.net.cluster.taskManagerNames].join(', ')}) nor an actor system made by actorSystem()`);
      }
      this.net.kill(name);
    } else {
      const cluster = this.cluster!;
      if (/^jobmanager-\d+$/.test(name)) throw new Error(`cannot kill ${name}: the embedded cluster has one JobManager in one actor system; JobManager failover runs with jobManagers > 1`);
      if (!/^taskmanager-\d+$/.test(name)) {
        throw new Error(`cannot kill "${name}": not a TaskManager of the simulated cluster (taskmanager-0..${cluster.taskManagers.length - 1}) nor an actor system made by actorSystem()`);
      }
      if (!cluster.resourceManager.isRegistered(name)) throw new Error(`cannot kill ${name}: it is not running`);
      void cluster.killTaskManager(name, 'killed by the simulation');
    }
    if (options.restartAfterMs !== undefined) {
      const cancel = this.kernel.at(this.kernel.now + options.restartAfterMs, 'fault', () => { this.restarts.delete(cancel); this.restart(name); });
      this.restarts.add(cancel);
    }
  }

  /** Starts a killed process or actor system again. */
  restart(name: string): void {
    this.recordFault(`restart ${name}`);
    if (this.systems.has(name)) this.startActorSystem(name);
    else if (this.net) this.net.restart(name);
    else this.cluster!.restartTaskManager(name);
  }

  /** Whether process or actor system `name` runs now. */
  isAlive(name: string): boolean {
    const system = this.systems.get(name);
    if (system) return system.alive.value;
    if (this.net) return this.net.cluster.isAlive(name);
    return this.cluster!.resourceManager.isRegistered(name);
  }

  /** From now on each checkpoint storage write fails with `probability` (0 heals the storage). */
  failStorageWrites(options: { probability: number }): void {
    this.storage.failWrites(options.probability);
    this.recordFault(`storage writes fail p=${options.probability}`);
  }

  /**
   * From now on each byte value a checkpoint storage write stores is damaged with `probability`
   * (0 ends it) while the write reports success: cut short (`damage: 'truncate'`: only a prefix
   * reached the disk) or with one bit flipped ('flip'); by default either, drawn per value. The
   * runtime's checkpoint seals must refuse a damaged checkpoint, naming it, and recovery fall back
   * to an older retained one (or the job fail naming it when none is left).
   */
  tearStorageWrites(options: { probability: number; damage?: TornWriteDamage }): void {
    this.storage.tearWrites(options.probability, options.damage);
    this.recordFault(`storage writes torn p=${options.probability}${options.damage ? ` ${options.damage}` : ''}`);
  }

  /**
   * The checkpoint storage's disk fills up: writes may add `freeBytes` more bytes (default 0;
   * deletes free space), then each write that needs space fails with a StorageFullError (ENOSPC)
   * until freeStorage().
   */
  fillStorage(options: { freeBytes?: number } = {}): void {
    this.storage.fill(options.freeBytes ?? 0);
    this.recordFault(`storage full free=${options.freeBytes ?? 0}B`);
  }

  /** Space is freed on the checkpoint storage's disk: writes no longer fail for want of it. */
  freeStorage(): void {
    this.storage.free();
    this.recordFault('storage space freed');
  }

  /**
   * The wall clock jumps by `ms` (negative: backward), as after an NTP step or a VM migration:
   * what the runtime reads as the time of day (processing time, timestamps, leases) moves, while
   * timers already set, monotonic time and the event order go on. Without `process` every
   * process's clock jumps; with it (networked cluster: 'jobmanager-N', 'taskmanager-N') only that
   * process's, which then disagrees with the others' (and keeps its offset across restarts).
   */
  jumpClock(ms: number, process?: string): void {
    if (!Number.isFinite(ms)) throw new RangeError(`a clock jump is a finite number of ms, got ${ms}`);
    if (process === undefined) {
      if (this.net) for (const name of [...this.net.cluster.jobManagerNames, ...this.net.cluster.taskManagerNames]) this.net.cluster.jumpClock(name, ms);
      else this.kernel.jumpWallClock(ms);
    } else {
      if (!this.net) throw new Error(`jumpClock(${ms}, '${process}'): the embedded cluster's processes share one clock; jump every clock (no process) or simulate with jobManagers > 1 or network: true`);
      if (!this.net.has(process)) throw new Error(`cannot jump the clock of "${process}": not a process of the simulated cluster`);
      this.net.cluster.jumpClock(process, ms);
    }
    this.recordFault(`clock ${process ?? 'all'} jumps ${ms >= 0 ? '+' : ''}${ms}ms`);
  }

  /**
   * From now on each message between the cluster's processes is lost with `probability` (0 ends
   * it). The processes talk TCP, which loses nothing silently: a lost message resets its
   * connection, and the transport above handles that as it would a real one (networked cluster).
   */
  dropMessages(options: { probability: number }): void {
    const net = this.network('dropMessages');
    net.cluster.network.dropMessages(options.probability);
    this.recordFault(`drop messages p=${options.probability}`);
  }

  /** From now on each message is held up to `maxMs` more with `probability` (default 1; maxMs 0 ends it; networked cluster). */
  delayMessages(options: { probability?: number; maxMs: number }): void {
    const net = this.network('delayMessages');
    const probability = options.maxMs === 0 ? 0 : options.probability ?? 1;
    net.cluster.network.delayMessages(probability, options.maxMs);
    this.recordFault(`delay messages p=${probability} max=${options.maxMs}ms`);
  }

  /** Cuts processes `a` from processes `b` (networked cluster): their bytes stall, dials time out, stalled connections reset. */
  partition(a: readonly string[], b: readonly string[]): void {
    const net = this.network('partition');
    for (const name of [...a, ...b]) if (!net.has(name)) throw new Error(`cannot partition "${name}": not a process of the simulated cluster`);
    net.cluster.partition(a, b);
    this.recordFault(`partition ${a.join(',')} | ${b.join(',')}`);
  }

  /**
   * Stops process `name` for `ms` of virtual time, as a long GC pause would (networked cluster):
   * its timers and its traffic wait, then go on; its peers may meanwhile declare it lost.
   */
  pause(name: string, ms: number): void {
    const net = this.network('pause');
    if (!net.has(name)) throw new Error(`cannot pause "${name}": not a process of the simulated cluster`);
    if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`pause("${name}", ${ms}): the pause must be a positive number of ms`);
    net.cluster.pause(name, ms);
    this.recordFault(`pause ${name} ${ms}ms`);
  }

  /** Ends the partition: what stalled is delivered (networked cluster). */
  heal(): void {
    this.network('heal').cluster.heal();
    this.recordFault('heal');
  }

  /**
   * The actor system `name` of a user program, on the simulated host (virtual time, seeded turns);
   * its persistent actors keep their state in a store that survives kill/restart of the system.
   */
  actorSystem(name: string): ActorSystem {
    const existing = this.systems.get(name);
    if (existing) return existing.system;
    if (/^(taskmanager|jobmanager)-\d+$/.test(name)) throw new Error(`"${name}" names a cluster process; pick another actor system name`);
    return this.startActorSystem(name);
  }

  /** Records a check's outcome (it appears in the report; a failed one fails the run). */
  check(name: string, ok: boolean, detail?: string): boolean {
    this.checks.push(ok ? { name, ok } : { name, ok, detail });
    this.kernel.note(`check ${name} ${ok ? 'ok' : 'FAILED'}`);
    return ok;
  }

  /**
   * Checks that `predicate` comes to hold within `boundMs` virtual ms (liveness, e.g. after the
   * last fault); records the outcome under `name`.
   */
  async eventually(name: string, predicate: () => boolean, boundMs: number): Promise<boolean> {
    const from = this.nowMs;
    try {
      await this.runUntil(predicate, { maxVirtualMs: boundMs });
      return this.check(name, true);
    } catch (error) {
      if (!(error instanceof SimulationTimeoutError)) throw error;
      return this.check(name, false, `not within ${boundMs} virtual ms after ${from} ms`);
    }
  }

  /** Cancels jobs and stops the cluster and the actor systems (the end of every run). */
  async shutdown(): Promise<void> {
    for (const cancel of this.restarts) cancel();
    this.storage.failWrites(0);
    this.storage.tearWrites(0);
    this.storage.free();
    if (this.net) await this.net.close(); else await this.cluster!.close();
    for (const s of this.systems.values()) if (s.alive.value) await s.system.terminate();
    byClock.delete(this.kernel.clock);
  }

  /** Records a fault injected by the scenario itself (on a cluster of its own): it appears in the report and the trace. */
  recordFault(fault: string): void {
    this.faults.push({ atMs: this.nowMs, fault });
    this.kernel.note(`fault ${fault}`);
  }

  /** The networked cluster, or an error naming `what` needs it. */
  private network(what: string): SimNetworkCluster {
    if (!this.net) throw networkUnavailable(what);
    return this.net;
  }

  private startActorSystem(name: string): ActorSystem {
    const previous = this.systems.get(name);
    if (previous?.alive.value) throw new Error(`actor system ${name} is running: kill it first`);
    const kv = previous?.kv ?? new MemoryKvStore();
    const alive = { value: true };
    const system = ActorSystem.create(name, { host: guardedHost(this.kernel.host, alive), kvStore: kv });
    this.systems.set(name, { system, alive, kv });
    return system;
  }

  /** A crash: none of the system's timers or turns runs again; its persisted state stays. */
  private killActorSystem(name: string): void {
    const s = this.systems.get(name)!;
    if (!s.alive.value) throw new Error(`actor system ${name} is not running`);
    s.alive.value = false;
  }
}

/** `host`, except that nothing runs once `alive` turned false (a crashed process). */
function guardedHost(host: Host, alive: { value: boolean }): Host {
  return {
    ...host,
    clock: {
      now: () => host.clock.now(),
      schedule: (delayMs, callback) => host.clock.schedule(delayMs, () => { if (alive.value) callback(); }),
    },
    yieldTurn: (label, callback) => host.yieldTurn(label, () => { if (alive.value) callback(); }),
  };
}

function networkUnavailable(what: string): Error {
  return new Error(`${what} needs the networked cluster (its processes talk over the simulated network): ` +
    'simulate with jobManagers > 1 or network: true; the embedded cluster runs in one actor system');
}

function positive(name: string, n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}
