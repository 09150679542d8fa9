// SinkFunctionOperator: the operator behind addSink(fn). A function returning a promise is
// allowed (at-least-once convenience): promises are tracked, a bounded number may be in flight,
// and the first rejection fails the task. Imports api/ only.
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator } from './stream-operator.ts';

/** Calls `fn` for every record. */
export class SinkFunctionOperator<T> extends AbstractStreamOperator<never> implements OneInputStreamOperator<T, never> {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly fn: (value: T) => void | Promise<void>) { super(); }

  processElement(value: T): void {
    if (this.failure) throw this.failure.error;
    const result = this.fn(value);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') this.track(result as Promise<void>);
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
  }

  /** Promises still running; the task waits for them before it finishes. */
  inFlight(): number { return this.pending.size; }

  override async close(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure) throw this.failure.error;
  }

  private track(promise: Promise<void>): void {
    const tracked: Promise<void> = promise.then(
      () => { this.pending.delete(tracked); },
      (error) => { this.pending.delete(tracked); this.failure ??= { error }; },
    );
    this.pending.add(tracked);
  }
}
