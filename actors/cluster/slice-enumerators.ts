// The split enumerators of a cluster batch run's source vertices (those of its first stages), in
// the JobManager: one per source vertex of a stage's job graph, created when the stage is first
// scheduled and kept until the job ends, so that a slice that runs again (after a failure, or to
// recompute a lost partition) reads its splits again: the splits a slice's attempt was assigned go
// back to the enumerator when the slice is reset, and its next attempt's reader registers anew.
// Splits reach a slice's running attempt through `send` (a command to its TaskManager).
// Imports api/ types and the batch slice protocol.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { Source, SourceSplit, SplitEnumerator } from '../../api/sources/source.ts';
import type { BatchSliceCommand } from './batch-messages.protocol.ts';

interface Entry {
  readonly enumerator: SplitEnumerator<SourceSplit, unknown>;
  /** Splits assigned per slice since it was last reset. */
  readonly assigned: SourceSplit[][];
  readonly readers: Set<number>;
}

/** A split command for a slice, without the slice's id (the sender adds its running attempt's). */
export type SplitCommandBody = Extract<BatchSliceCommand, { type: 'taskexecutor.slice-add-splits' | 'taskexecutor.slice-no-more-splits' }> extends infer C
  ? C extends { readonly id: unknown } ? Omit<C, 'id'> : never : never;

/** The enumerators of one run's sources, by stage and vertex. */
export class SliceEnumerators {
  private readonly entries = new Map<string, Entry>();

  /**
   * Creates (once) the enumerators of the sources among `vertices` (stage `stage`'s job graph) that
   * `isSource` accepts; `send(slice, body)` delivers a command to the slice's running attempt and
   * throws when it does not run.
   */
  create(stage: number, vertices: readonly JobVertex[], isSource: (source: Source<unknown, SourceSplit, unknown>) => boolean, send: (slice: number, body: SplitCommandBody) => void): void {
    vertices.forEach((vertex, v) => {
      const key = `${stage}/${v}`;
      const source = vertex.head.source;
      if (vertex.head.kind !== 'source' || source === undefined || !isSource(source) || this.entries.has(key)) return;
      const assigned: SourceSplit[][] = Array.from({ length: vertex.parallelism }, () => []);
      const readers = new Set<number>();
      const enumerator = source.createEnumerator({
        currentParallelism: () => vertex.parallelism,
        registeredReaders: () => [...readers],
        assignSplit: (split: SourceSplit, i: number) => {
          assigned[i].push(split);
          send(i, { type: 'taskexecutor.slice-add-splits', vertex: v, splits: [split] });
        },
        signalNoMoreSplits: (i: number) => send(i, { type: 'taskexecutor.slice-no-more-splits', vertex: v }),
      });
      this.entries.set(key, { enumerator, assigned, readers });
      enumerator.start();
    });
  }

  /** The reader of source vertex `vertex` of slice `slice` of `stage` registered. */
  readerRegistered(stage: number, vertex: number, slice: number): void {
    const e = this.entries.get(`${stage}/${vertex}`);
    if (e === undefined) return;
    e.readers.add(slice);
    e.enumerator.addReader(slice);
  }

  /** That reader asks for a split. */
  splitRequest(stage: number, vertex: number, slice: number): void {
    this.entries.get(`${stage}/${vertex}`)?.enumerator.handleSplitRequest(slice);
  }

  /** Slice `slice` of `stage` runs again: its reader is gone, its splits go back. */
  giveBack(stage: number, slice: number): void {
    for (const [key, e] of this.entries) {
      if (!key.startsWith(`${stage}/`)) continue;
      e.readers.delete(slice);
      const splits = e.assigned[slice].splice(0);
      if (splits.length > 0) e.enumerator.addSplitsBack(splits, slice);
    }
  }

  /** Closes every enumerator (the run ended). */
  close(): void {
    for (const { enumerator } of this.entries.values()) { try { enumerator.close(); } catch { /* best effort */ } }
    this.entries.clear();
  }
}
