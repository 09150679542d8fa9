// NatsSplitReader: reads the splits of a NATS JetStream source in one subtask. Each split has an
// ordered (ephemeral, unacknowledged) consumer starting at the split's next sequence; a fetch loop
// per split pulls batches asynchronously into a buffer, and pollNext hands buffered messages to the
// split's output synchronously (no promise per record), advancing the split's position only for
// what it emitted, so a snapshot is exactly what went downstream. Bounded splits end at the
// sequence that was last when they were first opened. Imports api/ and the NATS client only.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, DeliverPolicy, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '../../sources/source.ts';
import type { NatsSplit } from './nats-split.ts';

/** What a NATS source hands its deserializer besides the payload. */
export interface NatsMessageMeta {
  readonly subject: string;
  /** Stream sequence. */
  readonly sequence: number;
  /** When the stream stored the message (epoch ms). */
  readonly timestamp: number;
}

/** Turns a message payload into a record. */
export type NatsDeserializer<T> = (data: Uint8Array, meta: NatsMessageMeta) => T;

/** How a reader reads (from the source's options). */
export interface NatsReaderOptions<T> {
  readonly servers: string | string[];
  readonly deserialize: NatsDeserializer<T>;
  /** Messages per fetch request. */
  readonly fetchSize: number;
}

/** Messages emitted per poll at most (about one batch). */
const RECORDS_PER_POLL = 1024;

/** A split being read: its progress, its buffer and its fetch loop. */
class OpenSplit {
  split: NatsSplit;
  readonly buffer: JsMsg[] = [];
  head = 0;
  fetching = false;
  /** The split has nothing more to read (bounded end reached). */
  finished = false;
  consumer: Consumer | undefined;
  messages: ConsumerMessages | undefined;
  output: ReaderOutput<unknown> | undefined;
  constructor(split: NatsSplit) { this.split = { ...split }; }
  get buffered(): number { return this.buffer.length - this.head; }
}

