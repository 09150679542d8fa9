// WindowBuffer: the contents of event-time windows combined in memory before they reach keyed
// state, as Flink's SQL window aggregation buffers them. Each (key, window) holds one partial
// value (an accumulator or a running reduction); windows are kept in the order they fire, and a
// window's keys in the order of their first element, which is the order the window operator's
// timers would fire them in. The operator drains due windows on the watermark (emitting them
// without touching state or timers), copies them into keyed state for a snapshot (they stay
// here), or flushes them into keyed state when the buffer is full.
//
// Layout: a key keeps its windows and their partial values in two parallel arrays, in firing
// order; a window keeps its keys. Windows drain in firing order, so a draining window is the
// first of each of its keys: a (key, window) costs three array slots and no object of its own.
// Imports state/ contracts only.
import type { Key } from '../../state/key-groups.ts';
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { keyToken } from '../../state/heap/state-table.ts';

/** How elements fold into a partial value. */
export interface Fold<IN> {
  /** The partial value of a window's first element. */
  first(value: IN): unknown;
  /** The partial value after one more element. */
  add(value: IN, partial: unknown): unknown;
}

/**
 * The buffered windows of one key, in firing order, with their partial values: positions from
 * `head` on (drained windows leave the front; the arrays are compacted now and then).
 */
export class KeyWindows<W> {
  readonly windows: Array<BufferedWindow<W>> = [];
  readonly partials: unknown[] = [];
  head = 0;
  /** False while no partial value of the key changed since a snapshot copied them all into keyed state. */
  changed = true;
  constructor(readonly key: Key, readonly token: unknown) {}
}

/** Drained positions a key's arrays keep at their front before they are compacted. */
const COMPACT_AT = 64;

/** One window: its keys in the order of their first element. */
export class BufferedWindow<W> {
  readonly keys: Array<KeyWindows<W>> = [];
  /** Once drained: the partial value of each of `keys`, in the same order. */
  readonly partials: unknown[] = [];
  /** False once drained: the window is no longer in the buffer. */
  live = true;
  /**
   * How many of `keys` (from the first) have a copy of their partial value in keyed state, with
   * a timer, written for a snapshot: the copies are overwritten at the next snapshot and removed
   * when the window fires from here (keys only ever join a window at the back).
   */
  mirrored = 0;
  constructor(readonly window: W, readonly namespace: Namespace, readonly fireAt: number) {}
}

/** Buffered windows by key and by firing time. */
export class WindowBuffer<IN, W> {
  /** Number of (key, window) partial values held. */
  size = 0;
  private readonly byKey = new Map<unknown, KeyWindows<W>>();
  private readonly byNamespace = new Map<Namespace, BufferedWindow<W>>();
  /** Live windows by fireAt ascending (ties: opened first, first). */
  private readonly windows: Array<BufferedWindow<W>> = [];

  constructor(private readonly fold: Fold<IN>) {}

  /** The buffered window `window`, opened if needed. */
  window(window: W, namespace: Namespace, fireAt: number): BufferedWindow<W> {
    let w = this.byNamespace.get(namespace);
    if (w !== undefined) return w;
    w = new BufferedWindow(window, namespace, fireAt);
    this.byNamespace.set(namespace, w);
    const windows = this.windows;
    // Elements mostly arrive in time order: a new window usually fires last.
    let i = windows.length;
    if (i > 0 && windows[i - 1].fireAt > fireAt) {
      let lo = 0;
      while (lo < i) {
        const mid = (lo + i) >>> 1;
        if (windows[mid].fireAt <= fireAt) lo = mid + 1;
        else i = mid;
      }
    }
    windows.splice(i, 0, w);
    return w;
  }

  /** The windows of `key`, opened if needed. */
  keyWindows(key: Key): KeyWindows<W> {
    const token = typeof key === 'object' ? keyToken(key) : key;
    let k = this.byKey.get(token);
    if (k === undefined) {
      k = new KeyWindows<W>(key, token);
      this.byKey.set(token, k);
    }
    return k;
  }

