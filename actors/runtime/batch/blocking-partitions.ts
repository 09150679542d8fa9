// Blocking partitions of batch mode: what a stage writes on its outgoing blocking edges, kept
// until the consuming stage has finished (a failed consumer re-reads them). A producer subtask's
// attempt writes records per consumer subtask; while the store holds more than its memory budget
// (estimated record sizes) a writer moves its full chunks into a spill file. Only a committed
// attempt (its input ended) is visible: a failed or cancelled attempt's output is discarded and
// a re-run replaces it. A consumer reads, producer by producer, the records each sent it, in the
// order sent (on a cluster, each TaskManager's store holds what its producers wrote, and one
// producer's records for one consumer are read with readProducer, here or for another TaskManager). Also the partition sink operator (which folds its records first when its edge feeds
// a rolling reduce: BatchCombiner) and the partition source (FLIP-27) that a stage's job graph
// uses. Imports api/ and actors/runtime/batch.
import { createChannelSelector, type ChannelSelector } from '../../../api/graph/partitioner.ts';
import { BatchCombiner, type CombineSpec } from '../../../api/operators/batch-combiner.ts';
import type { JobEdge } from '../../../api/graph/job-graph.ts';
import { estimateBytes } from '../../../api/operators/key-order.ts';
import type { OneInputStreamOperator, OperatorContext } from '../../../api/operators/stream-operator.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceSplit, SplitEnumeratorContext } from '../../../api/sources/source.ts';
import { StaticSplitEnumerator } from '../../../api/sources/static-split-enumerator.ts';
import { FrameFileWriter, readFrames, type SpillDirectory } from './spill-files.ts';

/** Records per in-memory chunk (and per spilled frame). */
const CHUNK_RECORDS = 1024;

/** A chunk of records for one consumer: in memory, or a frame of a spill file. */
type Chunk = { values: unknown[]; timestamps: number[]; bytes: number } | { path: string; offset: number };

/** The output of one producer attempt: chunks per consumer subtask. */
class ProducerOutput {
  readonly chunks: Chunk[][];
  constructor(consumers: number) { this.chunks = Array.from({ length: consumers }, () => []); }
}

/** Blocking partitions of one batch job. */
export class BlockingPartitionStore {
  /** Committed outputs by `edgeId#producerIndex`. */
  private readonly committed = new Map<string, ProducerOutput>();
  private memoryInUse = 0;
  /** Records written (committed or not), chunks spilled (tests, metrics). */
  recordsWritten = 0;
  chunksSpilled = 0;

  constructor(private readonly memoryBytes: number, readonly directory: SpillDirectory) {}

  /** Bytes of record data held in memory. */
  get memoryBytesInUse(): number { return this.memoryInUse; }

  /** A writer for attempt `attempt` of producer subtask `producer` of `edgeId`. */
  writer(edgeId: number, producer: number, consumers: number): PartitionWriter {
    return new PartitionWriter(this, edgeId, producer, consumers);
  }

  /** The records consumer subtask `consumer` reads from `edges`, edge by edge, producer by producer. */
  *read(edges: readonly JobEdge[], consumer: number): Generator<[unknown[], number[], number]> {
    for (const edge of edges) {
      for (let p = 0; p < edge.source.parallelism; p++) {
        if (!this.has(edge.id, p)) throw new Error(`blocking partition of "${edge.sourceNode.name}" -> "${edge.targetNode.name}" from subtask ${p} is missing: its producer has not finished`);
        yield* this.readProducer(edge.id, p, consumer);
      }
    }
  }

  /** Whether producer subtask `producer` of edge `edgeId` committed its output here. */
  has(edgeId: number, producer: number): boolean { return this.committed.has(`${edgeId}#${producer}`); }

  /**
   * The records producer `producer` of edge `edgeId` wrote for consumer `consumer`, a chunk at a
   * time (a spilled chunk is read from its file when reached); nothing when the producer has not
   * committed here.
   */
  *readProducer(edgeId: number, producer: number, consumer: number): Generator<[unknown[], number[], number]> {
    const output = this.committed.get(`${edgeId}#${producer}`);
    if (output === undefined) return;
    for (const chunk of output.chunks[consumer] ?? []) {
      if ('path' in chunk) {
        for (const frame of readFrames(chunk.path, chunk.offset, 1)) {
          const [values, timestamps] = frame as [unknown[], number[]];
          yield [values, timestamps, values.length];
        }
      } else {
        yield [chunk.values, chunk.timestamps, chunk.values.length];
      }
    }
  }

