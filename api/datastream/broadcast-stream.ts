// BroadcastStream: a stream whose every element goes to every parallel subtask of the operator
// it is connected to, together with the MapStateDescriptors of the broadcast state that operator
// keeps (Flink's stream.broadcast(descriptors)). It has no operations of its own: connect a
// (keyed) stream to it. Imports types only, so that DataStream may import it without a cycle.
import type { MapStateDescriptor } from '../../state/state-descriptors.ts';
import type { DataStream } from './data-stream.ts';

/** A broadcast stream with its broadcast state descriptors; connect another stream to it. */
export class BroadcastStream<T> {
  declare readonly __type?: T;

  constructor(
    /** The broadcast-partitioned stream. */
    readonly stream: DataStream<T>,
    /** The broadcast states the connected operator keeps. */
    readonly descriptors: readonly MapStateDescriptor<any, any>[],
  ) {
    if (descriptors.length === 0) throw new Error('broadcast state needs at least one MapStateDescriptor');
  }

  /** The environment the stream belongs to. */
  get environment(): DataStream<T>['environment'] { return this.stream.environment; }
}
