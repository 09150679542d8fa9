// DataStreamSink: the handle a sink call returns, for naming and placing the sink operator.
import type { StreamNode } from '../graph/stream-graph.ts';

/** Settings of a sink operator. */
export class DataStreamSink<T> {
  declare readonly __type?: T;
  constructor(/** @internal */ readonly node: StreamNode) {}
  name(name: string): this { this.node.name = name; return this; }
  uid(uid: string): this { this.node.uid = uid; return this; }
  setParallelism(parallelism: number): this { this.node.parallelism = checkParallelism(parallelism, this.node.name); return this; }
  setMaxParallelism(maxParallelism: number): this { this.node.maxParallelism = checkParallelism(maxParallelism, this.node.name); return this; }
  disableChaining(): this { this.node.chainingStrategy = 'never'; return this; }
  startNewChain(): this { this.node.chainingStrategy = 'head'; return this; }
  slotSharingGroup(group: string): this { this.node.slotSharingGroup = group; return this; }
}

/** Checks a parallelism argument (a positive integer). */
export function checkParallelism(n: number, operatorName: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`operator "${operatorName}": parallelism must be a positive integer, got ${n}`);
  return n;
}
