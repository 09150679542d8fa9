// Pipelined regions of a job graph (Flink's PipelinedRegionComputeUtil, at the subtask level): in
// a streaming job every edge is pipelined, so a region is a set of subtasks joined by channels.
// A forward edge joins subtask i of its source with subtask i of its target only; every other
// edge (hash, rebalance, rescale, broadcast, ...) is wired all-to-all here and joins every subtask
// of both vertices. The region failover strategy restarts only the region of a failed subtask.
// Pure: imports only api/graph types.
import type { JobGraph, JobVertex } from '../../api/graph/job-graph.ts';

/** One subtask of a vertex (Flink's ExecutionVertexID). */
export interface SubtaskRef {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
}

/** The pipelined regions of a job and a lookup from a subtask to its region. */
export interface PipelinedRegions {
  /** Every region, each listing its subtasks by vertex (topological) then subtaskIndex. */
  readonly regions: ReadonlyArray<readonly SubtaskRef[]>;
  /** The region of subtask `subtaskIndex` of `vertex`. */
  regionOf(vertex: JobVertex, subtaskIndex: number): readonly SubtaskRef[];
  /** The index in `regions` of the region of subtask `subtaskIndex` of `vertex`. */
  indexOf(vertex: JobVertex, subtaskIndex: number): number;
}

/** Computes the pipelined regions of `graph` at the subtask level. */
export function computePipelinedRegions(graph: JobGraph): PipelinedRegions {
  const offset = new Map<JobVertex, number>();
  const refs: SubtaskRef[] = [];
  for (const vertex of graph.vertices) {
    offset.set(vertex, refs.length);
    for (let i = 0; i < vertex.parallelism; i++) refs.push({ vertex, subtaskIndex: i });
  }
  const parent = refs.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (const edge of graph.edges) {
    const s = offset.get(edge.source)!, t = offset.get(edge.target)!;
    if (edge.partitioner.kind === 'forward') {
      // The wiring connects i -> i only (the builder gives forward edges equal parallelism).
      const n = Math.min(edge.source.parallelism, edge.target.parallelism);
      for (let i = 0; i < n; i++) union(s + i, t + i);
    } else {
      for (let i = 0; i < edge.source.parallelism; i++) union(s, s + i);
      for (let j = 0; j < edge.target.parallelism; j++) union(s, t + j);
    }
  }
  const byRoot = new Map<number, number>();
  const regionIndex: number[] = [];
  const regions: SubtaskRef[][] = [];
  refs.forEach((ref, i) => {
    const root = find(i);
    let r = byRoot.get(root);
    if (r === undefined) { r = regions.push([]) - 1; byRoot.set(root, r); }
    regions[r].push(ref);
    regionIndex[i] = r;
  });
  const indexOf = (vertex: JobVertex, subtaskIndex: number): number => {
    const base = offset.get(vertex);
    if (base === undefined || subtaskIndex < 0 || subtaskIndex >= vertex.parallelism) {
      throw new RangeError(`no subtask ${subtaskIndex} of vertex ${vertex.name} in this job`);
    }
    return regionIndex[base + subtaskIndex];
  };
  return { regions, indexOf, regionOf: (vertex, subtaskIndex) => regions[indexOf(vertex, subtaskIndex)] };
}
