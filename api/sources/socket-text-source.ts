// SocketTextSource: the text records a TCP server sends (Flink's socketTextStream), for trying
// things out with `nc -lk 9999`. Unbounded and non-parallel (one reader, one connection).
//
// Not replayable: a socket cannot be rewound, so after a failure the restored reader connects
// again and reads whatever the server sends from then on. Records received but not emitted before
// the failure, and everything sent while the job restarts, are lost: the source is at-most-once on
// recovery, as Flink's socketTextStream is. Use a replayable source (files, a data generator) where
// exactly-once output matters.
//
// When the server closes the connection the source ends, unless `maxRetry` allows reconnecting
// (after `retryDelayMs` on the job's clock; -1 retries forever). A failed connection fails the
// subtask with the host, port and reason. Imports api/sources only.
import { connectLines, type LineConnection } from './socket-lines.ts';
import { StaticSplitEnumerator } from './static-split-enumerator.ts';
import type {
  InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext,
} from './source.ts';

/** Options of a SocketTextSource. */
export interface SocketTextSourceOptions {
  /** What ends a record (default "\n"; a "\r" before it is dropped). */
  delimiter?: string;
  /** Reconnects after the server closed the connection: 0 never (default), -1 forever, n at most n times. */
  maxRetry?: number;
  /** Wait before reconnecting (default 500 ms, Flink's). */
  retryDelayMs?: number;
}

/** Records buffered before the connection is paused (backpressure reaches the server). */
const HIGH_WATER = 16 * 1024;
/** Records emitted per poll at most (about one batch). */
const RECORDS_PER_POLL = 1024;

/** Reads the records of one connection into a queue that pollNext drains. */
class SocketTextReader implements SourceReader<string, SourceSplit> {
  private queue: string[] = [];
  private head = 0;
  private connection: LineConnection | undefined;
  private paused = false;
  private split: SourceSplit | undefined;
  private noMoreSplits = false;
  private ended = false;
  private error: Error | undefined;
  private retries = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;

  constructor(private readonly source: SocketTextSource, private readonly context: SourceReaderContext) {}

  start(): void {}

  pollNext(output: ReaderOutput<string>): InputStatus {
    if (this.error) throw this.error;
    const stop = Math.min(this.queue.length, this.head + RECORDS_PER_POLL);
    for (; this.head < stop; this.head++) output.collect(this.queue[this.head]);
    if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
    if (this.paused && this.queue.length - this.head < HIGH_WATER / 2) { this.paused = false; this.connection?.resume(); }
    if (this.head < this.queue.length) return 'more-available';
    if (this.ended || (this.split === undefined && this.noMoreSplits)) return 'end-of-input';
    return 'nothing-available';
  }

  isAvailable(): Promise<void> {
    if (this.error || this.ended || this.head < this.queue.length) return Promise.resolve();
    return new Promise<void>((resolve) => { this.wake = resolve; });
  }

  addSplits(splits: SourceSplit[]): void {
    if (splits.length === 0 || this.split !== undefined) return;
    this.split = splits[0];
    this.connect();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp();
  }

  /** The split only: what was received is not replayable (at-most-once, see the header). */
  snapshotState(): SourceSplit[] {
    return this.split === undefined ? [] : [{ ...this.split }];
  }

  close(): void {
    this.closed = true;
    this.cancelRetry?.();
    this.connection?.close();
    this.connection = undefined;
  }

  private connect(): void {
    if (this.closed) return;
    const { host, port, delimiter } = this.source;
    this.connection = connectLines(host, port, delimiter, {
      onRecords: (records) => {
        for (const r of records) this.queue.push(r);
        if (!this.paused && this.queue.length - this.head >= HIGH_WATER) { this.paused = true; this.connection?.pause(); }
        this.wakeUp();
      },
      onEnd: () => {
        this.connection = undefined;
        const { maxRetry, retryDelayMs } = this.source;
        if (!this.closed && (maxRetry === -1 || this.retries < maxRetry)) {
          this.retries++;
          this.cancelRetry = this.context.clock.schedule(retryDelayMs, () => { this.cancelRetry = undefined; this.connect(); });
          return;
        }
        this.ended = true;
        this.wakeUp();
      },
      onError: (error) => {
        this.connection = undefined;
        this.error = error;
        this.wakeUp();
      },
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The text records a TCP server sends; unbounded, non-parallel, at-most-once on recovery. */
export class SocketTextSource implements Source<string, SourceSplit, SourceSplit[]> {
  readonly boundedness = 'continuous-unbounded' as const;
  /** One connection: the source runs in one subtask. */
  readonly maxParallelism = 1;
  readonly delimiter: string;
  readonly maxRetry: number;
  readonly retryDelayMs: number;

  constructor(readonly host: string, readonly port: number, options: SocketTextSourceOptions = {}) {
    if (typeof host !== 'string' || host === '') throw new TypeError(`SocketTextSource needs a host name, got ${JSON.stringify(host)}`);
    if (!(Number.isInteger(port) && port > 0 && port <= 65535)) throw new RangeError(`SocketTextSource needs a port in 1..65535, got ${port}`);
    this.delimiter = options.delimiter ?? '\n';
    if (typeof this.delimiter !== 'string' || this.delimiter === '') throw new TypeError('SocketTextSource needs a non-empty delimiter');
    this.maxRetry = options.maxRetry ?? 0;
    if (!(Number.isInteger(this.maxRetry) && this.maxRetry >= -1)) throw new RangeError(`SocketTextSource maxRetry must be -1, 0 or more, got ${this.maxRetry}`);
    this.retryDelayMs = options.retryDelayMs ?? 500;
    if (!(this.retryDelayMs >= 0 && Number.isFinite(this.retryDelayMs))) throw new RangeError(`SocketTextSource retryDelayMs must be >= 0, got ${this.retryDelayMs}`);
  }

  createEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, SourceSplit[]> {
    return new StaticSplitEnumerator(context, [{ splitId: `socket-${this.host}:${this.port}` }]);
  }

  restoreEnumerator(context: SplitEnumeratorContext<SourceSplit>, state: SourceSplit[]): SplitEnumerator<SourceSplit, SourceSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<string, SourceSplit> {
    return new SocketTextReader(this, context);
  }
}
