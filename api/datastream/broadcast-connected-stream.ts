// BroadcastConnectedStream: a (keyed or non-keyed) stream connected with a BroadcastStream
// (Flink's broadcast state pattern). process() adds the two-input operator: input 1 keeps its
// partitioning (hash when keyed), input 2 is broadcast to every subtask.
// Imports api/ only; registers itself in stream-extensions (DataStream.connect creates it).
import type { Key } from '../../state/key-groups.ts';
import { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../functions/broadcast-process-function.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import { CoBroadcastWithKeyedOperator } from '../operators/co-broadcast-with-keyed-operator.ts';
import { CoBroadcastWithNonKeyedOperator } from '../operators/co-broadcast-with-non-keyed-operator.ts';
import type { TwoInputStreamOperator } from '../operators/stream-operator.ts';
import type { BroadcastStream } from './broadcast-stream.ts';
import { DataStream } from './data-stream.ts';
import { KeyedStream } from './keyed-stream.ts';
import { streamExtensions } from './stream-extensions.ts';

/** A stream connected with a broadcast stream; finish with process(fn). */
export class BroadcastConnectedStream<IN1, IN2> {
  constructor(
    /** The non-broadcast input (keyed or not). */
    readonly first: DataStream<IN1>,
    /** The broadcast input with its state descriptors. */
    readonly broadcast: BroadcastStream<IN2>,
  ) {
    if (first.environment !== broadcast.environment) throw new Error('connect: both streams must belong to the same environment');
  }

  /** True when the non-broadcast input is keyed (process then takes a KeyedBroadcastProcessFunction). */
  isKeyed(): boolean { return this.first instanceof KeyedStream; }

  /** Runs a KeyedBroadcastProcessFunction (keyed input) or a BroadcastProcessFunction (non-keyed input), as Flink requires. */
  process<R>(fn: BroadcastProcessFunction<IN1, IN2, R> | KeyedBroadcastProcessFunction<any, IN1, IN2, R>): DataStream<R> {
    const descriptors = this.broadcast.descriptors;
    if (this.isKeyed()) {
      if (fn instanceof BroadcastProcessFunction) throw new Error('a BroadcastProcessFunction needs a non-keyed stream: use a KeyedBroadcastProcessFunction after keyBy()');
      const keyed = fn as KeyedBroadcastProcessFunction<Key, IN1, IN2, R>;
      return this.transform('Co-Process-Broadcast-Keyed', () => new CoBroadcastWithKeyedOperator<Key, IN1, IN2, R>(cloneFunction(keyed), descriptors));
    }
    if (fn instanceof KeyedBroadcastProcessFunction) throw new Error('a KeyedBroadcastProcessFunction needs a keyed stream: keyBy() before connect()');
    const plain = fn as BroadcastProcessFunction<IN1, IN2, R>;
    return this.transform('Co-Process-Broadcast', () => new CoBroadcastWithNonKeyedOperator<IN1, IN2, R>(cloneFunction(plain), descriptors));
  }

  /** Adds a custom two-input operator: input 1 as partitioned, input 2 broadcast. */
  transform<R>(name: string, operatorFactory: () => TwoInputStreamOperator<IN1, IN2, R>): DataStream<R> {
    const env = this.first.environment;
    const graph = env.streamGraph;
    const k1 = this.first instanceof KeyedStream ? this.first.keySelector : undefined;
    const node = graph.addNode({ name, kind: 'two-input', operatorFactory, keySelectors: [k1, undefined] });
    for (const i of this.first.inputs) graph.addEdge({ source: i.node, target: node, typeNumber: 1, partitioner: i.partitioner, sideOutputTag: i.sideOutputTag });
    for (const i of this.broadcast.stream.inputs) graph.addEdge({ source: i.node, target: node, typeNumber: 2, partitioner: { kind: 'broadcast' }, sideOutputTag: i.sideOutputTag });
    return new DataStream<R>(env, [{ node }]);
  }
}

streamExtensions.broadcastConnected = (first, broadcast) => new BroadcastConnectedStream(first, broadcast);
