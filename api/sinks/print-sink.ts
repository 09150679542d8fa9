// PrintSink: prints every record on standard output, Flink-style (`prefix:subtask> value`, the
// subtask part only when the sink runs with parallelism > 1). Portable: console.log only.
import type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';

/** Prints records; `print(prefix?)` uses it. */
export class PrintSink<T> implements Sink<T> {
  constructor(private readonly prefix?: string, private readonly log: (line: string) => void = (line) => console.log(line)) {}

  createWriter(context: SinkWriterContext): SinkWriter<T> {
    const parts: string[] = [];
    if (this.prefix) parts.push(this.prefix);
    if (context.parallelism > 1) parts.push(String(context.subtaskIndex + 1));
    const head = parts.length ? parts.join(':') + '> ' : '';
    const log = this.log;
    return { write: (value) => log(head + format(value)) };
  }
}

function format(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try { return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)); } catch { return String(value); }
  }
  return String(value);
}
