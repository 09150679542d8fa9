// jobGraphSignature: a JobGraph's shape as a string (vertex ids, names, parallelism, chained
// operators, edges and their partitioning), so that processes that each built a job's graph from
// its bundle can check they built the same one. Imports api/ types only.
import type { JobGraph } from '../../api/graph/job-graph.ts';

/** The shape of `graph`: equal strings for graphs whose vertices, chains and edges agree. */
export function jobGraphSignature(graph: JobGraph): string {
  return JSON.stringify({
    name: graph.jobName,
    vertices: graph.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      slotSharingGroup: v.slotSharingGroup,
      nodes: v.nodes.map((n) => [n.id, n.name, n.uid ?? null]),
    })),
    edges: graph.edges.map((e) => ({
      id: e.id,
      from: [e.source.id, e.sourceNode.id],
      to: [e.target.id, e.targetNode.id],
      partitioner: e.partitioner.kind,
      input: e.typeNumber,
      sideOutput: e.sideOutputTag?.id ?? null,
    })),
  });
}
