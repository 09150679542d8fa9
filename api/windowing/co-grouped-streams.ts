// CoGroupedStreams: two streams grouped by key within windows (coGroup(other).where(k1)
// .equalTo(k2).window(assigner).apply(fn)). Built as Flink does: both inputs tagged, unioned,
// keyed by their key, windowed; each fired window is split back into its two sides.
// Imports api/ and state/ only (DataStream types only, to avoid an import cycle).
import type { Key } from '../../state/key-groups.ts';
import type { DataStream } from '../datastream/data-stream.ts';
import type { Collector } from '../functions/collector.ts';
import type { Evictor } from './evictor.ts';
import type { Window } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';
import { WindowedStream } from './windowed-stream.ts';

/** An element of either input, tagged with its side. */
export interface TaggedUnion<T1, T2> { readonly side: 1 | 2; readonly one?: T1; readonly two?: T2 }

/** Called per key and window with the elements of both sides (Flink's CoGroupFunction): a function or an object with coGroup(). */
export type CoGroupFunction<T1, T2, R> =
  | ((first: T1[], second: T2[], out: Collector<R>) => void)
  | { coGroup(first: T1[], second: T2[], out: Collector<R>): void };

/** Start of a co-group: pick the first input's key. */
export class CoGroupedStreams<T1, T2> {
  constructor(readonly input1: DataStream<T1>, readonly input2: DataStream<T2>) {}
  /** The key of the first input. */
  where<K extends Key>(keySelector1: (value: T1) => K): { equalTo(keySelector2: (value: T2) => K): CoGroupedWhereEqual<T1, T2, K> } {
    return { equalTo: (keySelector2) => new CoGroupedWhereEqual(this.input1, this.input2, keySelector1, keySelector2) };
  }
}

/** Both keys chosen: pick the windows. */
export class CoGroupedWhereEqual<T1, T2, K extends Key> {
  constructor(
    readonly input1: DataStream<T1>, readonly input2: DataStream<T2>,
    readonly keySelector1: (value: T1) => K, readonly keySelector2: (value: T2) => K,
  ) {}
  /** Groups both inputs within the windows of `assigner`. */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): CoGroupedWithWindow<T1, T2, K, W> {
    return new CoGroupedWithWindow(this, assigner);
  }
}

/** Both keys and the windows chosen: optional trigger/evictor/lateness, then apply. */
export class CoGroupedWithWindow<T1, T2, K extends Key, W extends Window> {
  private windowTrigger: Trigger<TaggedUnion<T1, T2>, W> | undefined;
  private windowEvictor: Evictor<TaggedUnion<T1, T2>, W> | undefined;
  private lateness = 0;

  constructor(private readonly spec: CoGroupedWhereEqual<T1, T2, K>, private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this { this.windowTrigger = trigger; return this; }
  /** Evicts elements before/after the co-group function. */
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this { this.windowEvictor = evictor; return this; }
  /** Keeps event-time windows `ms` after their end. */
  allowedLateness(ms: number): this { this.lateness = ms; return this; }

  /** Calls `fn` per key and window with both sides' elements. */
  apply<R>(fn: CoGroupFunction<T1, T2, R>): DataStream<R> {
    const coGroup = typeof fn === 'function' ? fn : (first: T1[], second: T2[], out: Collector<R>): void => fn.coGroup(first, second, out);
    const { input1, input2, keySelector1, keySelector2 } = this.spec;
    const tagged1 = input1.map((one: T1): TaggedUnion<T1, T2> => ({ side: 1, one })).name('Map (co-group input 1)');
    const tagged2 = input2.map((two: T2): TaggedUnion<T1, T2> => ({ side: 2, two })).name('Map (co-group input 2)');
    const keyed = tagged1.union(tagged2).keyBy((t: TaggedUnion<T1, T2>) => (t.side === 1 ? keySelector1(t.one as T1) : keySelector2(t.two as T2)));
    const windowed = new WindowedStream<TaggedUnion<T1, T2>, K, W>(keyed, this.assigner).allowedLateness(this.lateness);
    if (this.windowTrigger) windowed.trigger(this.windowTrigger);
    if (this.windowEvictor) windowed.evictor(this.windowEvictor);
    return windowed.apply<R>((_key, _window, elements, out) => {
      const first: T1[] = [];
      const second: T2[] = [];
      for (const e of elements) {
        if (e.side === 1) first.push(e.one as T1);
        else second.push(e.two as T2);
      }
      coGroup(first, second, out);
    });
  }
}
