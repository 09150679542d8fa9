// CellContext: the ActorContext a behaviour receives, backed by its actor cell. Spawning, stopping,
// watching, replying and scheduling through the system clock. Imports the cell's type only
// (and constructs child cells).

import type { Cancel } from '../../api/time/clock.ts';
import { ActorCell } from './actor-cell.ts';
import type { ActorRef } from './actor-ref.ts';
import type { ActorSystem } from './actor-system.ts';
import type { ActorBehavior, ActorContext, SpawnOptions } from './define-actor.ts';

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
    options?.persistence ?? behavior.persistence);
  parent.children.push(cell);
  return cell.ref as ActorRef<M>;
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
      this.cell.enqueue({ type: 'actor.terminated', ref, reason: 'stopped' }, undefined);
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
    if (this.cell.currentAsker === undefined) return;
    this.cell.replied = true;
    this.cell.replyValue = value;
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
