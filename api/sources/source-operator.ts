// SourceOperator: the head of a source subtask: runs the split reader, stamps records with the
// watermark strategy's timestamps, runs one watermark generator per split (the source watermark
// is the minimum over active splits, Flink's per-split watermarking), emits watermarks
// periodically on the auto-watermark interval, and ends bounded input with MAX_WATERMARK.
// Imports api/ only; the runtime drives it through emitNext / addSplits.
import { MAX_WATERMARK, NO_TIMESTAMP } from '../stream-elements.ts';
import type { OperatorContext, Output } from '../operators/stream-operator.ts';
import type { Cancel } from '../time/clock.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceSplit } from './source.ts';

/** Receives watermarks from a generator (the time engineer's WatermarkOutput shape). */
export interface WatermarkOutputLike { emitWatermark(timestamp: number): void; markIdle(): void; markActive(): void }
/** A watermark generator (onEvent per record, onPeriodicEmit on the interval). */
export interface WatermarkGeneratorLike<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutputLike): void;
  onPeriodicEmit(output: WatermarkOutputLike): void;
}
/** A timestamp assigner, as a function or as Flink's interface. */
export type TimestampAssignerLike<T> =
  | ((element: T, recordTimestamp: number) => number)
  | { extractTimestamp(element: T, recordTimestamp: number): number };
/** What the source operator needs of a WatermarkStrategy. */
export interface WatermarkStrategyLike<T> {
  createTimestampAssigner?(context?: unknown): TimestampAssignerLike<T> | undefined;
  createWatermarkGenerator(context?: unknown): WatermarkGeneratorLike<T>;
}

/** One split's output: its generator and its current watermark and idleness. */
class SplitOutput<T> implements ReaderOutput<T>, WatermarkOutputLike {
  watermark = -Infinity;
  idle = false;
  constructor(private readonly owner: SourceOperator<T>, private readonly generator: WatermarkGeneratorLike<T>) {}

  collect(value: T, timestamp?: number): void {
    const ts = this.owner.timestampOf(value, timestamp === undefined ? NO_TIMESTAMP : timestamp);
    if (this.idle) { this.idle = false; this.owner.combine(); }
    // The record goes first (Flink's SourceOutputWithWatermarks): a watermark the generator emits
    // for it must not overtake it, or the record would be behind its own watermark.
    this.owner.emitRecord(value, ts);
    this.generator.onEvent(value, ts, this);
  }
  emitWatermark(timestamp: number): void {
    if (timestamp > this.watermark) { this.watermark = timestamp; this.owner.combine(); }
  }
  markIdle(): void { if (!this.idle) { this.idle = true; this.owner.combine(); } }
  markActive(): void { if (this.idle) { this.idle = false; this.owner.combine(); } }
  periodic(): void { this.generator.onPeriodicEmit(this); }
  createOutputForSplit(splitId: string): ReaderOutput<T> { return this.owner.createOutputForSplit(splitId); }
  releaseOutputForSplit(splitId: string): void { this.owner.releaseOutputForSplit(splitId); }
}

/** Runs a Source's reader in one subtask. */
export class SourceOperator<T> implements ReaderOutput<T> {
  private context!: OperatorContext;
  private output!: Output<T>;
  private reader!: SourceReader<T, SourceSplit>;
  private assign: ((value: T, ts: number) => number) | undefined;
  private readonly splitOutputs = new Map<string, SplitOutput<T>>();
  private mainOutput: SplitOutput<T> | undefined;
  /** True once a record went through the main output (the reader does not track splits). */
  private mainOutputUsed = false;
  private emittedWatermark = -Infinity;
  private emittedIdle = false;
  private periodic: Cancel | undefined;
  private closed = false;
  /** Set by drain(): event time has ended and the reader is no longer polled. */
  private drained = false;
  /** Set by the runtime: forwards a split request to the enumerator. */
  splitRequestHandler: () => void = () => {};

  constructor(
    readonly source: Source<T, any, any>,
    private readonly strategy: WatermarkStrategyLike<T> | undefined,
    private readonly autoWatermarkIntervalMs: number,
  ) {}

  setup(context: OperatorContext, output: Output<T>): void {
    this.context = context;
    this.output = output;
  }

  async open(): Promise<void> {
    const assigner = this.strategy?.createTimestampAssigner?.();
    if (typeof assigner === 'function') this.assign = assigner;
    else if (assigner) this.assign = (v, ts) => assigner.extractTimestamp(v, ts);
    const c = this.context;
    this.reader = this.source.createReader({
      subtaskIndex: c.subtaskIndex, parallelism: c.parallelism, clock: c.clock,
      sendSplitRequest: () => this.splitRequestHandler(),
    });
    // The main output exists from the start (as in Flink), so that a reader that never emits still
    // has a watermark generator: with idleness it marks the source idle instead of holding back
    // every downstream watermark.
    if (this.strategy) this.mainOutput = this.registerOutput('');
    await this.reader.start();
    if (this.strategy && this.autoWatermarkIntervalMs > 0) this.schedulePeriodic();
  }

