// ConnectedStreams: two streams, possibly of different types, feeding one two-input operator
// (connect). Keyed when both sides are keyed: the operator then gets keyed state and timers.
// Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { CoFlatMapFunction, CoMapFunction } from '../functions/co-map-function.ts';
import type { CoProcessFunction, KeyedCoProcessFunction } from '../functions/co-process-function.ts';
import type { Collector } from '../functions/collector.ts';
import { CoProcessOperator, KeyedCoProcessOperator } from '../operators/co-process-operator.ts';
import { CoStreamFlatMap } from '../operators/co-stream-flat-map.ts';
import { CoStreamMap } from '../operators/co-stream-map.ts';
import type { TwoInputStreamOperator } from '../operators/stream-operator.ts';
import { DataStream } from './data-stream.ts';
import { KeyedStream } from './keyed-stream.ts';
import { streamExtensions } from './stream-extensions.ts';
// Loaded here so that DataStream.connect(broadcastStream) works wherever connect() does.
import './broadcast-connected-stream.ts';

/** Two connected streams. */
export class ConnectedStreams<T1, T2> {
  constructor(readonly first: DataStream<T1>, readonly second: DataStream<T2>) {
    if (first.environment !== second.environment) throw new Error('connect: both streams must belong to the same environment');
  }

  /** True when both inputs are keyed. */
  isKeyed(): boolean { return this.first instanceof KeyedStream && this.second instanceof KeyedStream; }

  /** Adds a custom two-input operator (keyed when both inputs are keyed). */
  transform<R>(name: string, operatorFactory: () => TwoInputStreamOperator<T1, T2, R>): DataStream<R> {
    const env = this.first.environment;
    const graph = env.streamGraph;
    const k1 = this.first instanceof KeyedStream ? this.first.keySelector : undefined;
    const k2 = this.second instanceof KeyedStream ? this.second.keySelector : undefined;
    const node = graph.addNode({ name, kind: 'two-input', operatorFactory, keySelectors: [k1, k2] });
    for (const i of this.first.inputs) graph.addEdge({ source: i.node, target: node, typeNumber: 1, partitioner: i.partitioner, sideOutputTag: i.sideOutputTag });
    for (const i of this.second.inputs) graph.addEdge({ source: i.node, target: node, typeNumber: 2, partitioner: i.partitioner, sideOutputTag: i.sideOutputTag });
    return new DataStream<R>(env, [{ node }]);
  }

  /** Runs a CoProcessFunction, or a KeyedCoProcessFunction when both inputs are keyed. */
  process<R>(fn: CoProcessFunction<T1, T2, R> | KeyedCoProcessFunction<any, T1, T2, R>): DataStream<R> {
    if (this.isKeyed()) return this.transform('Keyed Co-Process', () => new KeyedCoProcessOperator<Key, T1, T2, R>(cloneFunction(fn as KeyedCoProcessFunction<Key, T1, T2, R>)));
    return this.transform('Co-Process', () => new CoProcessOperator<T1, T2, R>(cloneFunction(fn as CoProcessFunction<T1, T2, R>)));
  }

  /** Maps each element of either input: `map(fn1, fn2)` or `map({ map1, map2 })` (Flink's CoMapFunction). */
  map<R>(fn: CoMapFunction<T1, T2, R>): DataStream<R>;
  map<R>(fn1: (value: T1) => R, fn2: (value: T2) => R): DataStream<R>;
  map<R>(fn: CoMapFunction<T1, T2, R> | ((value: T1) => R), fn2?: (value: T2) => R): DataStream<R> {
    const co: CoMapFunction<T1, T2, R> = typeof fn === 'function' ? { map1: fn, map2: requireSecond(fn2, 'map') } : fn;
    return this.transform('Co-Map', () => new CoStreamMap<T1, T2, R>(cloneFunction(co)));
  }

  /** Emits any number of elements per element of either input: `flatMap(fn1, fn2)` or `flatMap({ flatMap1, flatMap2 })`. */
  flatMap<R>(fn: CoFlatMapFunction<T1, T2, R>): DataStream<R>;
  flatMap<R>(fn1: (value: T1, out: Collector<R>) => void, fn2: (value: T2, out: Collector<R>) => void): DataStream<R>;
  flatMap<R>(fn: CoFlatMapFunction<T1, T2, R> | ((value: T1, out: Collector<R>) => void), fn2?: (value: T2, out: Collector<R>) => void): DataStream<R> {
    const co: CoFlatMapFunction<T1, T2, R> = typeof fn === 'function' ? { flatMap1: fn, flatMap2: requireSecond(fn2, 'flatMap') } : fn;
    return this.transform('Co-Flat Map', () => new CoStreamFlatMap<T1, T2, R>(cloneFunction(co)));
  }

  /** Keys both inputs (key selectors per side). */
  keyBy<K extends Key>(key1: (v: T1) => K, key2: (v: T2) => K): ConnectedStreams<T1, T2> {
    return new ConnectedStreams(this.first.keyBy(key1), this.second.keyBy(key2));
  }
}

function requireSecond<F>(fn: F | undefined, method: string): F {
  if (typeof fn !== 'function') throw new TypeError(`ConnectedStreams.${method} expects a function per input, or one object with both methods`);
  return fn;
}

streamExtensions.connected = (first, second) => new ConnectedStreams(first, second);
