// IntervalJoinOperator: joins two keyed streams on right.ts in [left.ts + lower, left.ts + upper]
// (Flink's IntervalJoinOperator). Each side buffers its elements per key in MapState by
// timestamp; a new element joins with the other side's buffer; an event-time cleanup timer drops
// a buffered element once no future element of the other side can match it. Elements behind
// the watermark are late: they go to the side's late-data output when it has one, else they are
// dropped and counted. Imports api/ and state/ only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { MapStateDescriptor, type MapState } from '../../state/state-descriptors.ts';
import type { InternalTimerService, Timer, Triggerable } from '../../state/timer-service.ts';
import type { ProcessJoinContext, ProcessJoinFunction } from '../functions/process-join-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import { requireKeyedState } from '../operators/keyed-process-operator.ts';
import type { OperatorContext, Output, TwoInputStreamOperator } from '../operators/stream-operator.ts';
import { TimestampedCollector } from '../operators/timestamped-collector.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';

const CLEANUP_LEFT: Namespace = 'cleanup-left';
const CLEANUP_RIGHT: Namespace = 'cleanup-right';

/** Interval bounds as the user gave them. */
export interface IntervalJoinBounds {
  lowerBound: number;
  upperBound: number;
  lowerBoundInclusive?: boolean;
  upperBoundInclusive?: boolean;
}

/** Where each side's late elements go (Flink's sideOutputLeftLateData / sideOutputRightLateData). */
export interface IntervalJoinLateDataTags<L, R> {
  left?: OutputTag<L>;
  right?: OutputTag<R>;
}

/** The interval join of two keyed inputs. */
export class IntervalJoinOperator<L, R, OUT> extends AbstractStreamOperator<OUT>
  implements TwoInputStreamOperator<L, R, OUT>, Triggerable {
  /** Late elements dropped because their side had no late-data output. */
  numLateRecordsDropped = 0;
  private readonly lowerBound: number;
  private readonly upperBound: number;
  private leftBuffer!: MapState<number, L[]>;
  private rightBuffer!: MapState<number, R[]>;
  private timers!: InternalTimerService;
  private collector!: TimestampedCollector<OUT>;
  private leftTimestamp = 0;
  private rightTimestamp = 0;
  private readonly joinContext: ProcessJoinContext = {
    getLeftTimestamp: () => this.leftTimestamp,
    getRightTimestamp: () => this.rightTimestamp,
    getTimestamp: () => Math.max(this.leftTimestamp, this.rightTimestamp),
    output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(requireOutputTag(tag), value, Math.max(this.leftTimestamp, this.rightTimestamp)),
  };

  constructor(
    bounds: IntervalJoinBounds, private readonly fn: ProcessJoinFunction<L, R, OUT>,
    private readonly lateDataTags: IntervalJoinLateDataTags<L, R> = {},
  ) {
    super();
    // Exclusive bounds are inclusive bounds one millisecond inwards (timestamps are integers).
    this.lowerBound = bounds.lowerBoundInclusive === false ? bounds.lowerBound + 1 : bounds.lowerBound;
    this.upperBound = bounds.upperBoundInclusive === false ? bounds.upperBound - 1 : bounds.upperBound;
    if (this.lowerBound > this.upperBound) throw new RangeError(`interval join lower bound ${bounds.lowerBound} must be <= upper bound ${bounds.upperBound}`);
  }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    const backend = requireKeyedState(context);
    this.leftBuffer = backend.getMapState(new MapStateDescriptor<number, L[]>('interval-join-left'));
    this.rightBuffer = backend.getMapState(new MapStateDescriptor<number, R[]>('interval-join-right'));
    this.timers = context.getTimerService!('interval-join-timers', this);
    this.collector = new TimestampedCollector(output);
  }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }
  override async close(): Promise<void> { await this.fn.close?.(); }

  processElement1(value: L, timestamp: number): void {
    if (this.isLate(timestamp)) return this.late(this.lateDataTags.left, value, timestamp);
    add(this.leftBuffer, timestamp, value);
    for (const [ts, rights] of this.rightBuffer.entries()) {
      if (ts < timestamp + this.lowerBound || ts > timestamp + this.upperBound) continue;
      for (const right of rights) this.emit(value, right, timestamp, ts);
    }
    const cleanup = this.upperBound > 0 ? timestamp + this.upperBound : timestamp;
    this.timers.registerEventTimeTimer(CLEANUP_LEFT, cleanup);
  }

  processElement2(value: R, timestamp: number): void {
    if (this.isLate(timestamp)) return this.late(this.lateDataTags.right, value, timestamp);
    add(this.rightBuffer, timestamp, value);
    for (const [ts, lefts] of this.leftBuffer.entries()) {
      if (timestamp < ts + this.lowerBound || timestamp > ts + this.upperBound) continue;
      for (const left of lefts) this.emit(left, value, ts, timestamp);
    }
    const cleanup = this.lowerBound <= 0 ? timestamp - this.lowerBound : timestamp;
    this.timers.registerEventTimeTimer(CLEANUP_RIGHT, cleanup);
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: Timer): void {
    if (timer.namespace === CLEANUP_LEFT) {
      this.leftBuffer.remove(this.upperBound <= 0 ? timer.timestamp : timer.timestamp - this.upperBound);
    } else if (timer.namespace === CLEANUP_RIGHT) {
      this.rightBuffer.remove(this.lowerBound <= 0 ? timer.timestamp + this.lowerBound : timer.timestamp);
    }
  }

  onProcessingTime(): void {}

  private isLate(timestamp: number): boolean {
    if (timestamp === -Infinity) {
      throw new Error('elements of an interval join need timestamps: assign them with assignTimestampsAndWatermarks(...)');
    }
    // Late elements cannot be joined reliably: their partners may be cleaned up already.
    return this.currentWatermark !== -Infinity && timestamp < this.currentWatermark;
  }

  private late<X>(tag: OutputTag<X> | undefined, value: X, timestamp: number): void {
    if (tag) this.output.collectSide(tag, value, timestamp);
    else this.numLateRecordsDropped++;
  }

  private emit(left: L, right: R, leftTs: number, rightTs: number): void {
    this.leftTimestamp = leftTs;
    this.rightTimestamp = rightTs;
    this.collector.timestamp = Math.max(leftTs, rightTs);
    this.fn.processElement(left, right, this.joinContext, this.collector);
  }
}

function add<T>(buffer: MapState<number, T[]>, timestamp: number, value: T): void {
  const list = buffer.get(timestamp);
  // Copy on write: the backend may hand out the stored array, and snapshots may share it.
  buffer.put(timestamp, list ? [...list, value] : [value]);
}
