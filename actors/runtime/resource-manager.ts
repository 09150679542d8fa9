// ResourceManager: the TaskManager registry and slot pool of the mini cluster. A job asks for
// the number of slots slot sharing needs; the request is served when enough slots are free
// (now, or when TaskManagers register or slots are released) and fails after the slot request
// timeout with how many slots it needed and how many the cluster had. TaskManagers are gateways:
// in-process TaskManagers (the mini cluster) or proxies of TaskManager processes, which can be
// lost: their slots go away and the jobs that held some are told. A request that has to wait is
// logged at once (what it needs, what the cluster has, how long it may wait), so that a job
// showing RUNNING with every subtask CREATED explains itself before the timeout.
// Imports actors/runtime and actors/observability.
import type { Cancel, Clock } from '../../api/time/clock.ts';
import { logger } from '../observability/logger.ts';
import { TaskManager, type Slot, type TaskManagerGateway } from './task-manager.ts';

const log = logger('resource-manager');

/** Told when a TaskManager is lost, with the jobs that held slots on it. */
export type TaskManagerLostListener = (taskManagerId: string, jobIds: ReadonlySet<string>, reason: string) => void;

interface PendingRequest {
  readonly jobId: string;
  readonly count: number;
  readonly resolve: (slots: Slot[]) => void;
  readonly cancelTimeout: Cancel;
}

/** The error of a job that could not get its slots. */
export class NoResourceAvailableError extends Error {
  override readonly name = 'NoResourceAvailableError';
}

