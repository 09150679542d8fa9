// Sink: the sink interface (Flink's Sink v2 shape): one writer per subtask. Imports nothing
// from actors/.

/** What a sink writer knows of its subtask. */
export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
  readonly operatorName: string;
}

/** Writes the records of one subtask. */
export interface SinkWriter<T> {
  write(value: T, timestamp: number): void;
  /** Called at the end of input (and before checkpoints): make written records durable or visible. */
  flush?(endOfInput: boolean): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** A sink: creates one writer per subtask. Plain objects may implement it. */
export interface Sink<T> {
  createWriter(context: SinkWriterContext): SinkWriter<T> | Promise<SinkWriter<T>>;
}
