// JoinedStreams: the window join (join(other).where(k1).equalTo(k2).window(assigner).apply(fn)):
// a co-group whose function emits the cross product of both sides per key and window, as in
// Flink. Imports api/ only (DataStream types only, to avoid an import cycle).
import type { Key } from '../../state/key-groups.ts';
import type { DataStream } from '../datastream/data-stream.ts';
import type { Collector } from '../functions/collector.ts';
import { CoGroupedWhereEqual, CoGroupedWithWindow, type TaggedUnion } from './co-grouped-streams.ts';
import type { Evictor } from './evictor.ts';
import type { Window } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';

/** Joins a pair into one result (Flink's JoinFunction): a function or an object with join(). */
export type JoinFunction<T1, T2, R> = ((first: T1, second: T2) => R) | { join(first: T1, second: T2): R };

/** Joins a pair into any number of results (Flink's FlatJoinFunction): a function or an object with join(). */
export type FlatJoinFunction<T1, T2, R> = ((first: T1, second: T2, out: Collector<R>) => void) | { join(first: T1, second: T2, out: Collector<R>): void };

/** Start of a window join: pick the first input's key. */
export class JoinedStreams<T1, T2> {
  constructor(readonly input1: DataStream<T1>, readonly input2: DataStream<T2>) {}
  /** The key of the first input. */
  where<K extends Key>(keySelector1: (value: T1) => K): { equalTo(keySelector2: (value: T2) => K): JoinedWhereEqual<T1, T2, K> } {
    return { equalTo: (keySelector2) => new JoinedWhereEqual(this.input1, this.input2, keySelector1, keySelector2) };
  }
}

/** Both keys chosen: pick the windows. */
export class JoinedWhereEqual<T1, T2, K extends Key> {
  private readonly spec: CoGroupedWhereEqual<T1, T2, K>;
  constructor(input1: DataStream<T1>, input2: DataStream<T2>, keySelector1: (value: T1) => K, keySelector2: (value: T2) => K) {
    this.spec = new CoGroupedWhereEqual(input1, input2, keySelector1, keySelector2);
  }
  /** Joins pairs of equal key within the windows of `assigner`. */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): JoinedWithWindow<T1, T2, K, W> {
    return new JoinedWithWindow(this.spec.window(assigner));
  }
}

/** Keys and windows chosen: optional trigger/evictor/lateness, then apply. */
export class JoinedWithWindow<T1, T2, K extends Key, W extends Window> {
  constructor(private readonly coGroup: CoGroupedWithWindow<T1, T2, K, W>) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this { this.coGroup.trigger(trigger); return this; }
  /** Evicts elements before/after the join. */
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this { this.coGroup.evictor(evictor); return this; }
  /** Keeps event-time windows `ms` after their end. */
  allowedLateness(ms: number): this { this.coGroup.allowedLateness(ms); return this; }

  /** Emits `fn(a, b)` for every pair of equal key in the same window. */
  apply<R>(fn: JoinFunction<T1, T2, R>): DataStream<R> {
    const join = typeof fn === 'function' ? fn : (a: T1, b: T2): R => fn.join(a, b);
    return this.coGroup.apply<R>((first, second, out) => {
      for (const a of first) for (const b of second) out.collect(join(a, b));
    });
  }

  /** Calls `fn(a, b, out)` for every pair of equal key in the same window. */
  flatApply<R>(fn: FlatJoinFunction<T1, T2, R>): DataStream<R> {
    const join = typeof fn === 'function' ? fn : (a: T1, b: T2, out: Collector<R>): void => fn.join(a, b, out);
    return this.coGroup.apply<R>((first, second, out) => {
      for (const a of first) for (const b of second) join(a, b, out);
    });
  }
}
