// SinkWriterOperator: runs a Sink's per-subtask writer at the end of a pipeline (sinkTo, print,
// executeAndCollect). Imports api/ only.
import type { Sink, SinkWriter } from '../sinks/sink.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator } from './stream-operator.ts';

/** Hands every record to the subtask's sink writer. */
export class SinkWriterOperator<T> extends AbstractStreamOperator<never> implements OneInputStreamOperator<T, never> {
  private writer!: SinkWriter<T>;
  private flushed: void | Promise<void> = undefined;

  constructor(private readonly sink: Sink<T>) { super(); }

  override async open(): Promise<void> {
    const c = this.context;
    this.writer = await this.sink.createWriter({
      subtaskIndex: c.subtaskIndex, parallelism: c.parallelism, attemptNumber: c.attemptNumber, operatorName: c.operatorName,
    });
  }

  processElement(value: T, timestamp: number): void {
    this.writer.write(value, timestamp);
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
  }

  endInput(): void {
    this.flushed = this.writer.flush?.(true);
  }

  override async close(): Promise<void> {
    await this.flushed;
    await this.writer?.close?.();
  }
}
