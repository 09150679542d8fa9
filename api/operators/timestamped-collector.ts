// TimestampedCollector: the Collector handed to user functions; it stamps what they emit with
// the timestamp of the element being processed (Flink's TimestampedCollector). One per operator,
// reused for every element, so emitting allocates nothing.
import type { Collector } from '../functions/collector.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import type { Output } from './stream-operator.ts';

/** A reusable collector writing to an operator's output with the current element's timestamp. */
export class TimestampedCollector<T> implements Collector<T> {
  /** The timestamp attached to the next collected records. */
  timestamp = NO_TIMESTAMP;
  constructor(private readonly output: Output<T>) {}
  collect(value: T): void { this.output.collect(value, this.timestamp); }
}
