// JobGraph: the physical plan: operator chains (JobVertex) joined by network edges (JobEdge),
// with every setting resolved. Built from a StreamGraph by job-graph-builder.ts. Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import type { PartitionerSpec } from './partitioner.ts';
import type { StreamEdge, StreamNode } from './stream-graph.ts';

/** One operator chain: runs as `parallelism` subtasks. */
export interface JobVertex {
  readonly id: number;
  /** The chain's operator names joined by " -> " (Flink's vertex name). */
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Resolved maxParallelism of each chained operator, by StreamNode id (key groups of its state). */
  readonly maxParallelismOf: ReadonlyMap<number, number>;
  readonly slotSharingGroup: string;
  /** The chain's operators, head first, in topological order. */
  readonly nodes: StreamNode[];
  readonly head: StreamNode;
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

/** A network edge between two chains. */
export interface JobEdge {
  readonly id: number;
  readonly source: JobVertex;
  readonly target: JobVertex;
  readonly sourceNode: StreamNode;
  readonly targetNode: StreamNode;
  readonly partitioner: PartitionerSpec;
  readonly typeNumber: 1 | 2;
  readonly sideOutputTag?: OutputTag<unknown>;
  /** The logical edge this network edge carries. */
  readonly streamEdge: StreamEdge;
}

/** The resolved settings of the job the graph belongs to. */
export interface JobGraphConfig {
  readonly bufferTimeoutMs: number;
  readonly autoWatermarkIntervalMs: number;
  readonly runtimeMode: 'streaming' | 'batch' | 'automatic';
  /** Batch mode: bytes a sorter or a stage's blocking output holds before spilling (ExecutionConfig). */
  readonly batchMemoryBytes?: number;
  /** Whether operators chain (batch stages are built again with the same setting). */
  readonly chainingEnabled?: boolean;
  /** Settings stored for the fault-tolerance work (checkpointing, restart strategy, backend). */
  readonly faultTolerance: Readonly<Record<string, unknown>>;
}

/** The physical plan of one job. */
export interface JobGraph {
  readonly jobName: string;
  /** In topological order. */
  readonly vertices: JobVertex[];
  readonly edges: JobEdge[];
  readonly config: JobGraphConfig;
}

/** Slots a job needs per slot sharing group: its highest vertex parallelism (Flink's slot sharing). */
export function slotsPerSharingGroup(graph: JobGraph): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of graph.vertices) out.set(v.slotSharingGroup, Math.max(out.get(v.slotSharingGroup) ?? 0, v.parallelism));
  return out;
}

/** Total slots a job needs. */
export function requiredSlots(graph: JobGraph): number {
  let n = 0;
  for (const s of slotsPerSharingGroup(graph).values()) n += s;
  return n;
}
