// ActorCell: the runtime of one actor. It owns the mailbox, the state, the lifecycle machine, the
// children (in start order) and the supervision of those children. User messages are processed in
// synchronous batches per dispatcher turn; lifecycle work (start, failure handling, restart, stop)
// arrives as system messages that take priority and may be asynchronous. The lifecycle machine
// only ever sees lifecycle events; state persistence is delegated to ActorPersistence. A bounded
// mailbox applies its overflow policy here; death-watch notices bypass the bound (they are system
// messages in Akka's sense). The answer to the current ask is sent when the turn ends, unless the
// behaviour deferred it (a ReplyHandle answers later) or forwarded it to another actor.
// Imports the core's parts and the logger; nothing from api/ but the clock type.
// Just over 400 lines: the mailbox turn, supervision of children and the restart/stop lifecycle
// share the cell's state; asks (current-ask.ts), replies, dead letters and overflow live apart.

import type { Cancel } from '../../api/time/clock.ts';
import { ActorPersistence } from './actor-persistence.ts';
import { ActorNotAliveError, ActorRef, type RefTarget } from './actor-ref.ts';
import { createActorLifecycle, type ActorLifecycle } from './actor-lifecycle.machine.ts';
import { CellContext } from './cell-context.ts';
import type { ActorBehavior, PersistenceOptions, TerminationReason } from './define-actor.ts';
import type { Runnable } from './dispatcher.ts';
import { errorFields } from '../observability/logger.ts';
import { checkMailboxOptions, Mailbox, MailboxOverflowPolicy, type Asker, type MailboxOptions } from './mailbox.ts';
import { askWithTimeout, CurrentAsk } from './current-ask.ts';
import {
  backoffDelayMs, DEFAULT_SUPERVISOR_STRATEGY, RestartIntensity, restartTargets, type SupervisorDirective,
  type SupervisorStrategy,
} from './supervisor-strategy.ts';
import type { SystemRuntime } from './system-runtime.ts';

const STARTING = 0, RUNNING = 1, SUSPENDED = 2, RESTARTING = 3, STOPPING = 4, TERMINATED = 5;

/** Lifecycle work for a cell, processed before user messages. */
type SystemMessage =
  | { kind: 'start' }
  | { kind: 'child-failed'; child: ActorCell; incarnation: number; error: unknown }
  | { kind: 'resume' }
  | { kind: 'prepare-restart'; done: () => void }
  | { kind: 'reinit' }
  | { kind: 'stop'; reason: TerminationReason; error: unknown; done: () => void };

/** A supervisor failing because its children restarted too often. */
export class RestartIntensityExceededError extends Error {
  constructor(readonly path: string, readonly maxRestarts: number, readonly withinMs: number, readonly cause: unknown) {
    super(`supervisor ${path} exceeded ${maxRestarts} restarts within ${withinMs} ms; last failure: ${String((cause as Error)?.message ?? cause)}`);
    this.name = 'RestartIntensityExceededError';
  }
}

/** The runtime of one actor. */
export class ActorCell implements Runnable, RefTarget {
  scheduled = false;
  readonly ref: ActorRef;
  readonly lifecycle: ActorLifecycle = createActorLifecycle();
  /** Bumped by every restart, so that a failure report from an older incarnation is ignored. */
  incarnation = 0;
  mode = STARTING;
  readonly children: ActorCell[] = [];
  readonly watchers = new Set<ActorCell>();
  readonly watching = new Set<ActorCell>();
  /** Refs of actors in other processes that this actor watches. */
  readonly remoteWatching = new Set<ActorRef>();
  readonly timers = new Set<Cancel>();
  /** The ask of the current receive (answered, deferred or forwarded). */
  readonly currentAsk = new CurrentAsk((asker, value) => this.deliverReply(asker, value));
  /** Whether a receive of this actor is running (its replies then wait for persistence). */
  private receiving = false;

  private readonly mailbox = new Mailbox();
  private readonly capacity: number;
  private readonly overflow: MailboxOverflowPolicy;
  private readonly system: SystemMessage[] = [];
  private busy = false;
  private state: unknown;
  private hasState = false;
  private lastError: unknown;
  private readonly ctx: CellContext;
  private readonly strategy: SupervisorStrategy;
  private intensity: RestartIntensity;
  private readonly childRestarts = new WeakMap<ActorCell, RestartIntensity>();
  private readonly persistence: ActorPersistence | undefined;
  private stopWaiters: (() => void)[] | undefined;

