// An actor's mailbox: a growable ring buffer of (message, ask) pairs with a head index. No
// per-message allocation beyond the array slots, no promise per message; the asker slot is
// undefined for `tell`. Imports nothing.

/** The pending reply of one `ask`. */
export interface Asker {
  resolve(value: unknown): void;
  reject(error: unknown): void;
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

  /** Removes every message, handing each asker to `onAsker` (to reject it). */
  drain(onAsker: (asker: Asker, message: unknown) => void): number {
    const dropped = this.count;
    while (this.count > 0) {
      const asker = this.peekAsker();
      const message = this.shift();
      if (asker) onAsker(asker, message);
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
