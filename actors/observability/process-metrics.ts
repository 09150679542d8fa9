// The metrics of one process (or worker thread) and its actor system: memory, and the actor
// system's actors, queued messages, restarts and dead letters. The actor system is walked from its
// guardian through the public cell tree; a mailbox's length is read from the cell (the core keeps
// it private, so the one read here is narrow and typed). Values are named as Flink names its
// Status.* metrics, with `actorSystem.*` for what Flink has no counterpart of.
// Imports actors/core only.
import type { ActorSystem } from '../core/actor-system.ts';
import { cellOf } from '../core/cell-context.ts';
import type { ActorCell } from '../core/actor-cell.ts';

/** Flat metric name -> value. */
export type MetricValues = Record<string, number>;

/** Counts of one actor system. */
export interface ActorSystemMetrics {
  /** Live actors (the guardian not counted). */
  readonly actors: number;
  /** Messages waiting in every mailbox. */
  readonly mailboxSize: number;
  /** The longest mailbox. */
  readonly maxMailboxSize: number;
  /** Restarts of the live actors so far. */
  readonly restarts: number;
  /** Messages that could not be delivered so far. */
  readonly deadLetters: number;
}

function mailboxSizeOf(cell: ActorCell): number {
  const mailbox = (cell as unknown as { mailbox?: { size?: unknown } }).mailbox;
  return typeof mailbox?.size === 'number' ? mailbox.size : 0;
}

/** Walks `system`'s live actors. */
export function actorSystemMetrics(system: ActorSystem): ActorSystemMetrics {
  const guardian = cellOf(system.resolve(`actorflow://${system.name}/user`));
  let actors = 0, mailboxSize = 0, maxMailboxSize = 0, restarts = 0;
  const stack: ActorCell[] = guardian ? [...guardian.children] : [];
  while (stack.length > 0) {
    const cell = stack.pop()!;
    if (cell.terminated) continue;
    actors++;
    const size = mailboxSizeOf(cell);
    mailboxSize += size;
    if (size > maxMailboxSize) maxMailboxSize = size;
    restarts += cell.incarnation;
    stack.push(...cell.children);
  }
  return { actors, mailboxSize, maxMailboxSize, restarts, deadLetters: system.deadLetters };
}

/** Memory of this process (heap of this thread, resident set of the process), when the runtime tells. */
export function memoryMetrics(): MetricValues {
  const usage = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number; heapTotal: number; rss: number } } }).process?.memoryUsage?.();
  if (!usage) return {};
  return { 'Status.Memory.Heap.Used': usage.heapUsed, 'Status.Memory.Heap.Committed': usage.heapTotal, 'Status.Memory.RSS': usage.rss };
}

/** The process's metrics: memory and, given its actor system, the system's counts. */
export function processMetrics(system?: ActorSystem): MetricValues {
  const out: MetricValues = memoryMetrics();
  if (system) {
    const a = actorSystemMetrics(system);
    Object.assign(out, {
      'actorSystem.actors': a.actors, 'actorSystem.mailboxSize': a.mailboxSize, 'actorSystem.maxMailboxSize': a.maxMailboxSize,
      'actorSystem.restarts': a.restarts, 'actorSystem.deadLetters': a.deadLetters,
    });
  }
  return out;
}
