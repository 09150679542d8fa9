// WindowBuffer: the contents of event-time windows combined in memory before they reach keyed
// state, as Flink's SQL window aggregation buffers them. Each (key, window) holds one partial
// value (an accumulator or a running reduction); windows are kept in the order they fire, and a
// window's keys in the order of their first element, which is the order the window operator's
// timers would fire them in. The operator drains due windows on the watermark (emitting them
// without ever touching state or timers), or flushes them into keyed state before a snapshot.
// A buffered window costs three small array slots and one object, where keyed state with
// timers costs several objects per key and window. Imports state/ contracts only.
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

/** One key's elements in one window, combined. */
export class Combined<W> {
  constructor(readonly keyWindows: KeyWindows<W>, readonly window: BufferedWindow<W>, public partial: unknown) {}
}

/** The buffered windows of one key, in the order they were opened. */
export class KeyWindows<W> {
  readonly windows: Array<Combined<W>> = [];
  constructor(readonly key: Key, readonly token: unknown) {}
}

/** One window: its keys in the order of their first element. */
export class BufferedWindow<W> {
  readonly entries: Array<Combined<W>> = [];
  /** False once drained: the window is no longer in the buffer. */
  live = true;
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
   * among the key's, which are kept in firing order. An element's windows come newest first, so
   * `previous` (the position of the element's previous window, -1 for its first) says where to
   * look first: just before it (or at the back for an element's first window). Otherwise a binary
   * search finds the window, or where a new one goes.
   */
  add(key: KeyWindows<W>, window: BufferedWindow<W>, value: IN, previous: number): number {
    const windows = key.windows;
    const n = windows.length;
    let i = previous > 0 && previous <= n ? previous - 1 : n - 1;
    if (i < 0 || windows[i].window !== window) {
      const fireAt = window.fireAt;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (windows[mid].window.fireAt < fireAt) lo = mid + 1;
        else hi = mid;
      }
      // Windows that fire at the same time (only other assigners could make them) sit together.
      while (lo < n && windows[lo].window !== window && windows[lo].window.fireAt === fireAt) lo++;
      if (lo === n || windows[lo].window !== window) {
        const c = new Combined(key, window, this.fold.first(value));
        window.entries.push(c);
        this.size++;
        if (lo === n) windows.push(c);
        else windows.splice(lo, 0, c);
        return lo;
      }
      i = lo;
    }
    const c = windows[i];
    c.partial = this.fold.add(value, c.partial);
    return i;
  }

  /** Removes and returns the earliest window if it fires at or before `time`. */
  takeDue(time: number): BufferedWindow<W> | undefined {
    const w = this.windows[0];
    if (w === undefined || w.fireAt > time) return undefined;
    this.windows.shift();
    this.byNamespace.delete(w.namespace);
    w.live = false;
    for (const c of w.entries) this.detach(c);
    this.size -= w.entries.length;
    return w;
  }

  private detach(c: Combined<W>): void {
    const k = c.keyWindows;
    const windows = k.windows;
    if (windows[0] === c) windows.shift();
    else windows.splice(windows.indexOf(c), 1);
    if (windows.length === 0) this.byKey.delete(k.token);
  }
}