  /**
   * Folds `value` into the partial value of (key, window); returns the position of the window
   * among the key's. An element's windows come newest first, so `previous` (the position of the
   * element's previous window, -1 for its first) says where to look first: just before it (or at
   * the back for an element's first window). Otherwise a binary search finds the window, or
   * where a new one goes.
   */
  add(key: KeyWindows<W>, window: BufferedWindow<W>, value: IN, previous: number): number {
    const windows = key.windows;
    const n = windows.length;
    const i = previous > key.head && previous <= n ? previous - 1 : n - 1;
    if (i < key.head || windows[i] !== window) return this.addElsewhere(key, window, value);
    key.changed = true;
    const partials = key.partials;
    partials[i] = this.fold.add(value, partials[i]);
    return i;
  }

  /** add() when the window is not where the element's previous one suggests (kept apart: add stays small enough to inline). */
  private addElsewhere(key: KeyWindows<W>, window: BufferedWindow<W>, value: IN): number {
    key.changed = true;
    const windows = key.windows;
    const n = windows.length;
    const fireAt = window.fireAt;
    // Mostly a window that fires after all of the key's others: it goes last, no search needed.
    let lo = n > key.head && windows[n - 1].fireAt < fireAt ? n : key.head;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (windows[mid].fireAt < fireAt) lo = mid + 1;
      else hi = mid;
    }
    // Windows that fire at the same time (only other assigners could make them) sit together.
    while (lo < n && windows[lo] !== window && windows[lo].fireAt === fireAt) lo++;
    if (lo < n && windows[lo] === window) {
      key.partials[lo] = this.fold.add(value, key.partials[lo]);
      return lo;
    }
    window.keys.push(key);
    this.size++;
    const partial = this.fold.first(value);
    if (lo === n) {
      windows.push(window);
      key.partials.push(partial);
    } else {
      windows.splice(lo, 0, window);
      key.partials.splice(lo, 0, partial);
    }
    return lo;
  }

  /** The live windows in firing order (read-only: a snapshot copies them without draining). */
  liveWindows(): readonly BufferedWindow<W>[] {
    return this.windows;
  }

  /** The partial value of `key` in its live window `window`. */
  partialOf(key: KeyWindows<W>, window: BufferedWindow<W>): unknown {
    const windows = key.windows;
    const fireAt = window.fireAt;
    let lo = key.head;
    let hi = windows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (windows[mid].fireAt < fireAt) lo = mid + 1;
      else hi = mid;
    }
    while (lo < windows.length && windows[lo] !== window && windows[lo].fireAt === fireAt) lo++;
    if (windows[lo] !== window) throw new Error(`window ${String(window.namespace)} is not buffered for key ${String(key.key)}`);
    return key.partials[lo];
  }

  /**
   * Removes and returns the earliest window if it fires at or before `time`, with the partial
   * value of each of its keys (`partials`, aligned with `keys`).
   */
  takeDue(time: number): BufferedWindow<W> | undefined {
    const w = this.windows[0];
    if (w === undefined || w.fireAt > time) return undefined;
    this.windows.shift();
    this.byNamespace.delete(w.namespace);
    w.live = false;
    const { keys, partials } = w;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const kw = k.windows;
      // Every earlier window of the key has drained before this one: it is the key's first.
      const head = k.head;
      if (kw[head] === w) {
        partials.push(k.partials[head]);
        kw[head] = undefined!;
        k.partials[head] = undefined;
        k.head = head + 1;
      } else {
        const at = kw.indexOf(w, head);
        partials.push(k.partials[at]);
        kw.splice(at, 1);
        k.partials.splice(at, 1);
      }
      if (k.head === kw.length) {
        this.byKey.delete(k.token);
      } else if (k.head >= COMPACT_AT && k.head * 2 >= kw.length) {
        kw.splice(0, k.head);
        k.partials.splice(0, k.head);
        k.head = 0;
      }
    }
    this.size -= keys.length;
    return w;
  }
}
