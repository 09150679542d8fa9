// Builds a JobGraph from a StreamGraph: resolves parallelism, maxParallelism, slot sharing groups
// and default partitioners, validates the topology (messages name the operator), and chains
// operators by Flink's rules: the edge is forward with equal parallelism, the downstream operator
// has a single input and chaining strategy 'always', the upstream 'always' or 'head', both are in
// the same slot sharing group, and chaining is enabled for the job. Imports api/ and state/.
import { UPPER_BOUND_MAX_PARALLELISM } from '../../state/key-groups.ts';
import { checkFeedbackLoops } from './feedback-loop.ts';
import type { JobEdge, JobGraph, JobGraphConfig, JobVertex } from './job-graph.ts';
import type { PartitionerSpec } from './partitioner.ts';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.ts';

/** Job-wide defaults the builder applies. */
export interface JobGraphDefaults {
  readonly jobName: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly chainingEnabled: boolean;
  readonly config: JobGraphConfig;
}

/** A topology the runtime cannot run; the message names the operator at fault. */
export class InvalidJobGraphError extends Error {
  override readonly name = 'InvalidJobGraphError';
}

const DEFAULT_SLOT_SHARING_GROUP = 'default';

/** Validates `graph` and translates it into chains. Throws InvalidJobGraphError. */
export function buildJobGraph(graph: StreamGraph, defaults: JobGraphDefaults): JobGraph {
  const nodes = [...graph.nodes].sort((a, b) => a.id - b.id);
  if (nodes.length === 0) throw new InvalidJobGraphError('no operators defined in the streaming topology: add a source and a sink before execute()');
  checkAcyclic(nodes);
  const parallelism = new Map<StreamNode, number>();
  const maxParallelism = new Map<StreamNode, number>();
  const group = new Map<StreamNode, string>();
  for (const node of nodes) {
    const loopHead = node.feedback && node.feedback.role !== 'head' ? node.feedback.loop.head : undefined;
    const p = node.parallelism ?? (loopHead ? parallelism.get(loopHead)! : Math.min(defaults.parallelism, node.parallelismLimit ?? Infinity));
    const mp = node.maxParallelism ?? defaults.maxParallelism;
    if (node.parallelismLimit !== undefined && p > node.parallelismLimit) {
      throw new InvalidJobGraphError(`operator "${node.name}" is not parallel: its parallelism must be at most ${node.parallelismLimit}, got ${p}`);
    }
    if (mp < 1 || mp > UPPER_BOUND_MAX_PARALLELISM) {
      throw new InvalidJobGraphError(`operator "${node.name}": maxParallelism ${mp} must be within 1..${UPPER_BOUND_MAX_PARALLELISM}`);
    }
    if (p > mp) throw new InvalidJobGraphError(`operator "${node.name}": parallelism ${p} is greater than its maxParallelism ${mp}`);
    parallelism.set(node, p);
    maxParallelism.set(node, mp);
    // A loop's input and tail share its head's parallelism and group: subtask i of each shares a slot.
    group.set(node, loopHead ? group.get(loopHead)! : node.slotSharingGroup ?? (node.inEdges[0] ? group.get(node.inEdges[0].source)! : DEFAULT_SLOT_SHARING_GROUP));
  }
  const loopProblem = checkFeedbackLoops(nodes, parallelism, group);
  if (loopProblem !== undefined) throw new InvalidJobGraphError(loopProblem);
  if (!nodes.some((n) => n.isSink)) {
    throw new InvalidJobGraphError('the job has no sink: add one (print, addSink, sinkTo or executeAndCollect) so that its results go somewhere');
  }
  const partitioners = new Map<StreamEdge, PartitionerSpec>();
  for (const node of nodes) {
    for (const edge of node.inEdges) {
      const up = parallelism.get(edge.source)!, down = parallelism.get(node)!;
      const spec: PartitionerSpec = edge.partitioner ?? (up === down ? { kind: 'forward' } : { kind: 'rebalance' });
      if (spec.kind === 'forward' && up !== down) {
        throw new InvalidJobGraphError(
          `forward partitioning does not allow a change of parallelism: "${edge.source.name}" has parallelism ${up}, ` +
          `"${node.name}" has ${down}; use rebalance, rescale, shuffle, broadcast or global instead`);
      }
      partitioners.set(edge, spec);
    }
    if (node.kind === 'two-input') {
      const keyed1 = node.keySelectors[0] !== undefined, keyed2 = node.keySelectors[1] !== undefined;
      // A keyed input 1 with a broadcast input 2 is the keyed broadcast state pattern.
      const broadcast2 = node.inEdges.every((e) => e.typeNumber !== 2 || partitioners.get(e)!.kind === 'broadcast');
      if (keyed1 !== keyed2 && !(keyed1 && broadcast2)) throw new InvalidJobGraphError(`operator "${node.name}": both inputs must be keyed or neither`);
      if (!node.inEdges.some((e) => e.typeNumber === 1) || !node.inEdges.some((e) => e.typeNumber === 2)) {
        throw new InvalidJobGraphError(`operator "${node.name}" needs both of its inputs connected`);
      }
    } else if (node.kind === 'one-input' && node.inEdges.length === 0) {
      throw new InvalidJobGraphError(`operator "${node.name}" has no input`);
    }
  }

  const chainable = (edge: StreamEdge): boolean =>
    defaults.chainingEnabled &&
    edge.target.inEdges.length === 1 &&
    edge.target.kind === 'one-input' &&
    partitioners.get(edge)!.kind === 'forward' &&
    edge.target.chainingStrategy === 'always' &&
    edge.source.chainingStrategy !== 'never' &&
    parallelism.get(edge.source) === parallelism.get(edge.target) &&
    group.get(edge.source) === group.get(edge.target);

  const vertexOf = new Map<StreamNode, { nodes: StreamNode[] }>();
  const chains: Array<{ nodes: StreamNode[] }> = [];
  for (const node of nodes) {
    const input = node.inEdges.length === 1 ? node.inEdges[0] : undefined;
    if (input && chainable(input)) {
      const chain = vertexOf.get(input.source)!;
      chain.nodes.push(node);
      vertexOf.set(node, chain);
    } else {
      const chain = { nodes: [node] };
      chains.push(chain);
      vertexOf.set(node, chain);
    }
  }

  const vertices: JobVertex[] = [];
  const byChain = new Map<{ nodes: StreamNode[] }, JobVertex>();
  chains.forEach((chain, i) => {
    const head = chain.nodes[0];
    const v: JobVertex = {
      id: i + 1,
      name: chain.nodes.map((n) => n.name).join(' -> '),
      parallelism: parallelism.get(head)!,
      maxParallelism: maxParallelism.get(head)!,
      maxParallelismOf: new Map(chain.nodes.map((n) => [n.id, maxParallelism.get(n)!])),
      slotSharingGroup: group.get(head)!,
      nodes: chain.nodes,
      head,
      inputs: [],
      outputs: [],
    };
    vertices.push(v);
    byChain.set(chain, v);
  });

  const edges: JobEdge[] = [];
  for (const node of nodes) {
    for (const edge of node.inEdges) {
      const source = byChain.get(vertexOf.get(edge.source)!)!, target = byChain.get(vertexOf.get(node)!)!;
      if (source === target) continue;
      const jobEdge: JobEdge = {
        id: edges.length + 1, source, target, sourceNode: edge.source, targetNode: node,
        partitioner: partitioners.get(edge)!, typeNumber: edge.typeNumber, sideOutputTag: edge.sideOutputTag, streamEdge: edge,
      };
      edges.push(jobEdge);
      source.outputs.push(jobEdge);
      target.inputs.push(jobEdge);
    }
  }
  return { jobName: defaults.jobName, vertices, edges, config: defaults.config };
}

/** Rejects cycles (the DataStream API builds loops only through iterations, whose feedback edges are no graph edges). */
function checkAcyclic(nodes: StreamNode[]): void {
  const state = new Map<StreamNode, 1 | 2>();
  const visit = (node: StreamNode): void => {
    const s = state.get(node);
    if (s === 2) return;
    if (s === 1) throw new InvalidJobGraphError(`the topology has a cycle through operator "${node.name}"; feedback loops need iterate()`);
    state.set(node, 1);
    for (const e of node.outEdges) visit(e.target);
    state.set(node, 2);
  };
  for (const n of nodes) visit(n);
}