/** TaskManager registry and slot pool. */
export class ResourceManager {
  private readonly taskManagers = new Map<string, TaskManagerGateway>();
  private readonly pending: PendingRequest[] = [];
  private readonly lostListeners = new Set<TaskManagerLostListener>();
  /** Set once the cluster shuts down: TaskManagers going away then are expected, not a warning. */
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock,
    private readonly slotRequestTimeoutMs: number,
    /** Spread a job's slots over the TaskManagers (Flink's evenly-spread-out slots) instead of filling one after another. */
    private readonly spreadOut = false,
  ) {
    ResourceManager.checkSlotRequestTimeout(slotRequestTimeoutMs);
  }

  /** Throws unless `ms` is a usable slot request timeout (a timer cannot wait longer than 2^31 - 1 ms). */
  static checkSlotRequestTimeout(ms: number): void {
    if (!(ms > 0 && ms <= 2 ** 31 - 1)) {
      throw new RangeError(`the slot request timeout must be a positive number of milliseconds (at most 2^31 - 1), got ${ms}`);
    }
  }

  registerTaskManager(tm: TaskManagerGateway): void {
    this.taskManagers.set(tm.id, tm);
    log.info(`TaskManager ${tm.id} registered (${tm.slots.length} slots, ${tm.address})`, { taskManagerId: tm.id, address: tm.address, slots: tm.slots.length });
    this.servePending();
  }

  /**
   * Forgets a lost TaskManager: its slots are gone, and every job that held one is told (its
   * JobMaster fails over onto the remaining slots).
   */
  unregisterTaskManager(id: string, reason: string): void {
    const tm = this.taskManagers.get(id);
    if (!tm) return;
    this.taskManagers.delete(id);
    const jobs = new Set<string>();
    for (const s of tm.slots) if (s.allocatedTo !== undefined) jobs.add(s.allocatedTo);
    const level = this.shuttingDown ? 'info' : 'warn';
    log[level](`TaskManager ${id} lost: ${reason}${jobs.size > 0 ? ` (jobs holding its slots fail over: ${[...jobs].join(', ')})` : ''}`, { taskManagerId: id, reason, jobIds: [...jobs] });
    for (const listener of [...this.lostListeners]) listener(id, jobs, reason);
  }

  /** The cluster shuts down: TaskManagers lost from now on are logged at info, not as warnings. */
  beginShutdown(): void { this.shuttingDown = true; }

  /** Subscribes to lost TaskManagers; returns the unsubscribe function. */
  onTaskManagerLost(listener: TaskManagerLostListener): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Whether TaskManager `id` is registered. */
  isRegistered(id: string): boolean { return this.taskManagers.has(id); }

  /**
   * Whether `slot` belongs to a registered TaskManager: false for a slot of a TaskManager that was
   * lost, also when one with the same id registered again since (its slots are new ones).
   */
  holdsSlot(slot: Slot): boolean { return this.taskManagers.get(slot.taskManagerId)?.slots.includes(slot) === true; }

  getTaskManager(id: string): TaskManagerGateway {
    const tm = this.taskManagers.get(id);
    if (!tm) throw new Error(`unknown TaskManager ${id}`);
    return tm;
  }

  /** The in-process TaskManager `id` (the mini cluster's). */
  localTaskManager(id: string): TaskManager {
    const tm = this.getTaskManager(id);
    if (!(tm instanceof TaskManager)) throw new Error(`TaskManager ${id} runs in another process (${tm.address})`);
    return tm;
  }

  registeredTaskManagers(): TaskManagerGateway[] { return [...this.taskManagers.values()]; }

  /** Free slots over all TaskManagers, filled TaskManager by TaskManager. */
  freeSlots(): Slot[] {
    const out: Slot[] = [];
    for (const tm of this.taskManagers.values()) for (const s of tm.slots) if (s.allocatedTo === undefined) out.push(s);
    return out;
  }

  totalSlots(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) n += tm.slots.length;
    return n;
  }

  /** Allocates `count` slots to `jobId`, waiting up to the slot request timeout. */
  requestSlots(jobId: string, count: number): Promise<Slot[]> {
    const free = this.freeSlots();
    if (free.length >= count) return Promise.resolve(this.allocate(jobId, count));
    log.info(
      `job ${jobId} needs ${count} slots, the cluster has ${free.length} free of ${this.totalSlots()} ` +
      `(${this.taskManagers.size} TaskManagers); waiting up to ${this.slotRequestTimeoutMs} ms for TaskManagers to register or slots to be released`,
      { jobId, slotsNeeded: count, slotsFree: free.length, slotsTotal: this.totalSlots(), taskManagers: this.taskManagers.size, slotRequestTimeoutMs: this.slotRequestTimeoutMs },
    );
    return new Promise<Slot[]>((resolve, reject) => {
      const request: PendingRequest = {
        jobId, count, resolve,
        cancelTimeout: this.clock.schedule(this.slotRequestTimeoutMs, () => {
          const i = this.pending.indexOf(request);
          if (i < 0) return;
          this.pending.splice(i, 1);
          reject(new NoResourceAvailableError(
            `could not allocate the slots job ${jobId} needs within ${this.slotRequestTimeoutMs} ms: ` +
            `it needs ${count} slots, the cluster has ${this.freeSlots().length} free of ${this.totalSlots()} ` +
            `(${this.taskManagers.size} TaskManagers); add TaskManagers or slots, or lower the parallelism`));
        }),
      };
      this.pending.push(request);
    });
  }

  /** Gives back every slot of `jobId`. */
  releaseSlots(jobId: string): void {
    for (const tm of this.taskManagers.values()) {
      tm.releaseJob(jobId);
      for (const s of tm.slots) if (s.allocatedTo === jobId) s.allocatedTo = undefined;
    }
    this.servePending();
  }

  /** Drops pending requests of `jobId` (a cancelled job). */
  cancelRequests(jobId: string): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].jobId === jobId) { this.pending[i].cancelTimeout(); this.pending.splice(i, 1); }
    }
  }

  private allocate(jobId: string, count: number): Slot[] {
    const slots = (this.spreadOut ? this.freeSlotsSpread() : this.freeSlots()).slice(0, count);
    for (const s of slots) s.allocatedTo = jobId;
    return slots;
  }

  /** Free slots, taking one of each TaskManager in turn. */
  private freeSlotsSpread(): Slot[] {
    const perTm = [...this.taskManagers.values()].map((tm) => tm.slots.filter((s) => s.allocatedTo === undefined));
    const out: Slot[] = [];
    for (let round = 0; out.length < perTm.reduce((n, l) => n + l.length, 0); round++) {
      for (const free of perTm) if (round < free.length) out.push(free[round]);
    }
    return out;
  }

  private servePending(): void {
    while (this.pending.length > 0 && this.freeSlots().length >= this.pending[0].count) {
      const request = this.pending.shift()!;
      request.cancelTimeout();
      request.resolve(this.allocate(request.jobId, request.count));
    }
  }
}
