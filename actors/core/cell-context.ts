// CellContext: the ActorContext a behaviour receives, backed by its actor cell. Spawning, stopping,
// watching, replying (now, deferred, or forwarded) and scheduling through the system clock.
// Imports the cell (and constructs child cells) and the reply handle.

import type { Cancel } from '../../api/time/clock.ts';
import { ActorCell } from './actor-cell.ts';
import type { ActorRef } from './actor-ref.ts';
import type { ActorSystem } from './actor-system.ts';
import type { ActorBehavior, ActorContext, SpawnOptions } from './define-actor.ts';
import type { DeferredReply } from './reply-handle.ts';

/** Finds the cell behind a ref of this process (undefined for dead or foreign refs). */
export function cellOf(ref: ActorRef): ActorCell | undefined {
  return ref.target instanceof ActorCell ? ref.target : undefined;
}

/** Starts a child cell of `parent`; names must be unique among live siblings. */
export function spawnChild<S, M>(parent: ActorCell, behavior: ActorBehavior<S, M>, name: string, options?: SpawnOptions): ActorRef<M> {
  if (!/^[A-Za-z0-9_.:@$+=-][A-Za-z0-9_.:@$+=~-]*$/.test(name)) throw new Error(`invalid actor name '${name}'`);
  if (parent.terminated) throw new Error(`cannot spawn '${name}' under stopped actor ${parent.path}`);
  if (parent.children.some((c) => c.path === `${parent.path}/${name}` && !c.terminated)) {
    throw new Error(`actor name '${name}' is already taken under ${parent.path}`);
  }
  const cell = new ActorCell(parent.runtime, parent, behavior as ActorBehavior<unknown, unknown>, `${parent.path}/${name}`,
    options?.persistence ?? behavior.persistence, options?.mailbox);
  parent.children.push(cell);
  return cell.ref as ActorRef<M>;
}

/**
 * Delivers a death-watch notice to `watcher`: past the bound of a full bounded mailbox, since a
 * notice is a system message that must never be dropped.
 */
export function deliverNotice(watcher: ActorRef, notice: unknown): void {
  const cell = cellOf(watcher);
  if (cell) cell.enqueue(notice, undefined, true);
  else watcher.tell(notice);
}

/** The context of one actor. */
export class CellContext implements ActorContext<unknown> {
  constructor(private readonly cell: ActorCell) {}

  get self(): ActorRef { return this.cell.ref; }
  get parent(): ActorRef | undefined { return this.cell.parent?.ref; }
  get system(): ActorSystem { return this.cell.runtime.system; }

  spawn<S, M>(behavior: ActorBehavior<S, M>, name: string, options?: SpawnOptions): ActorRef<M> {
    return spawnChild(this.cell, behavior, name, options);
  }

  stop(ref: ActorRef): Promise<void> {
    const target = cellOf(ref);
    if (!target) return Promise.resolve();
    if (target !== this.cell && target.parent !== this.cell) {
      return Promise.reject(new Error(`${this.cell.path} may stop only itself and its children, not ${ref.path}`));
    }
    return target.stop('stopped');
  }

  children(): ActorRef[] {
    return this.cell.children.filter((c) => !c.terminated).map((c) => c.ref);
  }

  watch(ref: ActorRef): void {
    const target = cellOf(ref);
    if (!target && ref.target.watch) {
      this.cell.remoteWatching.add(ref);
      ref.target.watch(this.cell.ref);
      return;
    }
    if (!target || target.terminated) {
      this.cell.enqueue({ type: 'actor.terminated', ref, reason: 'stopped' }, undefined, true);
      return;
    }
    target.watchers.add(this.cell);
    this.cell.watching.add(target);
  }

  unwatch(ref: ActorRef): void {
    const target = cellOf(ref);
    if (!target && ref.target.unwatch) {
      if (this.cell.remoteWatching.delete(ref)) ref.target.unwatch(this.cell.ref);
      return;
    }
    if (!target) return;
    target.watchers.delete(this.cell);
    this.cell.watching.delete(target);
  }

  reply(value: unknown): void {
    this.cell.currentAsk.reply(value);
  }

  deferReply(): DeferredReply {
    return this.cell.currentAsk.defer();
  }

  forward(ref: ActorRef, msg: unknown): void {
    const asker = this.cell.currentAsk.takeForForward();
    if (asker === undefined) { ref.tell(msg); return; }
    try {
      ref.target.enqueue(msg, asker);
    } catch (error) {
      // Refused at once (a full 'fail' mailbox, a message that cannot be encoded): the asker learns.
      asker.reject(error);
    }
  }

  scheduleOnce(delayMs: number, msg: unknown): Cancel {
    const cell = this.cell;
    const cancel = cell.runtime.clock.schedule(delayMs, () => { cell.timers.delete(cancel); cell.ref.tell(msg); });
    cell.timers.add(cancel);
    return () => { cell.timers.delete(cancel); cancel(); };
  }

  scheduleRepeatedly(intervalMs: number, msg: unknown): Cancel {
    const cell = this.cell;
    let current: Cancel;
    const tick = (): void => {
      cell.timers.delete(current);
      current = cell.runtime.clock.schedule(intervalMs, tick);
      cell.timers.add(current);
      cell.ref.tell(msg);
    };
    current = cell.runtime.clock.schedule(intervalMs, tick);
    cell.timers.add(current);
    return () => { cell.timers.delete(current); current(); };
  }
}
