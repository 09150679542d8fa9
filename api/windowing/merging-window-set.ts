// MergingWindowSet: for merging assigners (sessions), which in-flight window of a key keeps its
// contents under which state window. Merging re-labels windows but keeps one state window, so
// merging costs one state merge, not a copy per element (Flink's MergingWindowSet). Loaded from
// and persisted to keyed state per key. Imports api/windowing and state/ contracts only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import type { ValueState } from '../../state/state-descriptors.ts';
import type { Window } from './time-window.ts';
import type { MergingWindowAssigner } from './window-assigner.ts';

/** Persisted form: pairs of (window namespace, state window namespace). */
export type MergingWindowSetState = Array<[Namespace, Namespace]>;

/** Called when windows merge: fold triggers and state of `mergedStateWindows` into `stateWindowResult`. */
export type MergeFunction<W> = (mergeResult: W, mergedWindows: W[], stateWindowResult: W, mergedStateWindows: W[]) => void;

/** The in-flight windows of one key and their state windows. */
export class MergingWindowSet<W extends Window> {
  /** window namespace -> [window, state window]. */
  private readonly mapping = new Map<Namespace, [W, W]>();
  private changed = false;

  constructor(private readonly assigner: MergingWindowAssigner<any, W>, private readonly state: ValueState<MergingWindowSetState>) {
    for (const [windowNs, stateNs] of state.value() ?? []) {
      this.mapping.set(windowNs, [assigner.windowOf(windowNs), assigner.windowOf(stateNs)]);
    }
  }

  /** Writes the mapping back to keyed state if it changed. */
  persist(): void {
    if (!this.changed) return;
    if (this.mapping.size === 0) { this.state.clear(); return; }
    const out: MergingWindowSetState = [];
    for (const [ns, [, stateWindow]] of this.mapping) out.push([ns, this.assigner.namespaceOf(stateWindow)]);
    this.state.update(out);
  }

  /** The state window of an in-flight window, or undefined if it merged away or was retired. */
  getStateWindow(window: W): W | undefined { return this.mapping.get(this.assigner.namespaceOf(window))?.[1]; }

  /** Forgets a window (it was purged or is late). */
  retireWindow(window: W): void {
    if (!this.mapping.delete(this.assigner.namespaceOf(window))) throw new Error(`window ${String(window)} is not in the merging window set`);
    this.changed = true;
  }

  /**
   * Adds `newWindow`, merging it with in-flight windows as the assigner says; calls `merge` for
   * each merge that involves more than relabelling. Returns the window `newWindow` ended up in.
   */
  addWindow(newWindow: W, merge: MergeFunction<W>): W {
    const ns = this.assigner.namespaceOf;
    const windows: W[] = [];
    for (const [w] of this.mapping.values()) windows.push(w);
    windows.push(newWindow);
    const newNs = ns.call(this.assigner, newWindow);

    const results: Array<[W, W[]]> = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => results.push([mergeResult, toBeMerged]));

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, group] of results) {
      // Remove one occurrence of the new window: an equal in-flight window stays in the group.
      const mergedWindows = [...group];
      const at = mergedWindows.findIndex((w) => ns.call(this.assigner, w) === newNs);
      if (at >= 0) { mergedWindows.splice(at, 1); mergedNewWindow = true; resultWindow = mergeResult; }
      // Any state window of the merged ones can hold the result; keep the first.
      const stateWindowResult = this.mapping.get(ns.call(this.assigner, mergedWindows[0]))![1];
      const mergedStateWindows: W[] = [];
      for (const w of mergedWindows) {
        const key = ns.call(this.assigner, w);
        const entry = this.mapping.get(key);
        if (entry) { this.mapping.delete(key); if (entry[1] !== stateWindowResult) mergedStateWindows.push(entry[1]); }
      }
      this.mapping.set(ns.call(this.assigner, mergeResult), [mergeResult, stateWindowResult]);
      this.changed = true;
      const onlyRelabel = mergedWindows.length === 1 && ns.call(this.assigner, mergedWindows[0]) === ns.call(this.assigner, mergeResult);
      if (!onlyRelabel) merge(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows);
    }

    if (results.length === 0 || (!mergedNewWindow && ns.call(this.assigner, resultWindow) === newNs)) {
      if (!this.mapping.has(newNs)) { this.mapping.set(newNs, [newWindow, newWindow]); this.changed = true; }
    }
    return resultWindow;
  }
}