  constructor(
    readonly runtime: SystemRuntime,
    readonly parent: ActorCell | undefined,
    readonly behavior: ActorBehavior<unknown, unknown>,
    readonly path: string,
    persistence: PersistenceOptions | undefined,
    mailbox?: MailboxOptions,
  ) {
    const bound = checkMailboxOptions(mailbox);
    this.capacity = bound.capacity;
    this.overflow = new MailboxOverflowPolicy(path, bound.capacity, bound.overflow, (dropped) => runtime.deadLetters.publish(dropped, path, 'mailbox-overflow'));
    this.ref = new ActorRef(path, this);
    this.strategy = behavior.supervisorStrategy ?? DEFAULT_SUPERVISOR_STRATEGY;
    this.intensity = new RestartIntensity(this.strategy.maxRestarts, this.strategy.withinMs);
    this.persistence = persistence ? new ActorPersistence(persistence, runtime) : undefined;
    this.ctx = new CellContext(this);
    runtime.registry.set(path, this.ref);
    this.enqueueSystem({ kind: 'start' });
  }

  // ---- messaging (the hot path) ----

  /**
   * Appends a message. `notice`: a death-watch notice, which a bounded mailbox takes even when full.
   * Throws MailboxOverflowError when a full mailbox with overflow 'fail' refuses the message.
   */
  enqueue(message: unknown, asker: Asker | undefined, notice = false): void {
    if (this.mode === TERMINATED) {
      this.runtime.deadLetters.publish(message, this.path, 'not-alive');
      asker?.reject(new ActorNotAliveError(this.path, message));
      return;
    }
    if (this.runtime.serializeMessages) message = this.runtime.roundTrip(message);
    if (this.mailbox.size >= this.capacity && !notice && !this.overflow.makeRoom(this.mailbox, message, asker)) return;
    this.mailbox.push(message, asker);
    if (!this.scheduled && this.mode === RUNNING && !this.busy) this.runtime.dispatcher.schedule(this);
  }

  ask(message: unknown, timeoutMs: number): Promise<unknown> {
    if (this.mode === TERMINATED) {
      this.runtime.deadLetters.publish(message, this.path, 'not-alive');
      return Promise.reject(new ActorNotAliveError(this.path, message));
    }
    return askWithTimeout(this.runtime.clock, this.path, message, timeoutMs, (asker) => this.enqueue(message, asker));
  }

  hasRunnableWork(): boolean {
    return !this.busy && (this.system.length > 0 || (this.mode === RUNNING && this.mailbox.size > 0));
  }

  runTurn(budget: number): number {
    if (this.busy) return 0;
    if (this.system.length > 0) { this.runSystemMessage(); return 0; }
    if (this.mode !== RUNNING) return 0;
    if (this.persistence) budget = this.persistence.turnBudget(budget);
    const mailbox = this.mailbox;
    const receive = this.behavior.receive;
    const ctx = this.ctx;
    const system = this.system;
    let state = this.state;
    let n = 0;
    this.receiving = true;
    while (n < budget && mailbox.size > 0) {
      const asker = mailbox.peekAsker();
      const message = mailbox.shift();
      n++;
      if (asker !== undefined) this.currentAsk.begin(asker);
      let result: unknown;
      try {
        result = receive(state, message, ctx);
      } catch (error) {
        this.state = state;
        this.receiving = false;
        this.afterReceiveError(error, asker, n - 1);
        return n;
      }
      if (result !== undefined) {
        if (result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
          this.state = state;
          this.awaitReceive(result as PromiseLike<unknown>, asker, n - 1);
          return n;
        }
        state = result;
      }
      if (asker !== undefined) this.currentAsk.finish();
      if (system.length > 0) break;
    }
    this.receiving = false;
    this.state = state;
    if (this.persistence) { this.persistence.processed(n); this.maybePersist(); }
    return n;
  }

  /**
   * Sends an answer (checked by serializeMessages). A persistent actor's answer given during one of
   * its receives waits until the state that receive produced is written.
   */
  private deliverReply(asker: Asker, value: unknown): void {
    if (this.runtime.serializeMessages && value !== undefined) {
      try { value = this.runtime.roundTrip(value); } catch (error) { asker.reject(error); return; }
    }
    if (this.persistence && this.receiving) this.persistence.acknowledge(asker, value);
    else asker.resolve(value);
  }

  private awaitReceive(pending: PromiseLike<unknown>, asker: Asker | undefined, processedBefore: number): void {
    this.persistence?.processed(processedBefore);
    this.beginAsync();
    pending.then((result) => {
      if (result !== undefined) this.state = result;
      if (asker !== undefined) this.currentAsk.finish();
      this.receiving = false;
      this.endAsync();
      if (this.persistence) { this.persistence.processed(1); this.maybePersist(); }
    }, (error: unknown) => {
      this.receiving = false;
      this.endAsync();
      this.afterReceiveError(error, asker, 0);
    });
  }

