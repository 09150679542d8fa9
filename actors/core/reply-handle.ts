// The answer to one ask, taken out of the turn that received it: `ctx.deferReply()` returns a
// ReplyHandle that answers from any later turn (after the actor asked another actor, say). An ask
// is answered once: the first `reply` or `fail` settles it and later calls are ignored (they return
// false), as is an answer after the ask timed out — like a late reply in Akka, nobody waits for it.
// Imports the mailbox's Asker type only.

import type { Asker } from './mailbox.ts';

/** Answers one ask later, from any turn; the first answer wins. */
export interface DeferredReply {
  /** Answers the ask with `value`; false (and nothing sent) when it was answered already. */
  reply(value: unknown): boolean;
  /** Rejects the ask with `error`; false (and nothing sent) when it was answered already. */
  fail(error: unknown): boolean;
  /** Whether the ask has been answered (or there was no ask: deferReply during a tell). */
  readonly answered: boolean;
}

/** A deferred answer to the ask `asker`; `deliver` sends a value the way the actor's own reply would. */
export class ReplyHandle implements DeferredReply {
  private done = false;

  constructor(private readonly asker: Asker, private readonly deliver: (asker: Asker, value: unknown) => void) {}

  get answered(): boolean { return this.done; }

  reply(value: unknown): boolean {
    if (this.done) return false;
    this.done = true;
    this.deliver(this.asker, value);
    return true;
  }

  fail(error: unknown): boolean {
    if (this.done) return false;
    this.done = true;
    this.asker.reject(error);
    return true;
  }

  /** Takes the ask away from this handle (it was forwarded); false when it was answered already. */
  takeOver(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}

/** The handle deferReply returns while the actor handles a tell: there is nothing to answer. */
export const NO_ASK: DeferredReply = Object.freeze({
  reply: () => false,
  fail: () => false,
  answered: true,
});
