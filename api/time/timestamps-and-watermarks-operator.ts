// TimestampsAndWatermarksOperator: assigns event timestamps and generates watermarks inside a
// stream (assignTimestampsAndWatermarks). Periodic emission runs through the context's
// processing timers, re-registered every interval. Upstream watermarks are swallowed, except the
// end-of-input watermark (+Infinity), as in Flink. Imports api/ contracts only.
import type { Cancel } from './clock.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from '../operators/stream-operator.ts';
import { MAX_WATERMARK } from '../stream-elements.ts';
import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.ts';
import type { TimestampAssigner, WatermarkStrategy } from './watermark-strategy.ts';

/** Assigns timestamps and emits watermarks by a WatermarkStrategy. */
export class TimestampsAndWatermarksOperator<T> implements OneInputStreamOperator<T, T>, WatermarkOutput {
  private context!: OperatorContext;
  private output!: Output<T>;
  private assigner!: TimestampAssigner<T>;
  private generator!: WatermarkGenerator<T>;
  private currentWatermark = -Infinity;
  private idle = false;
  private cancelTimer: Cancel | undefined;
  private closed = false;

  constructor(private readonly strategy: WatermarkStrategy<T>, private readonly autoWatermarkIntervalMs = 200) {}

  setup(context: OperatorContext, output: Output<T>): void {
    this.context = context;
    this.output = output;
  }

  open(): void {
    this.assigner = this.strategy.createTimestampAssigner();
    this.generator = this.strategy.createWatermarkGenerator({ clock: this.context.clock });
    if (this.autoWatermarkIntervalMs > 0) this.scheduleNextEmit();
  }

  processElement(value: T, timestamp: number): void {
    const ts = this.assigner(value, timestamp);
    if (this.idle) this.markActive();
    this.output.collect(value, ts);
    this.generator.onEvent(value, ts, this);
  }

  processWatermark(timestamp: number): void {
    // Upstream watermarks are replaced by this operator's own; only the end of input passes.
    if (timestamp === MAX_WATERMARK) this.emitWatermark(MAX_WATERMARK);
  }

  processWatermarkStatus(): void {
    // Idleness is decided by this operator's strategy, not by its input.
  }

  endInput(): void {
    this.generator.onPeriodicEmit(this);
    this.emitWatermark(MAX_WATERMARK);
  }

  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** WatermarkOutput: forwards a watermark that advances the current one. */
  emitWatermark(timestamp: number): void {
    if (!(timestamp > this.currentWatermark)) return;
    this.currentWatermark = timestamp;
    if (this.idle) this.markActive();
    this.output.emitWatermark(timestamp);
  }

  /** WatermarkOutput: declares the output idle. */
  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.output.emitWatermarkStatus(true);
  }

  /** WatermarkOutput: declares the output active. */
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.output.emitWatermarkStatus(false);
  }

  private scheduleNextEmit(): void {
    const at = this.context.clock.now() + this.autoWatermarkIntervalMs;
    this.cancelTimer = this.context.registerProcessingTimer(at, () => {
      if (this.closed) return;
      this.generator.onPeriodicEmit(this);
      if (this.currentWatermark !== MAX_WATERMARK) this.scheduleNextEmit();
    });
  }
}
