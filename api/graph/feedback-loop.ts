// FeedbackLoop: what a streaming iteration (`stream.iterate()` / `closeWith`) adds to the stream
// graph, and the in-process channel that closes the loop. As in Flink, the graph itself stays
// acyclic: the loop's head is a source node and its tail a sink node, and subtask i of the tail
// hands what it receives to subtask i of the head through a FeedbackChannel in their process. An
// input node (a pass-through at the head's parallelism) reads the iteration's regular input and
// tells its channel when that input has ended. Head, input and tail always share parallelism and
// slot sharing group, so subtask i of each lands in the same slot (hence the same process) on
// every executor. The channel also logs, per checkpoint, the records in flight around the loop
// (those queued at the head's snapshot, and those fed back after it until the tail's barrier):
// the tail's state holds them, so that fed-back records are at-least-once across failures.
// Pure; imports api/ only.
import type { StreamNode } from './stream-graph.ts';

/** Options of a streaming iteration (Flink's `iterate(maxWaitTimeMs)`). */
export interface FeedbackLoopOptions {
  /**
   * The head ends once the iteration's input has ended and nothing was fed back for this long
   * (on the job's clock): the loop has drained. Absent: DEFAULT_LOOP_DRAIN_WAIT_MS. 0: the loop
   * never ends by itself (Flink's iterate(0)). A record fed back after the head ended fails the
   * job naming this option, so a wait that was too short never loses records silently.
   */
  maxWaitTimeMs?: number;
}

/** The idle time after the end of its input that counts a loop as drained when iterate() is given none. */
export const DEFAULT_LOOP_DRAIN_WAIT_MS = 1_000;

/** One record in flight around the loop: [value, timestamp]. */
export type FeedbackRecord = [unknown, number];

/** What a stream node is to its loop. */
export interface FeedbackRole {
  readonly loop: FeedbackLoop;
  readonly role: 'head' | 'input' | 'tail';
}

const READ_CHUNK = 1024;

/** The queue from tail subtask i to head subtask i of one attempt. */
export class FeedbackChannel {
  private values: unknown[] = [];
  private timestamps: number[] = [];
  private readIndex = 0;
  /** Records in flight per checkpoint, from the head's snapshot to the tail's. */
  private readonly logs = new Map<number, FeedbackRecord[]>();
  private inputEnded = false;
  private headFinished = false;
  private lastActivity: number;
  private wake: (() => void) | undefined;

  constructor(readonly attempt: number, now: number) { this.lastActivity = now; }

  /** Records waiting for the head. */
  get size(): number { return this.values.length - this.readIndex; }

  /** The tail feeds a record back (or the restore re-queues one); false once the head has finished. */
  push(value: unknown, timestamp: number, now: number): boolean {
    if (this.headFinished) return false;
    this.values.push(value);
    this.timestamps.push(timestamp);
    for (const log of this.logs.values()) log.push([value, timestamp]);
    this.lastActivity = now;
    this.signal();
    return true;
  }

  /** The iteration's regular input (this subtask's share) has ended. */
  endInput(now: number): void {
    this.inputEnded = true;
    if (now > this.lastActivity) this.lastActivity = now;
    this.signal();
  }

  /** Emits up to a chunk of queued records; true when more remain. */
  take(emit: (value: unknown, timestamp: number) => void): boolean {
    const end = Math.min(this.values.length, this.readIndex + READ_CHUNK);
    for (let i = this.readIndex; i < end; i++) emit(this.values[i], this.timestamps[i]);
    this.readIndex = end;
    if (this.readIndex === this.values.length) {
      this.values = [];
      this.timestamps = [];
      this.readIndex = 0;
      return false;
    }
    if (this.readIndex > 4096 && this.readIndex * 2 > this.values.length) {
      this.values = this.values.slice(this.readIndex);
      this.timestamps = this.timestamps.slice(this.readIndex);
      this.readIndex = 0;
    }
    return true;
  }

  /**
   * When the head may end: its input ended, nothing is queued, and nothing came for `maxWaitMs`.
   * Returns 0 when it may end now, the ms left otherwise, or Infinity while it must wait for input.
   */
  idleRemaining(maxWaitMs: number, now: number): number {
    if (!this.inputEnded || this.size > 0 || !(maxWaitMs > 0)) return Infinity;
    return Math.max(0, this.lastActivity + maxWaitMs - now);
  }

