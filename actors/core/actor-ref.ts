// ActorRef: the handle users hold. Location-transparent by path; `tell` and `ask` go straight to
// the target's mailbox (no allocation for `tell`). Also the errors an ask can end with.
// Imports the codec only to register refs as path-encoded values; nothing from api/.

import { registerRefClass } from '../network/codec.ts';
import type { Asker } from './mailbox.ts';

/** What a ref delivers to: an actor cell, or the dead-letter target of an unknown path. */
export interface RefTarget {
  /** Appends a message to the mailbox; throws when serializeMessages rejects it. */
  enqueue(message: unknown, asker: Asker | undefined): void;
  /** Sends `message` and waits for the reply. */
  ask(message: unknown, timeoutMs: number): Promise<unknown>;
  /** Death watch of a target in another process (local cells are watched through their cell). */
  watch?(watcher: ActorRef): void;
  /** Ends a death watch started with `watch`. */
  unwatch?(watcher: ActorRef): void;
}

/** A reference to an actor: survives restarts of the actor, compares by identity. */
export class ActorRef<Msg = unknown> {
  /** @internal the cell behind this ref. */
  readonly target: RefTarget;

  constructor(readonly path: string, target: RefTarget) {
    this.target = target;
  }

  /** Sends `msg` without waiting (fire and forget). */
  tell(msg: Msg): void {
    this.target.enqueue(msg, undefined);
  }

  /** Sends `msg` and resolves with the actor's `ctx.reply` value (undefined when it did not reply). */
  ask<R = unknown>(msg: Msg, timeoutMs = 5000): Promise<R> {
    return this.target.ask(msg, timeoutMs) as Promise<R>;
  }

  /** The path, for logs. */
  toString(): string {
    return this.path;
  }
}

registerRefClass(ActorRef);

function typeOf(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : typeof message;
}

/** An ask that got no answer within its timeout. */
export class AskTimeoutError extends Error {
  constructor(readonly path: string, readonly timeoutMs: number, message: unknown) {
    super(`ask to ${path} timed out after ${timeoutMs} ms (message '${typeOf(message)}')`);
    this.name = 'AskTimeoutError';
  }
}

/** A message sent to an actor that is stopped (or was never there, or is in a system this one is not connected to). */
export class ActorNotAliveError extends Error {
  constructor(readonly path: string, message: unknown, reason?: string) {
    super(`actor ${path} is not alive (message '${typeOf(message)}')${reason === undefined ? '' : `: ${reason}`}`);
    this.name = 'ActorNotAliveError';
  }
}
