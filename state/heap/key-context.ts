// KeyContext: what the heap backend knows about one key, found by a single Map lookup when the key
// becomes current: its key group, and per state table the key's slot (its entries), and per timer
// service the timers it registered recently. Records of a key thus cost one lookup by key rather
// than one per state and per timer service. The slots are a write-through cache: a table that
// changes a key's slot updates its context (see StateTable). Imports only state/ contracts.
import type { Key } from '../key-groups.ts';

/** A table's cached slot for a key: the slot object, ABSENT_SLOT, or undefined (not looked up yet). */
export const ABSENT_SLOT: unique symbol = Symbol('absent');

/** The timers a key registered recently on one timer service (known pending until fired or deleted). */
export interface RecentTimers {
  readonly namespaces: Array<string | number>;
  readonly timestamps: number[];
  /** Next position to overwrite once full. */
  next: number;
  /** Position of the timer registered or found last (checked first). */
  hit: number;
}

/** One key, as the backend's state tables and timer services see it. */
export class KeyContext {
  /** Per state table (by its index): the key's slot in it. */
  readonly slots: unknown[];
  /** Per timer service (by its index): recent event-time timers. */
  readonly timers: Array<RecentTimers | undefined> = [];

  constructor(readonly key: Key, readonly token: unknown, readonly keyGroup: number, readonly groupIndex: number, tables: number) {
    this.slots = new Array<unknown>(tables).fill(undefined);
  }
}

/**
 * The contexts of the keys a backend has seen, by key token. Bounded: cleared when it grows past
 * `limit` (a context is only a cache; a dropped one is rebuilt on the next access).
 */
export class KeyContexts {
  private readonly byToken = new Map<unknown, KeyContext>();
  /** Number of state tables (contexts size their slot arrays by it). */
  tables = 0;
  /** Number of timer services registered. */
  timerServices = 0;

  constructor(private readonly limit = 65536) {}

  get(token: unknown): KeyContext | undefined { return this.byToken.get(token); }

  /** Remembers a new context, dropping every context first when the bound is reached. */
  add(context: KeyContext): void {
    if (this.byToken.size >= this.limit) this.byToken.clear();
    this.byToken.set(context.token, context);
  }

  /** Forgets the cached slot of table `index` in every context. */
  forgetTable(index: number): void {
    for (const c of this.byToken.values()) c.slots[index] = undefined;
  }

  /** Forgets the recent timers of timer service `index` in every context. */
  forgetTimers(index: number): void {
    for (const c of this.byToken.values()) c.timers[index] = undefined;
  }

  /** Number of contexts held. */
  get size(): number { return this.byToken.size; }
}
