// An actor's mailbox: a growable ring buffer of (message, ask) pairs with a head index. No
// per-message allocation beyond the array slots, no promise per message; the asker slot is
// undefined for `tell`. Unbounded by default; the options of a bounded one (capacity and what
// happens on overflow) are validated here, and the actor cell applies them when it enqueues.
// Imports nothing.

/** The pending reply of one `ask`. */
export interface Asker {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** When the ask times out, on the clock of the system holding it (a forward to another system passes the rest on). */
  readonly deadline?: number;
}

/** What a full bounded mailbox does with one more message. */
export type MailboxOverflow = 'drop-new' | 'drop-old' | 'fail';

/** A bounded mailbox: at most `capacity` user messages wait (system messages are never dropped). */
export interface MailboxOptions {
  /** Messages that may wait, at least 1. */
  readonly capacity: number;
  /**
   * On overflow: 'drop-new' drops the message being sent, 'drop-old' drops the oldest waiting
   * one (both to dead letters; a dropped ask rejects), 'fail' makes a local `tell` throw
   * MailboxOverflowError (and an ask reject with it). Default 'drop-new'.
   */
  readonly overflow?: MailboxOverflow;
}

const OVERFLOWS: readonly MailboxOverflow[] = ['drop-new', 'drop-old', 'fail'];

/** Checks spawn's mailbox options; throws a TypeError naming what is wrong. */
export function checkMailboxOptions(options: MailboxOptions | undefined): { capacity: number; overflow: MailboxOverflow } {
  if (options === undefined) return { capacity: Infinity, overflow: 'drop-new' };
  if (options === null || typeof options !== 'object') throw new TypeError('mailbox options must be an object { capacity, overflow? }');
  const { capacity, overflow = 'drop-new' } = options;
  if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`mailbox capacity must be an integer >= 1, got ${String(capacity)}`);
  if (!OVERFLOWS.includes(overflow)) throw new TypeError(`mailbox overflow must be one of ${OVERFLOWS.join(', ')}, got ${String(overflow)}`);
  return { capacity, overflow };
}

function typeOf(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : typeof message;
}

/** A message refused by (or dropped from) a full bounded mailbox. */
export class MailboxOverflowError extends Error {
  constructor(readonly path: string, readonly capacity: number, message: unknown, dropped: 'rejected' | 'dropped' = 'rejected') {
    super(`mailbox of actor ${path} is full (capacity ${capacity}): message '${typeOf(message)}' ${dropped}`);
    this.name = 'MailboxOverflowError';
  }
}

/** What one full bounded mailbox does with one more message. */
export class MailboxOverflowPolicy {
  constructor(
    private readonly path: string,
    private readonly capacity: number,
    private readonly overflow: MailboxOverflow,
    /** Takes each dropped or refused message (to dead letters). */
    private readonly deadLetter: (message: unknown) => void,
  ) {}

  /**
   * Makes room in the full `mailbox` for `message`: true when it may be queued now (drop-old
   * dropped the oldest), false when it was dropped (drop-new; its ask rejects); throws
   * MailboxOverflowError for 'fail'.
   */
  makeRoom(mailbox: Mailbox, message: unknown, asker: Asker | undefined): boolean {
    // drop-old never drops a death-watch notice: with one at the head, the new message goes instead.
    if (this.overflow === 'drop-old' && (mailbox.peek() as { type?: unknown } | null)?.type !== 'actor.terminated') {
      const oldAsker = mailbox.peekAsker();
      const old = mailbox.shift();
      this.deadLetter(old);
      oldAsker?.reject(new MailboxOverflowError(this.path, this.capacity, old, 'dropped'));
      return true;
    }
    this.deadLetter(message);
    if (this.overflow === 'fail') throw new MailboxOverflowError(this.path, this.capacity, message);
    asker?.reject(new MailboxOverflowError(this.path, this.capacity, message, 'dropped'));
    return false;
  }
}

/** A FIFO of messages, each with the asker waiting for its reply (if any). */
export class Mailbox {
  private slots: unknown[];
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    let capacity = 2;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.slots = new Array(capacity);
    this.mask = capacity - 1;
  }

  /** Messages waiting. */
  get size(): number { return this.count; }

  /** Appends a message (and its asker). */
  push(message: unknown, asker: Asker | undefined): void {
    if (this.count * 2 === this.slots.length) this.grow();
    const at = (this.head + this.count * 2) & this.mask;
    this.slots[at] = message;
    this.slots[at + 1] = asker;
    this.count++;
  }

  /** The message at the head (undefined when empty). */
  peek(): unknown {
    return this.slots[this.head];
  }

  /** The asker of the message at the head (read before `shift`). */
  peekAsker(): Asker | undefined {
    return this.slots[this.head + 1] as Asker | undefined;
  }

  /** Removes and returns the message at the head; call only when size > 0. */
  shift(): unknown {
    const head = this.head;
    const message = this.slots[head];
    this.slots[head] = undefined;
    this.slots[head + 1] = undefined;
    this.head = (head + 2) & this.mask;
    this.count--;
    return message;
  }

  /** Removes every message, handing each (with its asker, if any) to `onMessage`. */
  drain(onMessage: (message: unknown, asker: Asker | undefined) => void): number {
    const dropped = this.count;
    while (this.count > 0) {
      const asker = this.peekAsker();
      onMessage(this.shift(), asker);
    }
    return dropped;
  }

  private grow(): void {
    const old = this.slots;
    const next = new Array(old.length * 2);
    for (let i = 0; i < this.count * 2; i++) next[i] = old[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
