// TaskScheduler: runs many subtasks fairly on one thread. A subtask is queued when it has work
// (data arrived, credit came back, mail was posted); the scheduler runs each queued subtask for
// one slice (a few batches), re-queues it if it still has work, and yields the event loop after
// a time slice (or, under a simulated host, a number of rounds) so that timers, I/O and promises
// run between slices. Imports the host only.
import { realHost, type Host } from '../core/host.ts';

/** Something the scheduler runs in slices. */
export interface Runnable {
  /** Set by the scheduler while the runnable waits in its queue. */
  queued: boolean;
  /** Runs until `deadline` (the scheduler's now() ms) or until it has no work; true: it has more. */
  runSlice(deadline: number): boolean;
}

/** A cooperative round-robin scheduler of subtasks. */
export class TaskScheduler {
  private queue: Runnable[] = [];
  private next: Runnable[] = [];
  private pending = false;
  private running = false;
  private halted = false;

  constructor(
    private readonly sliceMs = 2,
    private readonly yieldAfterMs = 10,
    private readonly host: Host = realHost,
    /** Names this scheduler's turns in simulation traces. */
    private readonly label = 'tasks',
  ) {}

  /** The host's monotonic clock (slice deadlines compare against it). */
  now(): number { return this.host.monotonicNow(); }

  /** Stops for good: queued subtasks are dropped and none runs again (a killed TaskManager). */
  halt(): void {
    this.halted = true;
    for (const task of this.queue) task.queued = false;
    this.queue.length = 0;
  }

  /** Queues `task` to run soon (idempotent while queued). */
  schedule(task: Runnable): void {
    if (task.queued || this.halted) return;
    task.queued = true;
    this.queue.push(task);
    if (!this.running && !this.pending) {
      this.pending = true;
      this.host.yieldTurn(this.label, this.loop);
    }
  }

  /** Subtasks waiting to run (tests). */
  get queuedCount(): number { return this.queue.length; }

  private readonly loop = (): void => {
    this.pending = false;
    if (this.halted) return;
    this.running = true;
    const host = this.host;
    const stopAt = host.monotonicNow() + this.yieldAfterMs;
    let rounds = 0;
    try {
      while (this.queue.length > 0) {
        // One round: every queued subtask gets a slice; subtasks woken meanwhile join the next round.
        const round = this.queue;
        this.queue = this.next;
        this.next = round;
        for (let i = 0; i < round.length; i++) {
          const task = round[i];
          task.queued = false;
          if (task.runSlice(host.monotonicNow() + this.sliceMs) && !task.queued) {
            task.queued = true;
            this.queue.push(task);
          }
        }
        round.length = 0;
        if (++rounds >= host.roundsPerTurn || host.monotonicNow() >= stopAt) break;
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0 && !this.pending) {
        this.pending = true;
        host.yieldTurn(this.label, this.loop);
      }
    }
  };
}
