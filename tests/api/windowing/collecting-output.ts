// Test support: an Output that records everything an operator emits, in order.
import type { Output } from '../../../api/operators/stream-operator.ts';
import type { OutputTag } from '../../../api/output-tag.ts';

/** One emitted element. */
export type Emitted<T> =
  | { kind: 'record'; value: T; timestamp: number }
  | { kind: 'side'; tag: string; value: unknown; timestamp: number }
  | { kind: 'watermark'; timestamp: number }
  | { kind: 'status'; idle: boolean };

/** Records every emission. */
export class CollectingOutput<T> implements Output<T> {
  readonly emitted: Emitted<T>[] = [];
  collect(value: T, timestamp: number): void { this.emitted.push({ kind: 'record', value, timestamp }); }
  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void { this.emitted.push({ kind: 'side', tag: tag.id, value, timestamp }); }
  emitWatermark(timestamp: number): void { this.emitted.push({ kind: 'watermark', timestamp }); }
  emitWatermarkStatus(idle: boolean): void { this.emitted.push({ kind: 'status', idle }); }
  /** Main-output records. */
  records(): Array<{ value: T; timestamp: number }> {
    return this.emitted.flatMap((e) => (e.kind === 'record' ? [{ value: e.value, timestamp: e.timestamp }] : []));
  }
  /** Values emitted to side output `tag`. */
  side(tag: string): unknown[] { return this.emitted.flatMap((e) => (e.kind === 'side' && e.tag === tag ? [e.value] : [])); }
  /** Watermarks, in order. */
  watermarks(): number[] { return this.emitted.flatMap((e) => (e.kind === 'watermark' ? [e.timestamp] : [])); }
  /** Forgets what was emitted so far. */
  clear(): void { this.emitted.length = 0; }
}
