// BufferedWindowOperator: the WindowOperator for the most common windows (tumbling or sliding
// event-time windows, the event-time trigger, no allowed lateness, a reduce or aggregate
// function). Elements combine in a WindowBuffer (one partial value per key and window) instead
// of keyed state, and the watermark emits due windows straight from it: no state entry, timer,
// or state lookup per window, and no backend key per element.
//
// A snapshot copies ("mirrors") every buffered window into keyed state with its timers, so that
// the checkpoint holds it, but the window stays live in the buffer: the next snapshot overwrites
// the copies with the current partial values, and when the window fires from the buffer its
// copies and timers are removed, so the state path never fires it. Only a full buffer moves
// windows into keyed state for good, and restored windows start there; such a window is in
// state only, its later elements go to state until it fires. So nothing is ever merged, every
// function folds its elements in arrival order exactly as on the state path, and windows fire in
// timer order. Imports api/windowing and state/ contracts only.
import type { Key } from '../../state/key-groups.ts';
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { SlidingEventTimeWindows } from './sliding-windows.ts';
import { TumblingEventTimeWindows } from './tumbling-windows.ts';
import type { Window } from './time-window.ts';
import { WindowBuffer, type BufferedWindow, type Fold, type KeyWindows } from './window-buffer.ts';
import { hasContents, WindowOperator, type WindowOperatorOptions } from './window-operator.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';

/** Most (key, window) partial values buffered before the buffer flushes into keyed state. */
export const DEFAULT_BUFFER_LIMIT = 1 << 20;

/** True when `options` describe windows a BufferedWindowOperator runs (see the file header). */
export function canBufferWindows(options: WindowOperatorOptions<any, any, any, any, any>): boolean {
  const { assigner, trigger, contents } = options;
  return (assigner instanceof TumblingEventTimeWindows || assigner instanceof SlidingEventTimeWindows)
    && trigger.constructor === EventTimeTrigger
    && (options.allowedLateness ?? 0) === 0
    && (contents.kind === 'aggregating' || contents.kind === 'reducing');
}

/** A WindowOperator whose windows combine in memory first. */
export class BufferedWindowOperator<IN, C, OUT, K extends Key, W extends Window> extends WindowOperator<IN, C, OUT, K, W> {
  private readonly buffer: WindowBuffer<IN, W>;
  /** A buffered partial value's window contents (getResult of an accumulator, or itself). */
  private readonly resultOf: (partial: unknown) => unknown;
  /** The buffered window of `lastWindows[i]`. */
  private readonly lastBuffered: Array<BufferedWindow<W> | undefined> = [];
  /**
   * Windows whose contents are in keyed state only (flushed, or restored), by namespace, with
   * their firing time: their elements go to state until they fire. Mirrored windows are not here.
   */
  private readonly stateWindows = new Map<Namespace, number>();

  constructor(options: WindowOperatorOptions<IN, C, OUT, K, W>, private readonly bufferLimit = DEFAULT_BUFFER_LIMIT) {
    super(options);
    if (!canBufferWindows(options)) throw new Error(`windows of ${String(options.assigner)} with ${String(options.trigger)} cannot be buffered`);
    if (!(bufferLimit >= 1)) throw new RangeError(`the window buffer limit must be >= 1, got ${bufferLimit}`);
    const contents = options.contents;
    let fold: Fold<IN>;
    if (contents.kind === 'aggregating') {
      const fn = contents.aggregateFn;
      fold = { first: (value) => fn.add(value, fn.createAccumulator()), add: (value, acc) => fn.add(value, acc) };
      this.resultOf = (acc) => fn.getResult(acc);
    } else {
      const reduce = (contents as { reduceFn: (a: IN, b: IN) => IN }).reduceFn;
      fold = { first: (value) => value, add: (value, acc) => reduce(acc as IN, value) };
      this.resultOf = (value) => value;
    }
    this.buffer = new WindowBuffer<IN, W>(fold);
  }

  override async open(): Promise<void> {
    // Restored windows are in state (timers are restored before open).
    for (const t of this.timers.snapshot().eventTime) this.stateWindows.set(t.namespace, t.timestamp);
    await super.open();
  }

  /** The element's key: the backend gets it only where state is used (emitting, flushing). */
  override setKeyContext(key: Key): void {
    this.currentKey = key as K;
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.emitBuffered(timestamp);
    super.processWatermark(timestamp);
  }

  /**
   * Keyed state and timers are snapshotted right after this: every buffered window's partial
   * values are copied into them first, and the windows stay buffered.
   */
  snapshotState(_checkpointId: number, _timestamp: number): undefined {
    if (this.buffer.size > 0) this.mirrorBuffer();
    return undefined;
  }

  override processElement(value: IN, timestamp: number): void {
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
    // The timestamp stays here: passed on, it would be boxed for every element.
    if (this.addToBuffer(value, windows)) this.skippedElement(value, timestamp);
  }