  /** Forgets every partition (the job ended on this TaskManager). */
  releaseAll(): void {
    for (const output of this.committed.values()) this.free(output);
    this.committed.clear();
  }

  /** Forgets the partitions of `edges` (their consumer stage finished). */
  release(edges: readonly JobEdge[]): void {
    for (const edge of edges) {
      for (let p = 0; p < edge.source.parallelism; p++) {
        const key = `${edge.id}#${p}`;
        const output = this.committed.get(key);
        if (output !== undefined) this.free(output);
        this.committed.delete(key);
      }
    }
  }

  /** @internal makes `output` the result of its producer, replacing an earlier attempt's. */
  commit(edgeId: number, producer: number, output: ProducerOutput): void {
    const key = `${edgeId}#${producer}`;
    const previous = this.committed.get(key);
    if (previous !== undefined) this.free(previous);
    this.committed.set(key, output);
  }

  /** @internal accounts memory; true when the store is over its budget. */
  reserve(bytes: number): boolean {
    this.memoryInUse += bytes;
    return this.memoryInUse > this.memoryBytes;
  }

  /** @internal gives back the memory of `output`'s in-memory chunks. */
  free(output: ProducerOutput): void {
    for (const list of output.chunks) for (const c of list) if (!('path' in c)) this.memoryInUse -= c.bytes;
  }
}

/** Writes one producer attempt's records, per consumer. */
export class PartitionWriter {
  private readonly output: ProducerOutput;
  private file: FrameFileWriter | undefined;
  private done = false;

  constructor(private readonly store: BlockingPartitionStore, private readonly edgeId: number, private readonly producer: number, consumers: number) {
    this.output = new ProducerOutput(consumers);
  }

  add(consumer: number, value: unknown, timestamp: number): void {
    const list = this.output.chunks[consumer];
    let chunk = list[list.length - 1];
    if (chunk === undefined || 'path' in chunk || chunk.values.length >= CHUNK_RECORDS) {
      chunk = { values: [], timestamps: [], bytes: 0 };
      list.push(chunk);
    }
    const bytes = 16 + estimateBytes(value);
    chunk.values.push(value);
    chunk.timestamps.push(timestamp);
    chunk.bytes += bytes;
    this.store.recordsWritten++;
    // Over budget, full chunks go to disk: spilling on every record would write frames of a
    // record or two whenever other partitions hold the budget (an iteration's current data set).
    if (this.store.reserve(bytes) && chunk.values.length >= CHUNK_RECORDS) this.spill();
  }

  /** The input ended: this attempt's output becomes the producer's partition. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    this.file?.close();
    this.store.commit(this.edgeId, this.producer, this.output);
  }

  /** The attempt failed or was cancelled: its output is dropped. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    this.file?.close();
    this.store.free(this.output);
  }

  /** Moves this writer's full in-memory chunks into its spill file (a writer keeps at most one partial chunk per consumer in memory). */
  private spill(): void {
    this.file ??= new FrameFileWriter(this.store.directory.newFile(`partition-${this.edgeId}-${this.producer}`), this.store.directory);
    for (const list of this.output.chunks) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i];
        if ('path' in c || c.values.length < CHUNK_RECORDS) continue;
        const offset = this.file.write([c.values, c.timestamps]);
        this.store.reserve(-c.bytes);
        this.store.chunksSpilled++;
        list[i] = { path: this.file.path, offset };
      }
    }
  }
}

/** The operator that writes a stage's records into the blocking partition of `edge`. */
export class BlockingPartitionSink implements OneInputStreamOperator<unknown, never> {
  private writer!: PartitionWriter;
  private selector!: ChannelSelector;
  private consumers = 0;
  private subtaskIndex = 0;
  private combiner: BatchCombiner | undefined;

