// Batch stages: how a bounded job runs in BATCH mode. The job graph splits into stages at every
// redistributing edge (keyBy, rebalance, broadcast, ...): a stage is a set of vertices joined by
// forward edges, so its subtasks form `parallelism` independent pipelines (subtask i of each
// vertex meets only subtask i of its neighbours). Edges between stages are blocking: the
// producing stage writes its output before a consuming stage starts. Stages are listed in the
// order they are scheduled (every stage after the stages it reads). When forward edges would put
// a blocking edge inside a stage (or make two stages read each other), every edge becomes
// blocking and each vertex is its own stage (Flink's ALL_EXCHANGES_BLOCKING). Also the runtime
// mode's validation (batch needs bounded sources; bulk and delta iterations need batch). An
// iteration's vertex is always a stage of its own. Pure; imports api/graph only.
import { ITERATION_NEEDS_BATCH } from './iteration-spec.ts';
import type { JobEdge, JobGraph, JobVertex } from './job-graph.ts';
import type { StreamNode } from './stream-graph.ts';

/** One stage: vertices joined by forward edges, all of one parallelism. */
export interface BatchStage {
  /** Position in the schedule, from 0. */
  readonly index: number;
  /** In topological order. */
  readonly vertices: readonly JobVertex[];
  readonly parallelism: number;
  /** Blocking edges this stage reads. */
  readonly inputs: readonly JobEdge[];
  /** Blocking edges this stage writes. */
  readonly outputs: readonly JobEdge[];
  /** Indexes of the stages whose output this stage reads. */
  readonly upstream: readonly number[];
}

/** The stages of a job, in scheduling order. */
export interface BatchPlan {
  readonly stages: readonly BatchStage[];
  /** True when every edge is blocking (forward components could not be stages, see the header). */
  readonly allEdgesBlocking: boolean;
}

/** An edge that ends a stage: anything but forward, and every edge of an iteration (a stage of its own). */
export function isRedistributing(edge: JobEdge): boolean {
  return edge.partitioner.kind !== 'forward' || isIterationVertex(edge.source) || isIterationVertex(edge.target);
}

/** True for the vertex of a bulk or delta iteration (the batch runner runs its body per superstep). */
export function isIterationVertex(vertex: JobVertex): boolean {
  return vertex.nodes.some((n) => n.iteration !== undefined);
}

/** Splits `graph` into stages (see the file header). */
export function planBatchStages(graph: JobGraph): BatchPlan {
  const byComponents = tryPlan(graph, componentsJoinedBy(graph, (e) => !isRedistributing(e)));
  if (byComponents !== undefined) return { stages: byComponents, allEdgesBlocking: false };
  const perVertex = tryPlan(graph, componentsJoinedBy(graph, () => false));
  // Each vertex its own stage: the job graph is acyclic, so this always has an order.
  return { stages: perVertex!, allEdgesBlocking: true };
}

/** Representative vertex of each vertex, joining those linked by edges `joins` accepts. */
function componentsJoinedBy(graph: JobGraph, joins: (e: JobEdge) => boolean): Map<JobVertex, JobVertex> {
  const parent = new Map<JobVertex, JobVertex>(graph.vertices.map((v) => [v, v]));
  const find = (v: JobVertex): JobVertex => {
    let r = v;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(v, r);
    return r;
  };
  for (const e of graph.edges) {
    if (!joins(e)) continue;
    const a = find(e.source), b = find(e.target);
    // The smaller vertex id represents: stages are named after their first vertex.
    if (a !== b) { if (a.id < b.id) parent.set(b, a); else parent.set(a, b); }
  }
  const out = new Map<JobVertex, JobVertex>();
  for (const v of graph.vertices) out.set(v, find(v));
  return out;
}

