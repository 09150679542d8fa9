// ConnectedStreams: two streams, possibly of different types, feeding one two-input operator
// (connect). Keyed when both sides are keyed: the operator then gets keyed state and timers.
// Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { CoProcessFunction, KeyedCoProcessFunction } from '../functions/co-process-function.ts';
import { CoProcessOperator, KeyedCoProcessOperator } from '../operators/co-process-operator.ts';
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

  /** Keys both inputs (key selectors per side). */
  keyBy<K extends Key>(key1: (v: T1) => K, key2: (v: T2) => K): ConnectedStreams<T1, T2> {
    return new ConnectedStreams(this.first.keyBy(key1), this.second.keyBy(key2));
  }
}

streamExtensions.connected = (first, second) => new ConnectedStreams(first, second);
