// CollectSink: gathers every record into an in-process array (what executeAndCollect reads in
// the embedded mini cluster, where sink and client share one process).
import type { Sink, SinkWriter } from './sink.ts';

/** Appends every record to `results`. */
export class CollectSink<T> implements Sink<T> {
  /** The collected records, in arrival order per subtask. */
  readonly results: T[];
  constructor(results: T[] = []) { this.results = results; }

  createWriter(): SinkWriter<T> {
    const results = this.results;
    return { write: (value) => { results.push(value); } };
  }
}
