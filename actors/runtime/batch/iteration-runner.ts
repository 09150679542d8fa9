// Runs a bulk or delta iteration's vertex in a batch job: the body's job graph (built once from
// the body's StreamGraph at the iteration's parallelism) runs stage after stage once per
// superstep, through the batch runner's own stage loop; the superstep barrier is the completion of
// the body's last stage, when every parallel subtask has drained the superstep. The data set
// between supersteps is a blocking partition of the job's store (in memory up to the budget, then
// spilled), written by the body's tail subtask i for subtask i of the next superstep's head, as
// Flink keeps an iteration's partial solution local to its subtask. A failed body subtask re-runs
// from the superstep's persisted input. Delta iterations keep the solution set in a
// SpillingSolutionSet (in memory up to the batch memory budget, the rest in spill files),
// partitioned by key, and merge each superstep's delta at the barrier. After the barrier the
// iteration's aggregators are combined once (IterationAggregation) and its convergence criterion
// may end it. The final data set (or solution set) is written into the iteration vertex's
// outgoing blocking partitions. Imports api/ and actors/runtime/batch.
import type { BatchStage } from '../../../api/graph/batch-stages.ts';
import type { BulkIterationSpec, DeltaIterationSpec, IterationOutput } from '../../../api/graph/iteration-spec.ts';
import { DEFAULT_BATCH_MEMORY_BYTES } from '../../../api/environment/environment-config.ts';
import { buildJobGraph } from '../../../api/graph/job-graph-builder.ts';
import type { JobEdge, JobGraph, JobVertex } from '../../../api/graph/job-graph.ts';
import { estimateBytes } from '../../../api/operators/key-order.ts';
import type { OperatorContext } from '../../../api/operators/stream-operator.ts';
import { BlockingPartitionSink, BlockingPartitionSource, type BlockingPartitionStore } from './blocking-partitions.ts';
import { logger } from '../../observability/logger.ts';
import { SpillingSolutionSet } from './solution-set-table.ts';

/** What an iteration runs with: the job's partition store and the runner's stage loop. */
export interface IterationContext {
  readonly store: BlockingPartitionStore;
  /** Runs every stage of `graph` (a superstep of the body); resolves when the last has finished. */
  runGraph(graph: JobGraph): Promise<void>;
  /** True once the job was cancelled (the iteration stops between supersteps). */
  cancelled(): boolean;
  /** A superstep finished (logs, stats). */
  onSuperstep(iteration: string, superstep: number, records: number): void;
}

/** Ids of the partitions iterations create; negative, so they never meet a job edge's id. */
let nextPartitionId = -1;

/** A blocking partition of `parallelism` producers, each writing for the consumer of its own index. */
function localPartition(parallelism: number, vertex: JobVertex, what: string): JobEdge {
  const node = vertex.head;
  const side = { parallelism, maxParallelismOf: new Map([[node.id, vertex.maxParallelism]]) };
  return {
    id: nextPartitionId--, source: side, target: side, sourceNode: { ...node, name: `${node.name} (${what})` }, targetNode: node,
    partitioner: { kind: 'forward' }, typeNumber: 1,
  } as unknown as JobEdge;
}

/** A partition sink that also counts the records its committed attempt wrote, per subtask. */
class CountingPartitionSink extends BlockingPartitionSink {
  private n = 0;
  private subtask = 0;
  constructor(store: BlockingPartitionStore, edge: JobEdge, private readonly counts: number[]) { super(store, edge); }
  override setup(context: OperatorContext): void { super.setup(context); this.subtask = context.subtaskIndex; }
  override processElement(value: unknown, timestamp: number): void { this.n++; super.processElement(value, timestamp); }
  override endInput(): void { this.counts[this.subtask] = this.n; super.endInput(); }
}

