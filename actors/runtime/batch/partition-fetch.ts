// The consuming side of blocking partitions spread over a cluster: a stage's subtask reads, edge by
// edge and producer by producer, the records each producer subtask wrote for it, from this
// TaskManager's BlockingPartitionStore when the producer ran here, or through a PartitionFetcher
// from the TaskManager that holds it (the cluster's fetcher streams it over the data plane with
// credit, see actors/cluster/partition-service.ts). A chunk arrives as one call of pollNext, so a
// large partition flows through the reader chunk by chunk. A missing or lost partition fails the
// reading subtask with an error naming it (its JobManager re-runs the producer first). Imports
// api/ and actors/runtime/batch; nothing of the network.
import type { JobEdge } from '../../../api/graph/job-graph.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceSplit, SplitEnumeratorContext } from '../../../api/sources/source.ts';
import { StaticSplitEnumerator } from '../../../api/sources/static-split-enumerator.ts';
import type { BlockingPartitionStore } from './blocking-partitions.ts';

/** One chunk: values, timestamps, count. */
export type PartitionChunk = [unknown[], number[], number];

/** The chunks of one producer's subpartition, as they arrive. */
export interface ChunkStream {
  /** The next chunk, 'pending' while none has arrived, undefined at the end; throws when the fetch failed. */
  next(): PartitionChunk | 'pending' | undefined;
  /** Resolves when next() may return something new. */
  available(): Promise<void>;
  /** Stops reading (the subtask ended or was cancelled). */
  close(): void;
}

/** Fetches a subpartition from the TaskManager at `address`. */
export interface PartitionFetcher {
  fetch(edge: JobEdge, producer: number, consumer: number, address: string): ChunkStream;
}

/** Where the partition of producer subtask `producer` of edge `edge` (an edge id) lives. */
export interface PartitionLocation {
  readonly edge: number;
  readonly producer: number;
  /** The system address of the TaskManager that holds it. */
  readonly address: string;
}

/** A ChunkStream over chunks at hand (this TaskManager's store). */
export function localChunkStream(chunks: Generator<PartitionChunk>): ChunkStream {
  return {
    next: () => { const n = chunks.next(); return n.done ? undefined : n.value; },
    available: () => Promise.resolve(),
    close: () => { chunks.return(undefined); },
  };
}

/** What a consuming stage's partition source needs on a TaskManager. */
export interface PartitionInputs {
  readonly store: BlockingPartitionStore;
  /** This TaskManager's system address (partitions here are read from the store). */
  readonly ownAddress: string;
  readonly locations: readonly PartitionLocation[];
  readonly fetcher: PartitionFetcher;
}

/** The split of a partition source: everything consumer subtask `consumer` reads. */
export interface ConsumerSplit extends SourceSplit { readonly consumer: number }

/** The split consumer subtask `consumer` reads. */
export function consumerSplit(consumer: number): ConsumerSplit { return { splitId: `consumer-${consumer}`, consumer }; }

/** Reads the blocking partitions of `edges` wherever their producers ran (one split per consumer subtask). */
export class ClusterPartitionSource implements Source<unknown, ConsumerSplit, ConsumerSplit[]> {
  readonly boundedness = 'bounded' as const;

  constructor(private readonly inputs: PartitionInputs, private readonly edges: readonly JobEdge[]) {}

  createEnumerator(context: SplitEnumeratorContext<ConsumerSplit>): StaticSplitEnumerator<ConsumerSplit> {
    return new StaticSplitEnumerator(context, Array.from({ length: context.currentParallelism() }, (_, c) => consumerSplit(c)));
  }

  restoreEnumerator(context: SplitEnumeratorContext<ConsumerSplit>): StaticSplitEnumerator<ConsumerSplit> { return this.createEnumerator(context); }

  createReader(): SourceReader<unknown, ConsumerSplit> { return new FetchingReader(this.inputs, this.edges); }

  /** The streams consumer `consumer` reads, in order (opened one at a time). */
  *streams(consumer: number): Generator<ChunkStream> {
    const { store, ownAddress, locations, fetcher } = this.inputs;
    for (const edge of this.edges) {
      for (let p = 0; p < edge.source.parallelism; p++) {
        const at = locations.find((l) => l.edge === edge.id && l.producer === p);
        const name = `blocking partition of "${edge.sourceNode.name}" -> "${edge.targetNode.name}" from subtask ${p}`;
        if (at === undefined) throw new Error(`${name} has no location: its producer has not finished`);
        if (at.address === ownAddress) {
          if (!store.has(edge.id, p)) throw new Error(`${name} is missing on this TaskManager`);
          yield localChunkStream(store.readProducer(edge.id, p, consumer));
        } else {
          yield fetcher.fetch(edge, p, consumer, at.address);
        }
      }
    }
  }
}

class FetchingReader implements SourceReader<unknown, ConsumerSplit> {
  private readonly splits: ConsumerSplit[] = [];
  private streams: Generator<ChunkStream> | undefined;
  private current: ChunkStream | undefined;
  private noMoreSplits = false;
  private wake: (() => void) | undefined;
  private readonly source: ClusterPartitionSource;

  constructor(inputs: PartitionInputs, edges: readonly JobEdge[]) { this.source = new ClusterPartitionSource(inputs, edges); }

  start(): void {}

  pollNext(output: ReaderOutput<unknown>): InputStatus {
    for (;;) {
      if (this.current === undefined) {
        if (this.streams === undefined) {
          const split = this.splits.shift();
          if (split === undefined) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
          this.streams = this.source.streams(split.consumer);
        }
        const next = this.streams.next();
        if (next.done) { this.streams = undefined; continue; }
        this.current = next.value;
      }
      const chunk = this.current.next();
      if (chunk === 'pending') return 'nothing-available';
      if (chunk === undefined) { this.current.close(); this.current = undefined; continue; }
      const [values, timestamps, n] = chunk;
      for (let i = 0; i < n; i++) output.collect(values[i], timestamps[i]);
      return 'more-available';
    }
  }

  isAvailable(): Promise<void> {
    if (this.current !== undefined) return this.current.available();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  addSplits(splits: ConsumerSplit[]): void { this.splits.push(...splits); this.signal(); }

  notifyNoMoreSplits(): void { this.noMoreSplits = true; this.signal(); }

  snapshotState(): ConsumerSplit[] { return [...this.splits]; }

  close(): void {
    this.current?.close();
    this.current = undefined;
    this.streams?.return(undefined);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
