// IntervalJoin: the builder of KeyedStream.intervalJoin(other).between(lower, upper)
// [.lowerBoundExclusive().upperBoundExclusive()][.sideOutputLeftLateData(tag)
// .sideOutputRightLateData(tag)].process(fn), over connected keyed streams.
// Imports api/ only (DataStream types only, to avoid an import cycle).
import type { Key } from '../../state/key-groups.ts';
import type { DataStream } from '../datastream/data-stream.ts';
import type { KeyedStream } from '../datastream/keyed-stream.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { ProcessJoinFunction } from '../functions/process-join-function.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';

/** Start of an interval join of two keyed streams: pick the bounds. */
export class IntervalJoin<T1, T2, K extends Key> {
  constructor(readonly left: KeyedStream<T1, K>, readonly right: KeyedStream<T2, K>) {}

  /** Joins right elements with timestamps in [left.ts + lowerMs, left.ts + upperMs]. */
  between(lowerMs: number, upperMs: number): IntervalJoined<T1, T2, K> {
    if (!(lowerMs <= upperMs)) throw new RangeError(`interval join: lower bound ${lowerMs} must be <= upper bound ${upperMs}`);
    return new IntervalJoined(this.left, this.right, lowerMs, upperMs);
  }
}

/** Bounds chosen: optionally exclusive, late-data outputs, then process. */
export class IntervalJoined<T1, T2, K extends Key> {
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateDataTag: OutputTag<T1> | undefined;
  private rightLateDataTag: OutputTag<T2> | undefined;

  constructor(
    private readonly left: KeyedStream<T1, K>, private readonly right: KeyedStream<T2, K>,
    private readonly lowerMs: number, private readonly upperMs: number,
  ) {}

  /** Excludes the lower bound. */
  lowerBoundExclusive(): this { this.lowerInclusive = false; return this; }
  /** Excludes the upper bound. */
  upperBoundExclusive(): this { this.upperInclusive = false; return this; }
  /** Sends left elements behind the watermark to `tag` instead of dropping them. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this { this.leftLateDataTag = requireOutputTag(tag); return this; }
  /** Sends right elements behind the watermark to `tag` instead of dropping them. */
  sideOutputRightLateData(tag: OutputTag<T2>): this { this.rightLateDataTag = requireOutputTag(tag); return this; }

  /** Calls `fn` for every joined pair; results carry the larger of the two timestamps. */
  process<R>(fn: ProcessJoinFunction<T1, T2, R>): DataStream<R> {
    const bounds = { lowerBound: this.lowerMs, upperBound: this.upperMs, lowerBoundInclusive: this.lowerInclusive, upperBoundInclusive: this.upperInclusive };
    const lateDataTags = { left: this.leftLateDataTag, right: this.rightLateDataTag };
    return this.left.connect(this.right).transform<R>('Interval Join', () => new IntervalJoinOperator<T1, T2, R>(bounds, cloneFunction(fn), lateDataTags));
  }
}