/** An operator that counts its committed input per subtask and keeps nothing (a termination criterion). */
class CountingSink {
  private n = 0;
  private subtask = 0;
  constructor(private readonly counts: number[]) {}
  setup(context: OperatorContext): void { this.subtask = context.subtaskIndex; }
  open(): void {}
  processElement(): void { this.n++; }
  processWatermark(): void {}
  processWatermarkStatus(): void {}
  endInput(): void { this.counts[this.subtask] = this.n; }
  close(): void {}
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Writes every record of `read(i)` (producer subtask i) into the partitions of `edges`. */
function writeOutputs(store: BlockingPartitionStore, edges: readonly JobEdge[], parallelism: number, read: (i: number) => Iterable<[unknown, number]>): void {
  for (const edge of edges) {
    for (let i = 0; i < parallelism; i++) {
      const sink = new BlockingPartitionSink(store, edge);
      sink.setup({ subtaskIndex: i } as OperatorContext);
      for (const [value, timestamp] of read(i)) sink.processElement(value, timestamp);
      sink.endInput();
    }
  }
}

function* records(store: BlockingPartitionStore, edges: readonly JobEdge[], consumer: number): Generator<[unknown, number]> {
  for (const [values, timestamps, n] of store.read(edges, consumer)) for (let k = 0; k < n; k++) yield [values[k], timestamps[k]];
}

/** The body's job graph at the iteration's parallelism, its edges renumbered out of the job's range. */
function bodyGraph(job: JobGraph, vertex: JobVertex, spec: BulkIterationSpec | DeltaIterationSpec, outputs: IterationOutput[]): JobGraph {
  spec.headNode.parallelism = vertex.parallelism;
  for (const o of outputs) o.node.parallelism = vertex.parallelism;
  const graph = buildJobGraph(spec.body, {
    jobName: `${job.jobName} (${vertex.name})`, parallelism: vertex.parallelism, maxParallelism: vertex.maxParallelism,
    chainingEnabled: job.config.chainingEnabled ?? true, config: job.config,
  });
  for (const e of graph.edges) (e as { id: number }).id = nextPartitionId--;
  return graph;
}

/** Runs the iteration of `stage` (a stage of one iteration vertex); returns the supersteps run. */
export async function runIteration(job: JobGraph, stage: BatchStage, context: IterationContext): Promise<number> {
  const vertex = stage.vertices[0];
  const spec = vertex.head.iteration!;
  return spec.kind === 'bulk' ? runBulk(job, stage, vertex, spec, context) : runDelta(job, stage, vertex, spec, context);
}

async function runBulk(job: JobGraph, stage: BatchStage, vertex: JobVertex, spec: BulkIterationSpec, context: IterationContext): Promise<number> {
  const { store } = context;
  const p = vertex.parallelism;
  const graph = bodyGraph(job, vertex, spec, spec.termination ? [spec.next, spec.termination] : [spec.next]);
  let current: readonly JobEdge[] = stage.inputs;
  let superstep = 0;
  const { aggregation } = spec;
  aggregation.start();
  try {
    while (superstep < spec.maxIterations && !context.cancelled()) {
      aggregation.beginSuperstep(superstep + 1);
      const next = localPartition(p, vertex, `superstep ${superstep + 1}`);
      const counts = new Array<number>(p).fill(0), criterion = new Array<number>(p).fill(0);
      spec.head.current = new BlockingPartitionSource(store, current);
      spec.next.factory = () => new CountingPartitionSink(store, next, counts);
      if (spec.termination) spec.termination.factory = () => new CountingSink(criterion);
      try {
        await context.runGraph(graph);
      } catch (error) {
        store.release([next]);
        throw error;
      }
      if (current !== stage.inputs) store.release(current);
      current = [next];
      superstep++;
      context.onSuperstep(vertex.name, superstep, sum(counts));
      const converged = aggregation.endSuperstep();
      if (converged || (spec.termination && sum(criterion) === 0)) break;
    }
    writeOutputs(store, stage.outputs, p, (i) => records(store, current, i));
    return superstep;
  } finally {
    if (current !== stage.inputs) store.release(current);
    spec.head.current = undefined;
  }
}

async function runDelta(job: JobGraph, stage: BatchStage, vertex: JobVertex, spec: DeltaIterationSpec, context: IterationContext): Promise<number> {
  const { store } = context;
  const p = vertex.parallelism;
  const solution = spec.solution;
  const solutionInputs = stage.inputs.filter((e) => e.typeNumber === 1);
  const initialWorkset = stage.inputs.filter((e) => e.typeNumber === 2);
  // The initial solution's size (estimated from a sample) sets the table's number of buckets.
  let entries = 0, sampled = 0, sampledBytes = 0;
  for (let i = 0; i < p; i++) {
    for (const [values, , n] of store.read(solutionInputs, i)) {
      entries += n;
      for (let k = 0; k < n && sampled < 256; k++, sampled++) sampledBytes += estimateBytes(values[k]);
    }
  }
  const memory = job.config.batchMemoryBytes ?? DEFAULT_BATCH_MEMORY_BYTES;
  const table = new SpillingSolutionSet(solution, p, vertex.maxParallelism, memory, store.directory, sampled === 0 ? 0 : (entries * sampledBytes) / sampled);
  solution.install(table);
  let current: readonly JobEdge[] = initialWorkset;
  const { aggregation } = spec;
  aggregation.start();
  let superstep = 0;
  try {
    for (let i = 0; i < p; i++) for (const [value] of records(store, solutionInputs, i)) solution.put(value);
    solution.flush();
    let remaining = 0;
    for (let i = 0; i < p; i++) for (const [, , n] of store.read(current, i)) remaining += n;
    const graph = bodyGraph(job, vertex, spec, [spec.delta, spec.nextWorkset]);
    while (remaining > 0 && superstep < spec.maxIterations && !context.cancelled()) {
      aggregation.beginSuperstep(superstep + 1);
      const delta = localPartition(p, vertex, `delta ${superstep + 1}`);
      const workset = localPartition(p, vertex, `workset ${superstep + 1}`);
      const counts = new Array<number>(p).fill(0);
      spec.head.current = new BlockingPartitionSource(store, current);
      spec.delta.factory = () => new BlockingPartitionSink(store, delta);
      spec.nextWorkset.factory = () => new CountingPartitionSink(store, workset, counts);
      try {
        await context.runGraph(graph);
        // The barrier: every subtask drained the superstep; its delta becomes the solution.
        for (let i = 0; i < p; i++) for (const [value] of records(store, [delta], i)) solution.put(value);
        solution.flush();
      } catch (error) {
        store.release([workset]);
        throw error;
      } finally {
        store.release([delta]);
      }
      if (current !== initialWorkset) store.release(current);
      current = [workset];
      remaining = sum(counts);
      superstep++;
      context.onSuperstep(vertex.name, superstep, remaining);
      if (aggregation.endSuperstep()) break;
    }
    writeOutputs(store, stage.outputs, p, function* (i) { for (const v of solution.values(i)) yield [v, -Infinity] as [unknown, number]; });
    return superstep;
  } finally {
    if (current !== initialWorkset) store.release(current);
    spec.head.current = undefined;
    solution.install(undefined);
    solution.lastStats = { ...table.stats };
    table.dispose();
    if (table.stats.bucketSpills > 0) {
      // Spilling is correct but slower: an operator may want a larger setBatchMemoryBytes.
      logger('batch-iteration', { jobName: job.jobName }).info('delta iteration solution set spilled', { iteration: vertex.name, memoryBytes: memory, ...table.stats });
    }
  }
}