/** Stages in a schedulable order, or undefined when a blocking edge stays inside a stage or stages form a cycle. */
function tryPlan(graph: JobGraph, rep: Map<JobVertex, JobVertex>): BatchStage[] | undefined {
  const members = new Map<JobVertex, JobVertex[]>();
  for (const v of graph.vertices) {
    const r = rep.get(v)!;
    const list = members.get(r) ?? [];
    list.push(v);
    members.set(r, list);
  }
  const inputs = new Map<JobVertex, JobEdge[]>(), outputs = new Map<JobVertex, JobEdge[]>();
  const deps = new Map<JobVertex, Set<JobVertex>>();
  for (const r of members.keys()) { inputs.set(r, []); outputs.set(r, []); deps.set(r, new Set()); }
  for (const e of graph.edges) {
    const a = rep.get(e.source)!, b = rep.get(e.target)!;
    if (a === b) {
      if (isRedistributing(e)) return undefined;
      continue;
    }
    outputs.get(a)!.push(e);
    inputs.get(b)!.push(e);
    deps.get(b)!.add(a);
  }
  // Kahn's algorithm; among ready stages the one with the lowest vertex id goes first (reproducible).
  const order: JobVertex[] = [];
  const done = new Set<JobVertex>();
  const reps = [...members.keys()].sort((x, y) => x.id - y.id);
  while (order.length < reps.length) {
    const next = reps.find((r) => !done.has(r) && [...deps.get(r)!].every((d) => done.has(d)));
    if (next === undefined) return undefined;
    done.add(next);
    order.push(next);
  }
  const indexOf = new Map(order.map((r, i) => [r, i]));
  return order.map((r, index) => {
    const vertices = members.get(r)!.sort((x, y) => graph.vertices.indexOf(x) - graph.vertices.indexOf(y));
    const parallelism = vertices[0].parallelism;
    if (vertices.some((v) => v.parallelism !== parallelism)) {
      throw new Error(`stage of "${vertices[0].name}" mixes parallelisms: forward edges need equal parallelism`);
    }
    return {
      index, vertices, parallelism, inputs: inputs.get(r)!, outputs: outputs.get(r)!,
      upstream: [...deps.get(r)!].map((d) => indexOf.get(d)!).sort((x, y) => x - y),
    };
  });
}

/** One line per stage: its vertices, parallelism and the edges it reads (golden tests, logs). */
export function describeBatchPlan(plan: BatchPlan): string {
  return plan.stages.map((s) => {
    const reads = s.inputs.map((e) => `${e.partitioner.kind} from "${e.source.name}"`).join(', ');
    return `stage ${s.index} (p=${s.parallelism}): ${s.vertices.map((v) => `[${v.name}]`).join(' ')}` +
      (reads ? ` <- ${reads}` : '') + (s.upstream.length ? ` after ${s.upstream.join(',')}` : '');
  }).join('\n');
}

/** An unbounded source where batch mode needs bounded ones: the message names it. */
export class UnboundedSourceError extends Error {
  override readonly name = 'UnboundedSourceError';
}

/** The sources of `nodes` that never end. */
export function unboundedSources(nodes: readonly StreamNode[]): StreamNode[] {
  return nodes.filter((n) => n.kind === 'source' && n.source !== undefined && n.source.boundedness !== 'bounded');
}

/**
 * The mode a job runs in: 'batch' (every source must be bounded, else UnboundedSourceError naming
 * the first unbounded one) or 'streaming'; 'automatic' is batch when every source is bounded.
 */
export function resolveRuntimeMode(mode: 'streaming' | 'batch' | 'automatic', nodes: readonly StreamNode[]): 'streaming' | 'batch' {
  const iterations = nodes.some((n) => n.iteration !== undefined);
  const loop = nodes.find((n) => n.feedback?.role === 'head');
  if (loop && iterations) throw new Error(`a job cannot have both a streaming iteration ("${loop.name}") and a bulk or delta iteration`);
  if (loop && mode === 'batch') {
    throw new Error(`streaming iteration "${loop.name}" (iterate() / closeWith) needs streaming mode; ` +
      "in batch mode use a bulk iteration (iterate(maxIterations, step)) or a delta iteration (iterateDelta)");
  }
  if (mode === 'streaming') {
    if (iterations) throw new Error(ITERATION_NEEDS_BATCH);
    return 'streaming';
  }
  const unbounded = unboundedSources(nodes);
  if (mode === 'automatic') {
    if (unbounded.length === 0) return 'batch';
    if (iterations) throw new UnboundedSourceError(`${ITERATION_NEEDS_BATCH}; 'automatic' chose streaming because source "${unbounded[0].name}" is unbounded`);
    return 'streaming';
  }
  if (unbounded.length > 0) {
    const names = unbounded.map((n) => `"${n.name}"`).join(', ');
    throw new UnboundedSourceError(`batch mode needs bounded sources, but source ${names} is unbounded; ` +
      "bound it (e.g. a finite count or no file monitoring) or run with setRuntimeMode('streaming')");
  }
  return 'batch';
}
