// WatermarkStrategy: how a stream (or each source split) gets timestamps and watermarks: a
// timestamp assigner plus a watermark generator factory, optionally with idleness. Immutable:
// every with* returns a new strategy. Imports only api/time.
import { systemClock } from './clock.ts';
import {
  AscendingTimestampsWatermarks, BoundedOutOfOrdernessWatermarks, NoWatermarksGenerator, WatermarksWithIdleness,
  type WatermarkGenerator, type WatermarkGeneratorContext,
} from './watermark-generator.ts';

/** Extracts an event timestamp; `recordTimestamp` is the one the record already has (or -Infinity). */
export type TimestampAssigner<T> = (element: T, recordTimestamp: number) => number;

/** Creates a generator for one source split or one parallel instance. */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorContext) => WatermarkGenerator<T>;

const keepRecordTimestamp: TimestampAssigner<unknown> = (_element, recordTimestamp) => recordTimestamp;

/** Timestamps and watermarks for a stream (Flink's WatermarkStrategy). */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly supplier: WatermarkGeneratorSupplier<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    /** Inputs without events for this long are marked idle; undefined: never. */
    readonly idlenessMs: number | undefined,
  ) {}

  /** Watermarks for ascending timestamps (largest seen minus 1). */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>(), undefined, undefined);
  }

  /** Watermarks trailing the largest timestamp seen by `maxOutOfOrdernessMs` (+1). */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError(`maxOutOfOrderness must be >= 0, got ${maxOutOfOrdernessMs}`);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined);
  }

  /** No watermarks (processing time, or timestamps only). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined);
  }

  /** Watermarks from a custom generator, created once per split / parallel instance. */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(supplier, undefined, undefined);
  }

  /** The same strategy, with event timestamps taken from `assigner`. */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.supplier, assigner, this.idlenessMs);
  }

  /** The same strategy, marking an input idle after `idleTimeoutMs` of processing time without events. */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    if (!(idleTimeoutMs > 0)) throw new RangeError(`idle timeout must be > 0, got ${idleTimeoutMs}`);
    return new WatermarkStrategy<T>(this.supplier, this.assigner, idleTimeoutMs);
  }

  /** The timestamp assigner; without one, records keep the timestamp they carry. */
  createTimestampAssigner(): TimestampAssigner<T> {
    return this.assigner ?? (keepRecordTimestamp as TimestampAssigner<T>);
  }

  /** A fresh generator (idleness included when configured); the clock drives idleness. */
  createWatermarkGenerator(context: WatermarkGeneratorContext = { clock: systemClock }): WatermarkGenerator<T> {
    const generator = this.supplier(context);
    return this.idlenessMs === undefined ? generator : new WatermarksWithIdleness(generator, this.idlenessMs, context.clock);
  }
}
