// SolutionSet: the handle a delta iteration's step function gets on the current solution set.
// join(workset, worksetKey, fn) looks each workset element's key up in the solution set as it was
// at the start of the superstep (the runtime merges the superstep's delta after every subtask
// has drained it), so a superstep sees one consistent solution. The join runs as its own
// operator: a key whose entry is in memory is answered at once; the runtime's table answers keys
// whose entries were spilled at the end of the join's input, a spilled partition at a time (a
// hybrid hash join), so in that case results come out in another order. Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import { checkProbeKey, type SolutionSetPartitions, type SolutionSetProbe } from '../graph/iteration-spec.ts';
import { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import type { OneInputStreamOperator } from '../operators/stream-operator.ts';
import type { DataStream } from './data-stream.ts';

/** The current solution of a delta iteration, keyed by the iteration's key selector. */
export class SolutionSet<S> {
  /** @internal */
  constructor(private readonly partitions: SolutionSetPartitions<S>) {}

  /** Joins every workset element with the solution entry of its key (undefined when there is none). */
  join<W, R>(workset: DataStream<W>, worksetKey: (w: W) => Key, fn: (solution: S | undefined, w: W) => R): DataStream<R> {
    if (typeof worksetKey !== 'function') throw new TypeError('SolutionSet.join: worksetKey must be a function');
    if (typeof fn !== 'function') throw new TypeError('SolutionSet.join: fn must be a function');
    const partitions = this.partitions;
    return workset.transform('Solution Set Join', () => new SolutionSetJoinOperator<S, W, R>(partitions, worksetKey, fn));
  }
}

/** Probes the solution set with every element; emits fn(entry, element) when the entry is known. */
class SolutionSetJoinOperator<S, W, R> extends AbstractStreamOperator<R> implements OneInputStreamOperator<W, R> {
  private probe: SolutionSetProbe<W> | undefined;

  constructor(
    private readonly partitions: SolutionSetPartitions<S>,
    private readonly worksetKey: (w: W) => Key,
    private readonly fn: (solution: S | undefined, w: W) => R,
  ) { super(); }

  override open(): void {
    this.probe = this.partitions.openProbe<W>((entry, w, timestamp) => this.output.collect(this.fn(entry, w), timestamp));
  }

  processElement(value: W, timestamp: number): void {
    const key = this.worksetKey(value);
    checkProbeKey(key);
    this.probe!.probe(key, value, timestamp);
  }

  endInput(): void { this.probe?.finish(); }

  override close(): void {
    this.probe?.dispose();
    this.probe = undefined;
  }
}
