// CurrentAsk: the ask an actor is handling in its current receive, and what becomes of it there.
// By default it is answered when the receive returns (with the value of `ctx.reply`, or
// undefined); `ctx.deferReply()` moves the answer to a ReplyHandle for a later turn; `ctx.forward`
// hands the asker to another actor. Also `askWithTimeout`, the promise side of a local ask.
// Imports the clock type, the ask error and the reply handle.

import type { Clock } from '../../api/time/clock.ts';
import { AskTimeoutError } from './actor-ref.ts';
import type { Asker } from './mailbox.ts';
import { NO_ASK, ReplyHandle, type DeferredReply } from './reply-handle.ts';

const FORWARDED = 'forwarded';

/** The ask of one actor's current receive (one object per actor, reused for every ask). */
export class CurrentAsk {
  /** The asker of the message being handled; undefined during a tell. */
  private asker: Asker | undefined;
  private replied = false;
  private value: unknown;
  /** Deferred (its handle), forwarded, or still the receive's to answer (undefined). */
  private handoff: ReplyHandle | typeof FORWARDED | undefined;

  /** `deliver` sends an answer the way the actor's replies go (serialize check, persistence). */
  constructor(private readonly deliver: (asker: Asker, value: unknown) => void) {}

  /** A receive of an ask starts. */
  begin(asker: Asker): void {
    this.asker = asker;
    this.replied = false;
    this.value = undefined;
    this.handoff = undefined;
  }

  /** `ctx.reply`: the answer (sent when the receive returns, or at once once deferred). */
  reply(value: unknown): void {
    if (this.asker === undefined || this.handoff === FORWARDED) return;
    if (this.handoff !== undefined) { this.handoff.reply(value); return; }
    this.replied = true;
    this.value = value;
  }

  /** `ctx.deferReply`: the handle that answers later (the same one if called twice). */
  defer(): DeferredReply {
    const asker = this.asker;
    if (asker === undefined || this.handoff === FORWARDED) return NO_ASK;
    if (this.handoff !== undefined) return this.handoff;
    const handle = new ReplyHandle(asker, this.deliver);
    this.handoff = handle;
    // A reply given earlier in this receive is the answer.
    if (this.replied) handle.reply(this.value);
    return handle;
  }

  /** `ctx.forward`: takes the asker away to hand it on; undefined when there is none left to take. */
  takeForForward(): Asker | undefined {
    const asker = this.asker;
    if (asker === undefined || this.handoff === FORWARDED) return undefined;
    if (this.handoff !== undefined && !this.handoff.takeOver()) return undefined;
    this.handoff = FORWARDED;
    return asker;
  }

  /** The receive returned: answers the ask unless it was deferred or forwarded. */
  finish(): void {
    const { asker, handoff } = this;
    const value = this.replied ? this.value : undefined;
    this.clear();
    if (asker !== undefined && handoff === undefined) this.deliver(asker, value);
  }

  /** The receive failed: its ask fails with `error`, unless it was forwarded (the other actor answers). */
  abandon(error: unknown): void {
    const { asker, handoff } = this;
    this.clear();
    if (asker === undefined || handoff === FORWARDED) return;
    if (handoff === undefined) asker.reject(error);
    else handoff.fail(error);
  }

  private clear(): void {
    this.asker = undefined;
    this.replied = false;
    this.value = undefined;
    this.handoff = undefined;
  }
}

/**
 * An ask of a local actor: enqueues `message` with an asker that settles once, rejecting with
 * AskTimeoutError after `timeoutMs` on `clock`; an enqueue that throws rejects it.
 */
export function askWithTimeout(
  clock: Clock, path: string, message: unknown, timeoutMs: number, enqueue: (asker: Asker) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const cancel = clock.schedule(timeoutMs, () => {
      if (settled) return;
      settled = true;
      reject(new AskTimeoutError(path, timeoutMs, message));
    });
    const asker: Asker = {
      resolve: (value) => { if (!settled) { settled = true; cancel(); resolve(value); } },
      reject: (error) => { if (!settled) { settled = true; cancel(); reject(error); } },
      deadline: clock.now() + timeoutMs,
    };
    try {
      enqueue(asker);
    } catch (error) {
      asker.reject(error);
    }
  });
}
