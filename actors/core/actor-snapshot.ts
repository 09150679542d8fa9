// A read-only snapshot of an actor system's supervision tree: each live actor's path, behaviour
// name (when the behaviour has one), lifecycle state (read from its xstate machine), mailbox size
// and restart count, with its children, plus the system's totals and dead-letter count. It is
// computed on demand by walking the cells, so keeping it costs the messaging path nothing; a
// limit on the actors listed keeps a huge tree from becoming a huge answer (the totals still
// count every actor). The snapshot is plain data: it crosses processes in msgpack and REST in JSON.
// Imports the cell and the lifecycle machine.
import type { ActorCell } from './actor-cell.ts';
import { lifecycleState, type ActorLifecycleState } from './actor-lifecycle.machine.ts';

/** One actor in a snapshot. */
export interface ActorSnapshot {
  /** Its full path (`actorflow://system/user/a/b`). */
  readonly path: string;
  /** The last segment of its path. */
  readonly name: string;
  /** Its behaviour's `name`, when the behaviour has one. */
  readonly behavior?: string;
  /** The state of its lifecycle machine. */
  readonly state: ActorLifecycleState;
  /** Messages waiting in its mailbox. */
  readonly mailboxSize: number;
  /** How often it was restarted by its supervisor. */
  readonly restarts: number;
  /** Its children, in start order. */
  readonly children: readonly ActorSnapshot[];
}

/** A snapshot of one actor system. */
export interface ActorSystemSnapshot {
  /** The system's name. */
  readonly system: string;
  /** Its address once it listens or connects (`actorflow://name@host:port`). */
  readonly address?: string;
  /** When the snapshot was taken, on the system's clock (ms). */
  readonly takenAt: number;
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
  /** The top-level actors with their subtrees (at most `maxActors` actors in all). */
  readonly tree: readonly ActorSnapshot[];
  /** True when the tree lists fewer actors than `actors` (the limit was reached). */
  readonly truncated: boolean;
}

/** Options of a snapshot. */
export interface SnapshotOptions {
  /** At most this many actors in `tree` (default: all); 0 gives the totals only. */
  readonly maxActors?: number;
}

/** Walks the live descendants of `guardian` (breadth first, so a limit keeps the upper levels). */
export function snapshotTree(guardian: ActorCell, options: SnapshotOptions = {}): Omit<ActorSystemSnapshot, 'system' | 'address' | 'takenAt' | 'deadLetters'> {
  const limit = options.maxActors ?? Infinity;
  if (!(limit >= 0)) throw new RangeError(`maxActors must be a number >= 0, got ${String(options.maxActors)}`);
  const tree: ActorSnapshot[] = [];
  let actors = 0, listed = 0, mailboxSize = 0, maxMailboxSize = 0, restarts = 0;
  const queue: Array<{ readonly cell: ActorCell; readonly into: ActorSnapshot[] | undefined }> = guardian.children.map((cell) => ({ cell, into: tree }));
  for (let i = 0; i < queue.length; i++) {
    const { cell, into } = queue[i];
    if (cell.terminated) continue;
    actors++;
    const size = cell.mailboxSize;
    mailboxSize += size;
    if (size > maxMailboxSize) maxMailboxSize = size;
    restarts += cell.incarnation;
    let children: ActorSnapshot[] | undefined;
    if (into !== undefined && listed < limit) {
      listed++;
      children = [];
      into.push({
        path: cell.path, name: cell.path.slice(cell.path.lastIndexOf('/') + 1),
        ...(cell.behavior.name !== undefined ? { behavior: cell.behavior.name } : {}),
        state: lifecycleState(cell.lifecycle), mailboxSize: size, restarts: cell.incarnation, children,
      });
    }
    for (const child of cell.children) queue.push({ cell: child, into: children });
  }
  return { actors, mailboxSize, maxMailboxSize, restarts, tree, truncated: listed < actors };
}