  private afterReceiveError(error: unknown, asker: Asker | undefined, processedBefore: number): void {
    if (asker !== undefined) this.currentAsk.abandon(error);
    if (!this.persistence) { this.fail(error); return; }
    // Messages processed before the failing one are acknowledged: persist them, then fail.
    this.persistence.processed(processedBefore);
    this.runAsync(async () => { await this.flushState(); this.fail(error); });
  }

  private maybePersist(): void {
    if (this.persistence?.due) this.runAsync(() => this.flushState());
  }

  private async flushState(): Promise<void> {
    if (this.persistence && this.hasState) await this.persistence.flush(this.state);
  }

  // ---- system messages ----

  /** Queues lifecycle work; it runs before the next user message. */
  enqueueSystem(message: SystemMessage): void {
    if (this.mode === TERMINATED) {
      if (message.kind === 'stop' || message.kind === 'prepare-restart') message.done();
      return;
    }
    this.system.push(message);
    if (!this.busy) this.runtime.dispatcher.schedule(this);
  }

  private beginAsync(): void { this.busy = true; this.runtime.inflight++; }

  private endAsync(): void {
    this.busy = false;
    this.runtime.inflight--;
    if (this.hasRunnableWork()) this.runtime.dispatcher.schedule(this);
  }

  /** Runs a lifecycle step with the mailbox held; `after` runs once it is released. */
  private runAsync(step: () => Promise<void>, after?: () => void): void {
    this.beginAsync();
    step().then(() => { this.endAsync(); after?.(); }, (error: unknown) => { this.endAsync(); after?.(); this.fail(error); });
  }

  private runSystemMessage(): void {
    const message = this.system.shift()!;
    switch (message.kind) {
      case 'start': this.runAsync(() => this.start()); break;
      case 'reinit': if (this.mode === RESTARTING) this.runAsync(() => this.start()); break;
      case 'resume':
        if (this.mode === SUSPENDED) { this.mode = RUNNING; this.resumeSuspendedChildren(); }
        break;
      case 'child-failed': this.runAsync(() => this.superviseFailure(message.child, message.incarnation, message.error)); break;
      case 'prepare-restart': this.runAsync(() => this.prepareRestart(), message.done); break;
      case 'stop': this.runAsync(() => this.terminate(message.reason, message.error, message.done)); break;
    }
  }

