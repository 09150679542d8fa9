// BatchGroupedReduce: the rolling reduce of a keyed stream in BATCH mode (Flink's
// BatchGroupedReduceOperator): input arrives grouped by key, so the running value lives in a
// field, and only the key's final value is emitted, when the key's input ends (the batch keyed
// input signals that with MAX_WATERMARK). It carries the timestamp of the key's last record.
// Imports api/ only.
import { MAX_WATERMARK, NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator } from './stream-operator.ts';

/** Folds one key's elements with `reduce` and emits the result once, at the end of the key. */
export class BatchGroupedReduce<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
  private value: T | undefined = undefined;
  private present = false;
  private timestamp = NO_TIMESTAMP;

  constructor(private readonly reduce: (a: T, b: T) => T) { super(); }

  processElement(value: T, timestamp: number): void {
    this.value = this.present ? this.reduce(this.value as T, value) : value;
    this.present = true;
    this.timestamp = timestamp;
  }

  override processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK && this.present) {
      const value = this.value as T;
      this.present = false;
      this.value = undefined;
      this.output.collect(value, this.timestamp);
    }
    super.processWatermark(timestamp);
  }
}
