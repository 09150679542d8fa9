// Behaviours: what a user writes to define an actor (`defineActor`), the context it receives,
// and the message every watcher gets. Types plus one validating factory; the runtime that runs a
// behaviour is the actor cell. Imports only types from the core and api/time.

import type { Cancel } from '../../api/time/clock.ts';
import type { ActorRef } from './actor-ref.ts';
import type { ActorSystem } from './actor-system.ts';
import type { MailboxOptions } from './mailbox.ts';
import type { DeferredReply } from './reply-handle.ts';
import type { SupervisorStrategy } from './supervisor-strategy.ts';

/** Where and how often an actor's state is kept in KV. */
export interface PersistenceOptions {
  /** The actor's key: state lives under ['actorflow', 'actor', key]. */
  readonly key: string;
  /** Persist after at most this many processed messages (default 1); asks always persist first. */
  readonly snapshotEvery?: number;
}

/** A behaviour: how an actor starts, handles messages, and stops. */
export interface ActorBehavior<State, Msg> {
  /** Builds the state; runs at start and on every restart (persisted state then replaces it). */
  init(ctx: ActorContext<Msg>): State | Promise<State>;
  /** Handles one message; returning undefined keeps the state. A promise holds the mailbox until it settles. */
  receive(state: State, msg: Msg, ctx: ActorContext<Msg>): State | void | Promise<State | void>;
  /** Runs when the actor stops and before each restart. */
  postStop?(state: State, ctx: ActorContext<Msg>): void | Promise<void>;
  /** How this actor treats its failing children. */
  supervisorStrategy?: SupervisorStrategy;
  /** Keeps the state in KV so that a restarted or re-created actor resumes from it. */
  persistence?: PersistenceOptions;
  /** What the behaviour is, as introspection shows it (`system.snapshot()`, the dashboard's actor view). */
  name?: string;
}

/** Options of one spawned actor. */
export interface SpawnOptions {
  /** Overrides the behaviour's persistence (e.g. a key per instance). */
  readonly persistence?: PersistenceOptions;
  /** Bounds the mailbox (unbounded by default): `{ capacity, overflow: 'drop-new' | 'drop-old' | 'fail' }`. */
  readonly mailbox?: MailboxOptions;
}

/**
 * Why a watched actor ended. 'connection-lost': the actor lives in another process and the
 * connection to that process was lost, so it may still be alive but can no longer be reached.
 */
export type TerminationReason = 'stopped' | 'failed' | 'connection-lost';

/** What a watcher receives when a watched actor ends. */
export interface ActorTerminated {
  readonly type: 'actor.terminated';
  readonly ref: ActorRef;
  readonly reason: TerminationReason;
  /** The failure's message when reason is 'failed'; which connection was lost for 'connection-lost'. */
  readonly error?: string;
}

/** What a behaviour sees of its actor and the system. */
export interface ActorContext<Msg = unknown> {
  /** This actor. */
  readonly self: ActorRef<Msg>;
  /** The supervisor (the system guardian for top-level actors). */
  readonly parent: ActorRef | undefined;
  /** The system this actor lives in. */
  readonly system: ActorSystem;
  /** Starts a child supervised by this actor. */
  spawn<S, M>(behavior: ActorBehavior<S, M>, name: string, options?: SpawnOptions): ActorRef<M>;
  /**
   * Stops a child (or this actor); resolves when it has terminated. Stopping itself takes effect
   * after the current message, so a receive must not await its own stop.
   */
  stop(ref: ActorRef): Promise<void>;
  /** Live children, in start order. */
  children(): ActorRef[];
  /** Delivers an `actor.terminated` message to this actor when `ref` ends. */
  watch(ref: ActorRef): void;
  /** Stops watching `ref`. */
  unwatch(ref: ActorRef): void;
  /**
   * Answers the ask being processed (no-op for a tell). A receive of an ask that neither replies,
   * defers nor forwards answers it with undefined when it returns.
   */
  reply(value: unknown): void;
  /**
   * Keeps the ask being processed open after this receive: the handle answers it from any later
   * turn with `reply(value)` or `fail(error)` (the first answer wins; the ask still times out).
   * During a tell the handle has nothing to answer (`answered` is true).
   */
  deferReply(): DeferredReply;
  /**
   * Sends `msg` to `ref` on behalf of the ask being processed: `ref`'s `ctx.reply` answers the
   * original asker (local or remote `ref`). During a tell, the same as `ref.tell(msg)`.
   */
  forward(ref: ActorRef, msg: unknown): void;
  /** Sends `msg` to this actor after `delayMs`, through the system clock. */
  scheduleOnce(delayMs: number, msg: Msg): Cancel;
  /** Sends `msg` to this actor every `intervalMs`, through the system clock. */
  scheduleRepeatedly(intervalMs: number, msg: Msg): Cancel;
}

/** Declares a behaviour (checks its shape once, so mistakes fail at definition, not at spawn). */
export function defineActor<State, Msg>(behavior: ActorBehavior<State, Msg>): ActorBehavior<State, Msg> {
  if (typeof behavior.init !== 'function') throw new TypeError('defineActor: init must be a function');
  if (typeof behavior.receive !== 'function') throw new TypeError('defineActor: receive must be a function');
  const strategy = behavior.supervisorStrategy;
  if (strategy && !(strategy.maxRestarts >= 0 && strategy.withinMs > 0)) {
    throw new TypeError('defineActor: supervisorStrategy needs maxRestarts >= 0 and withinMs > 0');
  }
  if (behavior.name !== undefined && typeof behavior.name !== 'string') throw new TypeError('defineActor: name must be a string');
  const persistence = behavior.persistence;
  if (persistence && (typeof persistence.key !== 'string' || persistence.key === '')) {
    throw new TypeError('defineActor: persistence.key must be a non-empty string');
  }
  return behavior;
}
