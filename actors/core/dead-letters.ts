// Dead letters: where every message that could not be delivered ends up — sent to a stopped or
// unknown actor, dropped by a full bounded mailbox, refused because it is too large for a frame,
// or left behind by a lost connection. Each one is counted, logged at warn (at most one line per
// reason every few seconds, through the system clock, saying how many were held back) and handed
// to the listeners registered with `system.onDeadLetter`. A listener that throws is logged and
// does not keep the others from running.
// Imports the logger and the clock type only.

import type { Clock } from '../../api/time/clock.ts';
import { errorFields, logger, RateLimitedLog, type Logger } from '../observability/logger.ts';

/** Why a message could not be delivered. */
export type DeadLetterReason =
  /** The recipient is stopped, or no actor has that path. */
  | 'not-alive'
  /** The recipient's bounded mailbox was full (drop-new, drop-old, or fail). */
  | 'mailbox-overflow'
  /** The recipient lives in a system this one has no connection to (or is reconnecting to). */
  | 'not-connected'
  /** The message was waiting to be sent when the connection to the recipient's system was lost. */
  | 'connection-lost'
  /** The encoded message is larger than the receiving system accepts in one frame. */
  | 'oversized';

/** A message that could not be delivered. */
export interface DeadLetter {
  /** The message itself. */
  readonly message: unknown;
  /** The path of the actor it was meant for. */
  readonly recipient: string;
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason;
}

/** Minimum time between two log lines of one reason. */
export const DEAD_LETTER_LOG_INTERVAL_MS = 10_000;

function typeOf(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : typeof message;
}

/** The dead letters of one actor system. */
export class DeadLetterOffice {
  /** Dead letters so far. */
  count = 0;
  private readonly listeners = new Set<(letter: DeadLetter) => void>();
  private readonly rateLimit: RateLimitedLog;
  private readonly log: Logger;

  constructor(systemName: string, clock: Clock) {
    this.rateLimit = new RateLimitedLog(DEAD_LETTER_LOG_INTERVAL_MS, () => clock.now());
    this.log = logger('dead-letters', { system: systemName });
  }

  /** Records one dead letter. */
  publish(message: unknown, recipient: string, reason: DeadLetterReason): void {
    this.count++;
    this.rateLimit.attempt(reason, (suppressed) => {
      this.log.warn(`dead letter: message '${typeOf(message)}' to ${recipient} was not delivered (${reason})`
        + (suppressed > 0 ? `; ${suppressed} more dead letters of this kind since the last line` : ''),
      { recipient, reason, messageType: typeOf(message), suppressed });
    });
    if (this.listeners.size === 0) return;
    const letter: DeadLetter = { message, recipient, reason };
    for (const listener of this.listeners) {
      try {
        listener(letter);
      } catch (error) {
        this.log.error('a dead-letter listener threw', errorFields(error));
      }
    }
  }

  /** Calls `listener` with every later dead letter; returns the function that stops it. */
  subscribe(listener: (letter: DeadLetter) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onDeadLetter needs a function');
    // A wrapper per subscription: the same function subscribed twice is unsubscribed separately.
    const entry = (letter: DeadLetter): void => listener(letter);
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }
}