  private async start(): Promise<void> {
    let state: unknown;
    try {
      state = await this.behavior.init(this.ctx);
      if (this.persistence) {
        const stored = await this.persistence.restore();
        if (stored !== undefined) state = stored;
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    this.state = state;
    this.hasState = true;
    this.mode = RUNNING;
    this.lifecycle.send({ type: 'started' });
  }

  /** Suspends this actor and reports `error` to its supervisor. */
  fail(error: unknown): void {
    if (this.mode === TERMINATED || this.mode === STOPPING) return;
    this.mode = SUSPENDED;
    this.lastError = error;
    if (this.parent) this.parent.enqueueSystem({ kind: 'child-failed', child: this, incarnation: this.incarnation, error });
    else this.enqueueSystem({ kind: 'stop', reason: 'failed', error, done: () => {} });
  }

  private async superviseFailure(child: ActorCell, incarnation: number, error: unknown): Promise<void> {
    if (this.mode !== RUNNING && this.mode !== STARTING) return;
    if (child.incarnation !== incarnation || child.mode !== SUSPENDED || !this.children.includes(child)) return;
    let directive: SupervisorDirective = 'restart';
    if (this.strategy.decider) {
      try { directive = this.strategy.decider(error, child.ref); } catch (deciderError) { directive = 'escalate'; error = deciderError; }
    }
    // The guardian has no one to escalate to: it stops a failed top-level actor (as Akka Typed does).
    if (!this.parent) {
      directive = 'stop';
      this.runtime.log.error(`top-level actor ${child.path} failed and is stopped (supervise it by spawning it as the child of a parent with a supervisorStrategy)`,
        { actor: child.path, ...errorFields(error) });
    }
    if (directive === 'resume' && !child.hasState) directive = 'restart';
    switch (directive) {
      case 'resume': child.enqueueSystem({ kind: 'resume' }); return;
      case 'stop': await child.stop('failed', error); return;
      case 'escalate': this.fail(error); return;
      case 'restart': break;
    }
    const now = this.runtime.clock.now();
    if (!this.intensity.tryRestart(now)) {
      this.fail(new RestartIntensityExceededError(this.path, this.strategy.maxRestarts, this.strategy.withinMs, error));
      return;
    }
    let childIntensity = this.childRestarts.get(child);
    if (!childIntensity) { childIntensity = new RestartIntensity(Infinity, this.strategy.withinMs); this.childRestarts.set(child, childIntensity); }
    childIntensity.tryRestart(now);
    const delay = backoffDelayMs(this.strategy.backoff, childIntensity.restartsWithin(now));
    const targets = restartTargets(this.strategy.kind, this.children, child);
    for (let i = targets.length - 1; i >= 0; i--) {
      await new Promise<void>((done) => targets[i].enqueueSystem({ kind: 'prepare-restart', done }));
    }
    const reinit = (): void => { for (const t of targets) t.enqueueSystem({ kind: 'reinit' }); };
    if (delay <= 0) { reinit(); return; }
    const cancel = this.runtime.clock.schedule(delay, () => { this.timers.delete(cancel); reinit(); });
    this.timers.add(cancel);
  }

  /** After a resume, children whose failures were ignored while this actor was suspended are handled. */
  private resumeSuspendedChildren(): void {
    for (const child of this.children) {
      if (child.mode === SUSPENDED) this.enqueueSystem({ kind: 'child-failed', child, incarnation: child.incarnation, error: child.lastError });
    }
  }

  private async prepareRestart(): Promise<void> {
    if (this.mode === TERMINATED || this.mode === STOPPING) return;
    this.incarnation++;
    this.mode = RESTARTING;
    // A restarted supervisor is a new one (OTP): its restart intensity starts afresh.
    this.intensity = new RestartIntensity(this.strategy.maxRestarts, this.strategy.withinMs);
    this.lifecycle.send({ type: 'restart' });
    this.cancelTimers();
    this.unwatchAll();
    await this.stopChildren();
    try { await this.flushState(); } catch { /* restored from the last good write instead */ }
    await this.runPostStop();
  }

  /** Stops this actor; resolves when it has terminated. */
  stop(reason: TerminationReason = 'stopped', error?: unknown): Promise<void> {
    if (this.mode === TERMINATED) return Promise.resolve();
    return new Promise((done) => this.enqueueSystem({ kind: 'stop', reason, error, done }));
  }

  private async terminate(reason: TerminationReason, error: unknown, done: () => void): Promise<void> {
    if (this.stopWaiters) { this.stopWaiters.push(done); return; }
    this.stopWaiters = [done];
    this.mode = STOPPING;
    this.lifecycle.send({ type: 'stop' });
    this.cancelTimers();
    this.unwatchAll();
    await this.stopChildren();
    try { await this.flushState(); } catch { /* the state stays at its last good write */ }
    await this.runPostStop();
    this.mode = TERMINATED;
    this.persistence?.rejectPending(new ActorNotAliveError(this.path, undefined));
    this.mailbox.drain((message, asker) => {
      this.runtime.deadLetters.publish(message, this.path, 'not-alive');
      asker?.reject(new ActorNotAliveError(this.path, message));
    });
    for (const m of this.system.splice(0)) if (m.kind === 'stop' || m.kind === 'prepare-restart') m.done();
    if (this.parent) {
      const index = this.parent.children.indexOf(this);
      if (index >= 0) this.parent.children.splice(index, 1);
    }
    this.lifecycle.send({ type: reason === 'failed' ? 'fail' : 'terminated' });
    const notice = { type: 'actor.terminated' as const, ref: this.ref, reason, ...(error === undefined ? {} : { error: String((error as Error)?.message ?? error) }) };
    // Still registered while the notices go out, so that serializeMessages resolves this very ref.
    for (const watcher of this.watchers) { watcher.watching.delete(this); watcher.enqueue(notice, undefined, true); }
    if (this.runtime.registry.get(this.path) === this.ref) this.runtime.registry.delete(this.path);
    this.watchers.clear();
    for (const waiter of this.stopWaiters) waiter();
  }

  private async stopChildren(): Promise<void> {
    for (const child of this.children.slice().reverse()) await child.stop('stopped');
  }

  private async runPostStop(): Promise<void> {
    if (!this.hasState) return;
    this.hasState = false;
    try {
      await this.behavior.postStop?.(this.state, this.ctx);
    } catch {
      // A failing postStop must not stop the restart or termination it belongs to.
    }
  }

  private cancelTimers(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  private unwatchAll(): void {
    for (const target of this.watching) target.watchers.delete(this);
    this.watching.clear();
    for (const ref of this.remoteWatching) ref.target.unwatch?.(this.ref);
    this.remoteWatching.clear();
  }

  /** Whether the actor has terminated. */
  get terminated(): boolean { return this.mode === TERMINATED; }

  /** Messages waiting in the mailbox (introspection: read on demand, never kept up to date). */
  get mailboxSize(): number { return this.mailbox.size; }

  /** Whether the cell is doing nothing and has nothing queued that it could do now. */
  get quiet(): boolean { return !this.busy && !this.hasRunnableWork(); }
}
