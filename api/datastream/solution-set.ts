// SolutionSet: the handle a delta iteration's step function gets on the current solution set.
// join(workset, worksetKey, fn) looks each workset element's key up in the solution set as it was
// at the start of the superstep (the runtime merges the superstep's delta after every subtask
// has drained it), so a superstep sees one consistent solution. Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import type { SolutionSetPartitions } from '../graph/iteration-spec.ts';
import type { DataStream } from './data-stream.ts';

/** The current solution of a delta iteration, keyed by the iteration's key selector. */
export class SolutionSet<S> {
  /** @internal */
  constructor(private readonly partitions: SolutionSetPartitions<S>) {}

  /** Joins every workset element with the solution entry of its key (undefined when there is none). */
  join<W, R>(workset: DataStream<W>, worksetKey: (w: W) => Key, fn: (solution: S | undefined, w: W) => R): DataStream<R> {
    const partitions = this.partitions;
    return workset.map((w) => fn(partitions.get(worksetKey(w)), w)).name('Solution Set Join');
  }
}