  /** Adds an element to its (non-late) windows; true when every window was late. */
  private addToBuffer(value: IN, windows: readonly W[]): boolean {
    const buffer = this.buffer;
    let skipped = true;
    let key: KeyWindows<W> | undefined;
    let at = -1;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i];
      let buffered = this.lastBuffered[i];
      // A live buffered window is not late: every window due at the watermark has drained.
      if (this.lastWindows[i] !== window || buffered === undefined || !buffered.live) {
        if (this.isWindowLate(window)) continue;
        skipped = false;
        const ns = this.assigner.namespaceOf(window);
        if (this.stateWindows.size > 0 && this.stateWindows.has(ns)) {
          this.addToStateWindow(value, window, ns);
          continue;
        }
        buffered = buffer.window(window, ns, window.maxTimestamp());
        this.lastWindows[i] = window;
        this.lastBuffered[i] = buffered;
      }
      skipped = false;
      key ??= buffer.keyWindows(this.currentKey);
      at = buffer.add(key, buffered, value, at);
    }
    if (buffer.size > this.bufferLimit) this.flushBuffer();
    return skipped;
  }

  /** An element of a window whose contents are in state: the event-time trigger's state path. */
  private addToStateWindow(value: IN, window: W, namespace: Namespace): void {
    this.backend.setCurrentKey(this.currentKey);
    this.windowState.setCurrentNamespace(namespace);
    if (this.windowState.add(value) !== false) this.timers.registerEventTimeTimer(namespace, window.maxTimestamp());
  }

  /**
   * Emits the buffered windows that fire at or before `watermark`, in timer order: windows in
   * state that fire earlier fire first, through their timers (a window is in one place only, and
   * time windows fire at distinct times, so the order is total).
   */
  private emitBuffered(watermark: number): void {
    const buffer = this.buffer;
    const ctx = this.processContext;
    const stateWindows = this.stateWindows;
    for (let w = buffer.takeDue(watermark); w !== undefined; w = buffer.takeDue(watermark)) {
      // Before the timers advance: the copy's timers fire at w.fireAt too.
      if (w.mirrored > 0) this.removeMirror(w);
      if (stateWindows.size > 0) this.timers.advanceWatermark(w.fireAt);
      const { window, namespace, keys, partials } = w;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i].key as K;
        this.backend.setCurrentKey(key);
        this.currentKey = key;
        const contents = this.resultOf(partials[i]);
        if (hasContents(contents)) this.callWindowFunction(window, namespace, contents as C);
        // What the state path's cleanup does once the window fired (there is no state to clear).
        ctx.window = window;
        ctx.namespace = namespace;
        this.windowFunction.clear(window, ctx);
      }
    }
    // Windows in state up to the watermark fire right after this: later elements are late for them.
    if (stateWindows.size > 0) for (const [namespace, fireAt] of stateWindows) if (fireAt <= watermark) stateWindows.delete(namespace);
  }

  /**
   * Writes the partial value of every buffered (key, window) into keyed state, with its timer,
   * keeping the windows buffered: keys copied by an earlier snapshot get their entry overwritten
   * if any of their partial values changed since (their timer is still registered), the others
   * get an entry and a timer. A window's keys go in
   * the order of their first element, as the state path registers them. A copy may be the
   * buffer's own accumulator, updated in place until the window fires: what counts is its value
   * when the snapshot right after this copies it, and every snapshot writes it again.
   */
  private mirrorBuffer(): void {
    const buffer = this.buffer;
    const state = this.windowState;
    for (const w of buffer.liveWindows()) {
      const { namespace, fireAt, keys } = w;
      for (let i = 0; i < keys.length; i++) {
        const copied = i < w.mirrored;
        // A key none of whose partial values changed since the last snapshot has its copies current.
        if (copied && !keys[i].changed) continue;
        this.backend.setCurrentKey(keys[i].key);
        state.setCurrentNamespace(namespace);
        const partial = buffer.partialOf(keys[i], w);
        if (copied) {
          state.setPartial(partial);
        } else {
          state.addPartial(partial);
          this.timers.registerEventTimeTimer(namespace, fireAt);
        }
      }
    }
    for (const w of buffer.liveWindows()) {
      w.mirrored = w.keys.length;
      for (const key of w.keys) key.changed = false;
    }
  }

  /** Removes the keyed-state copies of a window firing from the buffer, and their timers. */
  private removeMirror(w: BufferedWindow<W>): void {
    const { namespace, fireAt, keys } = w;
    for (let i = 0; i < w.mirrored; i++) {
      this.backend.setCurrentKey(keys[i].key);
      this.windowState.setCurrentNamespace(namespace);
      this.windowState.clear();
      this.timers.deleteEventTimeTimer(namespace, fireAt);
    }
    w.mirrored = 0;
  }

  /**
   * Moves every buffered window into keyed state with its timer (a window's keys in the order of
   * their first element, as the state path registers them). A mirrored key's copy is overwritten
   * and keeps its timer.
   */
  private flushBuffer(): void {
    const buffer = this.buffer;
    const state = this.windowState;
    for (let w = buffer.takeDue(Infinity); w !== undefined; w = buffer.takeDue(Infinity)) {
      const { namespace, fireAt, keys, partials, mirrored } = w;
      this.stateWindows.set(namespace, fireAt);
      for (let i = 0; i < keys.length; i++) {
        this.backend.setCurrentKey(keys[i].key);
        state.setCurrentNamespace(namespace);
        if (i < mirrored) {
          state.setPartial(partials[i]);
        } else {
          state.addPartial(partials[i]);
          this.timers.registerEventTimeTimer(namespace, fireAt);
        }
      }
      w.mirrored = 0;
    }
  }
}
