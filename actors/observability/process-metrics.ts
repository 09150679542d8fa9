// The metrics of one process (or worker thread) and its actor system: memory, and the actor
// system's actors, queued messages, restarts and dead letters (from the system's snapshot, which
// walks its tree when asked). Values are named as Flink names its
// Status.* metrics, with `actorSystem.*` for what Flink has no counterpart of.
// Imports actors/core only.
import type { ActorSystem } from '../core/actor-system.ts';

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

/** `system`'s totals, from a snapshot of its tree that lists no actors (computed now). */
export function actorSystemMetrics(system: ActorSystem): ActorSystemMetrics {
  const { actors, mailboxSize, maxMailboxSize, restarts, deadLetters } = system.snapshot({ maxActors: 0 });
  return { actors, mailboxSize, maxMailboxSize, restarts, deadLetters };
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
