// Windows: the Window contract, TimeWindow [start, end) and GlobalWindow, with how a window maps
// to a keyed-state namespace (a primitive, so state and timers can be keyed by it).
// Imports state/ contracts only.
import type { Namespace } from '../../state/keyed-state-backend.ts';

/** A window: a bucket of elements with a last timestamp (Flink's Window). */
export interface Window {
  /** The largest timestamp that still belongs to this window. */
  maxTimestamp(): number;
}

/** A time interval [start, end): end is exclusive, maxTimestamp() === end - 1. */
export class TimeWindow implements Window {
  constructor(readonly start: number, readonly end: number) {}

  maxTimestamp(): number { return this.end - 1; }

  /** True when the two windows overlap or touch (so session windows merge). */
  intersects(other: TimeWindow): boolean { return this.start <= other.end && this.end >= other.start; }

  /** The smallest window covering both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  /** Same interval. */
  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  toString(): string { return `TimeWindow{start=${this.start}, end=${this.end}}`; }

  /** The start of the window of `size` (aligned to `offset`) containing `timestamp`. */
  static getWindowStartWithOffset(timestamp: number, offset: number, size: number): number {
    const remainder = (timestamp - offset) % size;
    return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
  }

  /**
   * Merges overlapping windows (Flink's TimeWindow.mergeWindows): reports each group of two or
   * more windows that overlap together with the window covering them.
   */
  static mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    let current: TimeWindow | undefined;
    let group: TimeWindow[] = [];
    for (const w of sorted) {
      if (current === undefined) { current = w; group = [w]; continue; }
      if (current.intersects(w)) { current = current.cover(w); group.push(w); continue; }
      if (group.length > 1) merge(group, current);
      current = w;
      group = [w];
    }
    if (current !== undefined && group.length > 1) merge(group, current);
  }

  /** The namespace of any time window: "start:end". */
  static toNamespace(window: TimeWindow): Namespace { return `${window.start}:${window.end}`; }

  /** The time window of a namespace made by toNamespace. */
  static fromNamespace(namespace: Namespace): TimeWindow {
    const text = String(namespace);
    const colon = text.indexOf(':');
    return new TimeWindow(Number(text.slice(0, colon)), Number(text.slice(colon + 1)));
  }
}

/** The single window of GlobalWindows: everything, never ending on its own. */
export class GlobalWindow implements Window {
  private static readonly instance = new GlobalWindow();
  private constructor() {}
  /** The one global window. */
  static get(): GlobalWindow { return GlobalWindow.instance; }
  maxTimestamp(): number { return Infinity; }
  toString(): string { return 'GlobalWindow'; }
}
