// The job graph of one batch stage: the stage's operators (copies of the job's StreamNodes with
// their resolved parallelism, maxParallelism and slot sharing group), a partition source per
// input of an operator that reads a blocking edge (all blocking edges into the same input share
// one source, so a union still chains), and a partition sink after every operator that writes a
// blocking edge (same side output). Keyed operators are wrapped to run on sorted input
// (SortedKeyedOperator) and lose their key selectors: the wrapper keys its own state, and the
// subtask builds no streaming state backend for them. The partition sources and sinks come from
// the runtime (they do the I/O); chaining follows the usual rules (buildJobGraph), so the stage's
// forward edges stay chained. A sink whose edge is the keyBy into a rolling reduce gets that
// reduce as its combine step (BatchCombiner); one into a whole-key aggregate (a GlobalWindows
// end-of-stream window with an AggregateFunction) gets the aggregate's, and since that step sends
// partial accumulators, the edge's and the consumer's key selectors also read their keys.
// Pure; imports api/ only.
import { partialAwareKeySelector, rollingReduceOf, type CombineSpec } from '../operators/batch-combiner.ts';
import { SortedKeyedOperator, type SortedInputOptions } from '../operators/sorted-keyed-operator.ts';
import { SourceOperator } from '../sources/source-operator.ts';
import type { Source } from '../sources/source.ts';
import type { BatchStage } from './batch-stages.ts';
import { buildJobGraph } from './job-graph-builder.ts';
import type { JobEdge, JobGraph } from './job-graph.ts';
import { StreamGraph, type StreamNode } from './stream-graph.ts';

/** What the runtime supplies to build a stage. */
export interface StageGraphFactories {
  /** The source reading `edges` (blocking edges into one input of one operator) for the stage's subtasks. */
  partitionSource(edges: readonly JobEdge[]): Source<unknown, any, any>;
  /** Creates the operator writing `edge`'s records into its blocking partition, folding them first with `combine` when given. */
  partitionSink(edge: JobEdge, combine?: CombineSpec): () => unknown;
  /** Memory and spill storage of the sorted keyed inputs. */
  readonly sortedInput: SortedInputOptions;
}

/** A stage's job graph and, per stage node, the job's node it copies. */
export interface StageJobGraph {
  readonly graph: JobGraph;
  readonly originalOf: ReadonlyMap<StreamNode, StreamNode>;
}