  constructor(private readonly store: BlockingPartitionStore, private readonly edge: JobEdge, private readonly combine?: CombineSpec) {}

  setup(context: OperatorContext): void {
    const edge = this.edge;
    this.consumers = edge.target.parallelism;
    this.subtaskIndex = context.subtaskIndex;
    this.writer = this.store.writer(edge.id, context.subtaskIndex, this.consumers);
    this.selector = createChannelSelector(edge.partitioner, {
      numChannels: this.consumers, senderIndex: context.subtaskIndex, senderParallelism: edge.source.parallelism,
      maxParallelism: edge.target.maxParallelismOf.get(edge.targetNode.id)!, targetName: edge.targetNode.name,
    });
    if (this.combine !== undefined) this.combiner = new BatchCombiner(this.combine, (value, timestamp) => this.write(value, timestamp));
  }

  open(): void {}

  processElement(value: unknown, timestamp: number): void {
    if (this.combiner !== undefined) this.combiner.add(value, timestamp);
    else this.write(value, timestamp);
  }

  private write(value: unknown, timestamp: number): void {
    if (this.edge.partitioner.kind === 'forward') this.writer.add(this.subtaskIndex, value, timestamp);
    else if (this.selector.broadcast) for (let c = 0; c < this.consumers; c++) this.writer.add(c, value, timestamp);
    else this.writer.add(this.selector.select(value), value, timestamp);
  }

  /** Watermarks do not cross stages: the consumer's input ends with MAX_WATERMARK. */
  processWatermark(): void {}
  processWatermarkStatus(): void {}

  endInput(): void {
    this.combiner?.finish();
    this.writer.commit();
  }

  close(): void { this.writer.discard(); }
}

/** The split of a partition source: everything consumer subtask `consumer` reads. */
interface ConsumerSplit extends SourceSplit { readonly consumer: number }

/** Reads the blocking partitions of `edges` in a consuming stage (one split per consumer subtask). */
export class BlockingPartitionSource implements Source<unknown, ConsumerSplit, ConsumerSplit[]> {
  readonly boundedness = 'bounded' as const;

  constructor(private readonly store: BlockingPartitionStore, private readonly edges: readonly JobEdge[]) {}

  createEnumerator(context: SplitEnumeratorContext<ConsumerSplit>): StaticSplitEnumerator<ConsumerSplit> {
    const splits = Array.from({ length: context.currentParallelism() }, (_, consumer) => ({ splitId: `consumer-${consumer}`, consumer }));
    return new StaticSplitEnumerator(context, splits);
  }

  restoreEnumerator(context: SplitEnumeratorContext<ConsumerSplit>): StaticSplitEnumerator<ConsumerSplit> {
    return this.createEnumerator(context);
  }

  createReader(): SourceReader<unknown, ConsumerSplit> {
    return new PartitionReader(this.store, this.edges);
  }
}

class PartitionReader implements SourceReader<unknown, ConsumerSplit> {
  private readonly splits: ConsumerSplit[] = [];
  private chunks: Generator<[unknown[], number[], number]> | undefined;
  private noMoreSplits = false;
  private wake: (() => void) | undefined;

  constructor(private readonly store: BlockingPartitionStore, private readonly edges: readonly JobEdge[]) {}

  start(): void {}

  pollNext(output: ReaderOutput<unknown>): InputStatus {
    for (;;) {
      if (this.chunks === undefined) {
        const split = this.splits.shift();
        if (split === undefined) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
        this.chunks = this.store.read(this.edges, split.consumer);
      }
      const next = this.chunks.next();
      if (next.done) { this.chunks = undefined; continue; }
      const [values, timestamps, n] = next.value;
      for (let i = 0; i < n; i++) output.collect(values[i], timestamps[i]);
      return 'more-available';
    }
  }

  isAvailable(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  addSplits(splits: ConsumerSplit[]): void { this.splits.push(...splits); this.signal(); }

  notifyNoMoreSplits(): void { this.noMoreSplits = true; this.signal(); }

  snapshotState(): ConsumerSplit[] { return [...this.splits]; }

  close(): void { this.chunks?.return(undefined); }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
