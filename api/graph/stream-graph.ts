// StreamGraph: the logical dataflow the DataStream API builds: one StreamNode per operator, one
// StreamEdge per connection (with its partitioner and side-output tag). Unresolved settings
// (parallelism, maxParallelism, slot sharing group) stay undefined until the job graph is built.
// Imports api/ only.
import type { AggregateFunction } from '../../state/state-descriptors.ts';
import type { KeySelector } from '../functions/key-selector.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Source } from '../sources/source.ts';
import type { FeedbackRole } from './feedback-loop.ts';
import type { IterationSpec } from './iteration-spec.ts';
import type { PartitionerSpec } from './partitioner.ts';

/** Flink's ChainingStrategy: chain with both neighbours, only with downstream, or never. */
export type ChainingStrategy = 'always' | 'head' | 'never';

/** The shape of an operator. */
export type OperatorKind = 'source' | 'one-input' | 'two-input';

/** One operator of the logical dataflow. */
export interface StreamNode {
  readonly id: number;
  name: string;
  uid?: string;
  readonly kind: OperatorKind;
  /** Creates a fresh operator instance per subtask (and per restart). */
  readonly operatorFactory: () => unknown;
  /** The FLIP-27 source of a source node (its enumerator runs in the JobMaster). */
  readonly source?: Source<unknown, any, any>;
  parallelism?: number;
  maxParallelism?: number;
  /** The largest parallelism the operator supports (non-parallel sources: 1). */
  readonly parallelismLimit?: number;
  slotSharingGroup?: string;
  chainingStrategy: ChainingStrategy;
  /** Key selector of input 1 and input 2 when that input is keyed. */
  readonly keySelectors: [KeySelector<any> | undefined, KeySelector<any> | undefined];
  readonly isSink: boolean;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
  /** Set on an iteration node (batch mode): its body and kind. */
  iteration?: IterationSpec;
  /** Set on the head, input and tail of a streaming iteration (feedback loop). */
  feedback?: FeedbackRole;
  /**
   * Set on a sink that commits its output when a checkpoint completes (a TwoPhaseCommitSink):
   * restoring a checkpoint older than one it committed would write that output again.
   */
  commitsOnCheckpoint?: boolean;
  /**
   * Set on a window operator that aggregates a whole key with an AggregateFunction (GlobalWindows
   * firing at the end of input): batch mode folds its input per key before the exchange.
   */
  wholeKeyAggregate?: () => AggregateFunction<any, any, any>;
}

/** A connection between two operators. */
export interface StreamEdge {
  readonly source: StreamNode;
  readonly target: StreamNode;
  /** Which input of the target (two-input operators). */
  readonly typeNumber: 1 | 2;
  /** Undefined: forward when parallelisms match, else rebalance (Flink's default). */
  readonly partitioner?: PartitionerSpec;
  /** Set when the edge carries a side output instead of the main output. */
  readonly sideOutputTag?: OutputTag<unknown>;
}

/** What a new node is made of. */
export interface StreamNodeSpec {
  name: string;
  kind: OperatorKind;
  operatorFactory: () => unknown;
  source?: Source<unknown, any, any>;
  parallelism?: number;
  parallelismLimit?: number;
  chainingStrategy?: ChainingStrategy;
  keySelectors?: [KeySelector<any> | undefined, KeySelector<any> | undefined];
  isSink?: boolean;
}

/** The logical dataflow of one environment. */
export class StreamGraph {
  readonly nodes: StreamNode[] = [];
  private nextId = 1;

  addNode(spec: StreamNodeSpec): StreamNode {
    const node: StreamNode = {
      id: this.nextId++,
      name: spec.name,
      kind: spec.kind,
      operatorFactory: spec.operatorFactory,
      source: spec.source,
      parallelism: spec.parallelism,
      parallelismLimit: spec.parallelismLimit,
      chainingStrategy: spec.chainingStrategy ?? (spec.kind === 'source' ? 'head' : 'always'),
      keySelectors: spec.keySelectors ?? [undefined, undefined],
      isSink: spec.isSink ?? false,
      inEdges: [],
      outEdges: [],
    };
    this.nodes.push(node);
    return node;
  }

  addEdge(edge: StreamEdge): void {
    edge.source.outEdges.push(edge);
    edge.target.inEdges.push(edge);
  }

  /** Forgets every node (Flink clears transformations after execute). */
  clear(): void { this.nodes.length = 0; }
}