  /** The head ended: whatever is fed back from now on cannot be delivered. */
  finishHead(): void { this.headFinished = true; }

  /** Called (once) on the next push or end of input. */
  onActivity(wake: () => void): void { this.wake = wake; }

  /** The head's snapshot of `checkpointId`: from now on the loop's records are logged for it. */
  beginCheckpoint(checkpointId: number): void {
    const queued: FeedbackRecord[] = [];
    for (let i = this.readIndex; i < this.values.length; i++) queued.push([this.values[i], this.timestamps[i]]);
    this.logs.set(checkpointId, queued);
  }

  /**
   * The tail's snapshot of `checkpointId`: the records in flight around the loop at the
   * checkpoint. Older checkpoints' logs go (they were subsumed or aborted).
   */
  endCheckpoint(checkpointId: number): FeedbackRecord[] {
    const log = this.logs.get(checkpointId);
    for (const id of [...this.logs.keys()]) if (id <= checkpointId) this.logs.delete(id);
    if (log !== undefined) return log;
    // No head snapshot for it: the head finished (idle, so nothing is in flight) or what is
    // queued now is all there is.
    const queued: FeedbackRecord[] = [];
    for (let i = this.readIndex; i < this.values.length; i++) queued.push([this.values[i], this.timestamps[i]]);
    return queued;
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

let nextLoopId = 1;

/** One streaming iteration of a stream graph: its nodes and, per subtask, its channel. */
export class FeedbackLoop {
  readonly id = nextLoopId++;
  head!: StreamNode;
  input!: StreamNode;
  tail: StreamNode | undefined;
  /** The attempt of each head subtask, set as its operator is set up (its reader looks it up). */
  readonly headAttempts = new Map<number, number>();
  private readonly channels = new Map<number, FeedbackChannel>();

  constructor(readonly maxWaitTimeMs: number | undefined) {}

  /**
   * The channel of subtask `subtaskIndex` for `attempt`; a newer attempt replaces an older one's
   * channel (what was queued there is replaced by the restore), an older attempt gets undefined.
   */
  channel(subtaskIndex: number, attempt: number, now: number): FeedbackChannel | undefined {
    const current = this.channels.get(subtaskIndex);
    if (current !== undefined && current.attempt > attempt) return undefined;
    if (current !== undefined && current.attempt === attempt) return current;
    const fresh = new FeedbackChannel(attempt, now);
    this.channels.set(subtaskIndex, fresh);
    return fresh;
  }

  /** The loop's nodes are given their shared settings (tail included once closed). */
  nodes(): StreamNode[] { return this.tail ? [this.head, this.input, this.tail] : [this.head, this.input]; }
}

/**
 * Checks every loop of `nodes` once settings are resolved: closed, and head, input and tail at one
 * parallelism and slot sharing group, fed by operators at the head's parallelism. Returns the
 * first problem, naming the operator.
 */
export function checkFeedbackLoops(
  nodes: readonly StreamNode[], parallelism: ReadonlyMap<StreamNode, number>, group: ReadonlyMap<StreamNode, string>,
): string | undefined {
  const loops = new Set<FeedbackLoop>();
  for (const n of nodes) if (n.feedback) loops.add(n.feedback.loop);
  for (const loop of loops) {
    const head = loop.head;
    if (loop.tail === undefined) {
      return `iteration "${head.name}" was never closed: pass its feedback stream to closeWith(...) on the IterativeStream`;
    }
    const p = parallelism.get(head)!, g = group.get(head)!;
    for (const node of [loop.input, loop.tail]) {
      if (parallelism.get(node) !== p || group.get(node) !== g) {
        return `iteration "${head.name}": "${node.name}" must run at the head's parallelism ${p} in its slot sharing group "${g}" ` +
          `(it runs at ${parallelism.get(node)} in "${group.get(node)}")`;
      }
    }
    for (const edge of loop.tail.inEdges) {
      const up = parallelism.get(edge.source)!;
      if (up !== p) {
        return `iteration "${head.name}": the feedback stream comes from operator "${edge.source.name}" at parallelism ${up}, ` +
          `but the iteration head runs at parallelism ${p}; a feedback edge needs the head's parallelism (set it on "${edge.source.name}" or on the iteration)`;
      }
    }
  }
  return undefined;
}