  /** Polls the reader once (never after drain(): the job is stopping). */
  emitNext(): InputStatus { return this.drained ? 'nothing-available' : this.reader.pollNext(this); }

  /** Resolves when the reader may have data again. */
  isAvailable(): Promise<void> { return this.drained ? new Promise<void>(() => {}) : this.reader.isAvailable(); }

  /**
   * Stop with --drain, at the savepoint's barrier: event time ends here (MAX_WATERMARK flushes
   * every window and event-time timer downstream, ahead of the barrier) and the reader is not
   * polled again; the savepoint holds its position, and the job ends after it.
   */
  drain(): void {
    if (this.drained) return;
    this.drained = true;
    this.cancelPeriodic();
    this.output.emitWatermark(MAX_WATERMARK);
  }

  addSplits(splits: SourceSplit[]): void { this.reader.addSplits(splits); }

  notifyNoMoreSplits(): void { this.reader.notifyNoMoreSplits(); }

  snapshotState(checkpointId: number): SourceSplit[] { return this.reader.snapshotState(checkpointId); }

  /** A checkpoint completed: the reader may acknowledge what it covers upstream (e.g. a replication slot's position). */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.reader?.notifyCheckpointComplete?.(checkpointId);
  }

  /** The input ended: bounded sources end with MAX_WATERMARK (Flink), which flushes event time. */
  endInput(): void {
    this.cancelPeriodic();
    if (this.source.boundedness === 'bounded' && !this.drained) this.output.emitWatermark(MAX_WATERMARK);
  }

  async close(): Promise<void> {
    this.cancelPeriodic();
    if (this.closed) return;
    this.closed = true;
    await this.reader?.close();
  }

  // ReaderOutput of the reader as a whole (readers that do not track splits).
  collect(value: T, timestamp?: number): void {
    if (this.strategy === undefined) {
      this.output.collect(value, timestamp === undefined ? NO_TIMESTAMP : timestamp);
      return;
    }
    this.mainOutputUsed = true;
    (this.mainOutput ??= this.registerOutput('')).collect(value, timestamp);
  }

  createOutputForSplit(splitId: string): ReaderOutput<T> {
    if (!this.strategy) return this;
    // A reader with per-split outputs leaves the main output unused: its watermark must not count
    // (collect() creates it again should the reader use it after all).
    if (this.mainOutput !== undefined && !this.mainOutputUsed) {
      this.splitOutputs.delete('');
      this.mainOutput = undefined;
    }
    return this.splitOutputs.get(splitId) ?? this.registerOutput(splitId);
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splitOutputs.delete(splitId)) this.combine();
  }

  markIdle(): void { (this.mainOutput ??= this.registerOutput('')).markIdle(); }

  /** @internal the timestamp of a record under the strategy. */
  timestampOf(value: T, timestamp: number): number {
    return this.assign ? this.assign(value, timestamp) : timestamp;
  }

  /** @internal emits one stamped record. */
  emitRecord(value: T, timestamp: number): void { this.output.collect(value, timestamp); }

  /** @internal recomputes the source watermark: the minimum over active splits. */
  combine(): void {
    let min = Infinity;
    let active = 0;
    for (const out of this.splitOutputs.values()) {
      if (out.idle) continue;
      active++;
      if (out.watermark < min) min = out.watermark;
    }
    if (active === 0) {
      if (this.splitOutputs.size > 0 && !this.emittedIdle) { this.emittedIdle = true; this.output.emitWatermarkStatus(true); }
      return;
    }
    if (this.emittedIdle) { this.emittedIdle = false; this.output.emitWatermarkStatus(false); }
    if (min > this.emittedWatermark && min !== -Infinity) {
      this.emittedWatermark = min;
      this.output.emitWatermark(min);
    }
  }

  private registerOutput(splitId: string): SplitOutput<T> {
    const out = new SplitOutput<T>(this, this.strategy!.createWatermarkGenerator({ clock: this.context.clock }));
    this.splitOutputs.set(splitId, out);
    return out;
  }

  private schedulePeriodic(): void {
    const interval = this.autoWatermarkIntervalMs;
    const tick = (time: number): void => {
      for (const out of this.splitOutputs.values()) out.periodic();
      if (!this.closed) this.periodic = this.context.registerProcessingTimer(time + interval, tick);
    };
    this.periodic = this.context.registerProcessingTimer(this.context.clock.now() + interval, tick);
  }

  private cancelPeriodic(): void {
    this.periodic?.();
    this.periodic = undefined;
  }
}