/** Reads NATS JetStream splits. */
export class NatsSplitReader<T> implements SourceReader<T, NatsSplit> {
  private connection: Promise<{ nc: NatsConnection; jsm: JetStreamManager }> | undefined;
  private readonly splits: OpenSplit[] = [];
  private noMoreSplits = false;
  private closed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: NatsReaderOptions<T>, private readonly context: SourceReaderContext) {}

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.failure) throw this.failure;
    let budget = RECORDS_PER_POLL;
    for (let i = 0; i < this.splits.length && budget > 0; i++) {
      const s = this.splits[i];
      if (!s.finished) budget -= this.emit(s, output, budget);
      if (s.finished && s.buffered === 0) {
        s.messages?.stop();
        if (s.output) output.releaseOutputForSplit(s.split.splitId);
        this.splits.splice(i--, 1);
        continue;
      }
      if (!s.fetching && !s.finished && s.buffered < this.options.fetchSize) this.fetch(s);
    }
    if (this.splits.length === 0) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    return this.splits.some((s) => s.buffered > 0 || (s.finished && s.buffered === 0)) ? 'more-available' : 'nothing-available';
  }

  isAvailable(): Promise<void> {
    if (this.failure || this.splits.some((s) => s.buffered > 0 || s.finished)) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => { this.wake = resolve; });
    // A fetch that came back empty ended before this wait began: fetch again, or nothing wakes it.
    for (const s of this.splits) if (!s.fetching && !s.finished) this.fetch(s);
    return waiting;
  }

  addSplits(splits: NatsSplit[]): void {
    for (const split of splits) {
      const s = new OpenSplit(split);
      this.splits.push(s);
      this.fetch(s);
    }
    this.wakeUp();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp();
  }

  snapshotState(): NatsSplit[] {
    return this.splits.map((s) => ({ ...s.split }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp();
    for (const s of this.splits) s.messages?.stop();
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      const { nc } = await connection.catch(() => ({ nc: undefined }));
      await nc?.close();
    }
  }

  /** Emits up to `budget` buffered messages of `s`; returns how many it emitted. */
  private emit(s: OpenSplit, output: ReaderOutput<T>, budget: number): number {
    if (s.buffered === 0) return 0;
    const out = (s.output ??= output.createOutputForSplit(s.split.splitId) as ReaderOutput<unknown>) as ReaderOutput<T>;
    const { deserialize } = this.options;
    const end = s.split.end;
    let n = 0;
    let next = s.split.next;
    while (n < budget && s.head < s.buffer.length) {
      const m = s.buffer[s.head++];
      const seq = m.info.streamSequence;
      if (end !== undefined && end >= 0 && seq > end) { s.finished = true; break; }
      const timestamp = Math.floor(m.info.timestampNanos / 1e6);
      out.collect(deserialize(m.data, { subject: m.subject, sequence: seq, timestamp }), timestamp);
      next = seq + 1;
      n++;
      if (end !== undefined && (seq >= end || m.info.pending === 0)) { s.finished = true; break; }
    }
    s.split = { ...s.split, next };
    if (s.head === s.buffer.length || s.finished) { s.buffer.length = 0; s.head = 0; }
    return n;
  }

  /** Starts one fetch of the next batch of `s` (asynchronously; the buffer fills when it returns). */
  private fetch(s: OpenSplit): void {
    if (this.closed || s.fetching) return;
    s.fetching = true;
    this.fetchBatch(s).then(
      () => { s.fetching = false; this.wakeUp(); },
      (error: unknown) => {
        s.fetching = false;
        if (!this.closed) this.failure ??= new Error(`NATS source: reading stream '${s.split.stream}'${s.split.filter ? ` (subject ${s.split.filter})` : ''} failed: ${(error as Error).message}`, { cause: error });
        this.wakeUp();
      },
    );
  }

  private async fetchBatch(s: OpenSplit): Promise<void> {
    s.consumer ??= await this.openConsumer(s);
    if (s.finished || this.closed) return;
    // A bounded split waits no longer than one short fetch: everything up to its end already exists.
    const messages = await s.consumer.fetch({ max_messages: this.options.fetchSize, expires: 1000 });
    s.messages = messages;
    let received = 0;
    for await (const m of messages) {
      if (this.closed) break;
      s.buffer.push(m);
      if (received++ === 0) this.wakeUp();
    }
    s.messages = undefined;
    // A bounded split whose filter matches nothing more before its end.
    if (received === 0 && s.split.end !== undefined && s.buffered === 0) s.finished = true;
  }

  /** Resolves the split's start (and end, when bounded) and creates its ordered consumer. */
  private async openConsumer(s: OpenSplit): Promise<Consumer> {
    const { nc, jsm } = await this.connect();
    const split = s.split;
    let info;
    try {
      info = await jsm.streams.info(split.stream);
    } catch (error) {
      throw new Error(`no JetStream stream named '${split.stream}' (${(error as Error).message})`, { cause: error });
    }
    const last = info.state.last_seq;
    if (split.next === 0 && split.start === 'latest') s.split = { ...s.split, next: last + 1 };
    if (split.end === -1) s.split = { ...s.split, end: last };
    const end = s.split.end;
    if (end !== undefined && (end === 0 || (s.split.next > 0 && s.split.next > end))) s.finished = true;
    const options: Partial<OrderedConsumerOptions> = split.filter === undefined ? {} : { filter_subjects: split.filter };
    const start = s.split.start;
    if (s.split.next > 0) Object.assign(options, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: s.split.next });
    else if (typeof start === 'object' && 'time' in start) Object.assign(options, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.time).toISOString() });
    else Object.assign(options, { deliver_policy: DeliverPolicy.All });
    return jetstream(nc).consumers.get(split.stream, options);
  }

  private connect(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    this.connection ??= (async () => {
      let nc: NatsConnection;
      try {
        nc = await connect({ servers: this.options.servers, name: `actorflow-source-${this.context.subtaskIndex}` });
      } catch (error) {
        throw new Error(`cannot connect to NATS at ${String(this.options.servers)} (${(error as Error).message})`, { cause: error });
      }
      return { nc, jsm: await jetstreamManager(nc) };
    })();
    return this.connection;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