/** Builds the job graph that runs `stage` of `job` (see the file header). */
export function buildStageJobGraph(job: JobGraph, stage: BatchStage, factories: StageGraphFactories): StageJobGraph {
  const sg = new StreamGraph();
  const copyOf = new Map<StreamNode, StreamNode>();
  const originalOf = new Map<StreamNode, StreamNode>();
  const inStage = new Set<StreamNode>();
  for (const v of stage.vertices) for (const n of v.nodes) inStage.add(n);
  const blockingInputs = new Map<string, JobEdge[]>();
  for (const e of stage.inputs) {
    const id = `${e.targetNode.id}#${e.typeNumber}`;
    blockingInputs.set(id, [...(blockingInputs.get(id) ?? []), e]);
  }
  const blocking = new Set<unknown>(stage.inputs.map((e) => e.streamEdge));
  // Nodes in topological order (partition sources before their readers), as buildJobGraph needs.
  for (const v of stage.vertices) {
    for (const n of v.nodes) {
      const readers: Array<[StreamNode, 1 | 2]> = [];
      for (const t of [1, 2] as const) {
        const edges = blockingInputs.get(`${n.id}#${t}`);
        if (edges === undefined) continue;
        const source = factories.partitionSource(edges);
        const from = [...new Set(edges.map((e) => e.sourceNode.name))].join(', ');
        const reader = sg.addNode({
          name: `Blocking Partition (${from})`,
          kind: 'source',
          source: source as Source<unknown, any, any>,
          operatorFactory: () => new SourceOperator(source, undefined, 0),
          parallelism: stage.parallelism,
        });
        reader.slotSharingGroup = v.slotSharingGroup;
        readers.push([reader, t]);
      }
      const keyed = n.keySelectors[0] !== undefined || n.keySelectors[1] !== undefined;
      // A whole-key aggregate reading blocking input gets partial accumulators from its combine step.
      const partials = n.wholeKeyAggregate !== undefined && readers.length > 0;
      const selectors: typeof n.keySelectors = partials
        ? [n.keySelectors[0] && partialAwareKeySelector(n.keySelectors[0]), n.keySelectors[1]]
        : n.keySelectors;
      const factory = n.operatorFactory;
      const copy = sg.addNode({
        name: n.name,
        kind: n.kind,
        operatorFactory: keyed
          ? () => new SortedKeyedOperator(factory(), selectors, n.name, factories.sortedInput, n.kind === 'two-input', partials ? n.wholeKeyAggregate!() : undefined)
          : factory,
        source: n.source,
        parallelism: v.parallelism,
        parallelismLimit: n.parallelismLimit,
        chainingStrategy: n.chainingStrategy,
        isSink: n.isSink,
      });
      copy.uid = n.uid;
      copy.maxParallelism = v.maxParallelismOf.get(n.id);
      copy.slotSharingGroup = v.slotSharingGroup;
      copyOf.set(n, copy);
      originalOf.set(copy, n);
      // Inputs in the job's order, so that a union keeps its order.
      for (const e of n.inEdges) {
        if (blocking.has(e) || !inStage.has(e.source)) continue;
        sg.addEdge({ source: copyOf.get(e.source)!, target: copy, typeNumber: e.typeNumber, partitioner: e.partitioner, sideOutputTag: e.sideOutputTag });
      }
      for (const [reader, t] of readers) sg.addEdge({ source: reader, target: copy, typeNumber: t, partitioner: { kind: 'forward' } });
    }
  }
  for (const e of stage.outputs) {
    const combine = combineSpecOf(e, factories.sortedInput.memoryBytes);
    // Partial accumulators are routed by their own key.
    const edge: JobEdge = combine?.aggregate !== undefined && e.partitioner.kind === 'hash'
      ? { ...e, partitioner: { ...e.partitioner, keySelector: partialAwareKeySelector(e.partitioner.keySelector) } }
      : e;
    const writer = sg.addNode({
      name: `Blocking Partition Sink (to ${e.targetNode.name})`,
      kind: 'one-input',
      operatorFactory: factories.partitionSink(edge, combine),
      parallelism: stage.parallelism,
      isSink: true,
    });
    writer.slotSharingGroup = e.source.slotSharingGroup;
    sg.addEdge({ source: copyOf.get(e.sourceNode)!, target: writer, typeNumber: 1, partitioner: { kind: 'forward' }, sideOutputTag: e.sideOutputTag });
  }
  const graph = buildJobGraph(sg, {
    jobName: `${job.jobName} (stage ${stage.index})`,
    parallelism: stage.parallelism,
    maxParallelism: stage.vertices[0].maxParallelism,
    chainingEnabled: job.config.chainingEnabled ?? true,
    config: job.config,
  });
  return { graph, originalOf };
}


/** The rolling reduce function of keyed nodes, by node (null: not a rolling reduce). */
const reduceOfNode = new WeakMap<StreamNode, ((a: unknown, b: unknown) => unknown) | null>();

/**
 * The combine step of `edge` when it is the keyBy into a rolling reduce (the reduce with the
 * consumer's key selector) or into a whole-key aggregate (a fresh copy of its AggregateFunction).
 * Builds the consumer's operator once per node to look at it (an iteration body's stages are
 * built again every superstep).
 */
export function combineSpecOf(edge: JobEdge, memoryBytes: number): CombineSpec | undefined {
  const target = edge.targetNode;
  const keySelector = target.keySelectors[0];
  if (edge.partitioner.kind !== 'hash' || target.kind !== 'one-input' || keySelector === undefined) return undefined;
  if (target.wholeKeyAggregate !== undefined) {
    return { aggregate: target.wholeKeyAggregate(), keySelector, operatorName: target.name, memoryBytes };
  }
  let reduce = reduceOfNode.get(target);
  if (reduce === undefined) {
    reduce = rollingReduceOf(target.operatorFactory()) ?? null;
    reduceOfNode.set(target, reduce);
  }
  return reduce === null ? undefined : { reduce, keySelector, operatorName: target.name, memoryBytes };
}
