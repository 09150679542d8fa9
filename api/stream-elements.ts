// Stream elements: what travels on a channel between subtasks. Defined once, shared by api/
// (operators) and actors/ (channels, network). Imports nothing.
//
// Records travel in batches (columnar: values and timestamps side by side, no per-record
// wrapper object). Watermarks, watermark status, barriers and end-of-input are events that
// travel between batches, in order with them.

/** The timestamp of a record that has none (Flink uses Long.MIN_VALUE for the same purpose). */
export const NO_TIMESTAMP = -Infinity;

/** A batch of records on one channel. `length` records are valid; arrays may be longer. */
export interface RecordBatch {
  readonly kind: 'records';
  values: unknown[];
  /** Per-record event timestamps; NO_TIMESTAMP where a record has none. */
  timestamps: number[];
  length: number;
}

/** Watermark W: no more records with timestamp <= W will arrive on this channel. */
export interface WatermarkEvent { readonly kind: 'watermark'; readonly timestamp: number }

/** A channel going idle (excluded from the min-watermark) or active again. */
export interface WatermarkStatusEvent { readonly kind: 'watermark-status'; readonly idle: boolean }

/** A Chandy-Lamport checkpoint barrier. */
export interface BarrierEvent {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint?: boolean;
  readonly unaligned?: boolean;
  /**
   * A savepoint that ends the job with its event time drained (stop --drain): sources emit
   * MAX_WATERMARK ahead of the barrier, so every event-time timer and window fires into the
   * savepoint's output, and emit nothing after it.
   */
  readonly drain?: boolean;
  /**
   * A savepoint that stops the job (stop-with-savepoint, drained or not; Flink's synchronous
   * savepoint): a source emits nothing after its barrier, and a subtask reads, fires and emits
   * nothing after its snapshot until the savepoint completes (the job stops) or is aborted.
   */
  readonly stop?: boolean;
}

/** The producer of this channel has finished: no more elements will follow. */
export interface EndOfInputEvent { readonly kind: 'end-of-input' }

/** Anything a channel carries, in order. */
export type ChannelElement = RecordBatch | WatermarkEvent | WatermarkStatusEvent | BarrierEvent | EndOfInputEvent;

/** The watermark that ends a bounded input (Flink's Watermark.MAX_WATERMARK). */
export const MAX_WATERMARK = Infinity;

/** Creates an empty record batch with room for `capacity` records. */
export function createRecordBatch(capacity: number): RecordBatch {
  return { kind: 'records', values: new Array(capacity), timestamps: new Array<number>(capacity).fill(NO_TIMESTAMP), length: 0 };
}
