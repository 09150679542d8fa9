// TaskScheduler: runs many subtasks fairly on one thread. A subtask is queued when it has work
// (data arrived, credit came back, mail was posted); the scheduler runs each queued subtask for
// one slice (a few batches), re-queues it if it still has work, and yields the event loop after
// a time slice so that timers, I/O and promises run between slices. Imports node:timers only.
import { setImmediate } from 'node:timers';

/** Something the scheduler runs in slices. */
export interface Runnable {
  /** Set by the scheduler while the runnable waits in its queue. */
  queued: boolean;
  /** Runs until `deadline` (performance.now() ms) or until it has no work; true: it has more. */
  runSlice(deadline: number): boolean;
}

/** A cooperative round-robin scheduler of subtasks. */
export class TaskScheduler {
  private queue: Runnable[] = [];
  private next: Runnable[] = [];
  private pending = false;
  private running = false;

  constructor(private readonly sliceMs = 2, private readonly yieldAfterMs = 10) {}

  /** Queues `task` to run soon (idempotent while queued). */
  schedule(task: Runnable): void {
    if (task.queued) return;
    task.queued = true;
    this.queue.push(task);
    if (!this.running && !this.pending) {
      this.pending = true;
      setImmediate(this.loop);
    }
  }

  /** Subtasks waiting to run (tests). */
  get queuedCount(): number { return this.queue.length; }

  private readonly loop = (): void => {
    this.pending = false;
    this.running = true;
    const stopAt = performance.now() + this.yieldAfterMs;
    try {
      while (this.queue.length > 0) {
        // One round: every queued subtask gets a slice; subtasks woken meanwhile join the next round.
        const round = this.queue;
        this.queue = this.next;
        this.next = round;
        for (let i = 0; i < round.length; i++) {
          const task = round[i];
          task.queued = false;
          if (task.runSlice(performance.now() + this.sliceMs) && !task.queued) {
            task.queued = true;
            this.queue.push(task);
          }
        }
        round.length = 0;
        if (performance.now() >= stopAt) break;
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0 && !this.pending) {
        this.pending = true;
        setImmediate(this.loop);
      }
    }
  };
}
