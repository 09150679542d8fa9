// NatsJetStreamSource: a FLIP-27 source over a NATS JetStream stream (Flink's KafkaSource in
// shape). It reads the stream, optionally filtered by a subject, from a start position (earliest,
// latest, a sequence or a time); with partition subjects each subject is a split of its own, else
// the source has one split. Positions are stream sequences, checkpointed per split, so a job
// restored from a checkpoint re-reads exactly the messages after it. Bounded mode stops at the
// sequence that was last when the split was first opened (batch jobs). Records carry the message
// timestamp as their event time; a WatermarkStrategy's timestamp assigner may take a field instead,
// and watermarks are generated per split. Imports api/ and the NATS client only.
import { StaticSplitEnumerator } from '../../sources/static-split-enumerator.ts';
import type { Boundedness, Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '../../sources/source.ts';
import { checkStartPosition, initialSplits, type NatsSplit, type NatsStartPosition } from './nats-split.ts';
import { NatsSplitReader, type NatsDeserializer } from './nats-split-reader.ts';

/** Options of a NatsJetStreamSource. */
export interface NatsJetStreamSourceOptions<T> {
  /** Server URL(s), e.g. 'nats://127.0.0.1:4222'. */
  readonly servers: string | string[];
  /** The JetStream stream to read. */
  readonly stream: string;
  /** Reads only messages whose subject matches (wildcards allowed). */
  readonly filterSubject?: string;
  /** One split per subject filter (e.g. 'orders.0', 'orders.1'): the stream's partitions. */
  readonly partitionSubjects?: readonly string[];
  /** Where reading starts when no checkpoint is restored (default 'earliest'). */
  readonly start?: NatsStartPosition;
  /** Stop at the sequence that is last when the job starts (default false: unbounded). */
  readonly bounded?: boolean;
  /** Payload to record (default: the payload parsed as JSON). */
  readonly deserialize?: NatsDeserializer<T>;
  /** Messages per fetch request (default 512). */
  readonly fetchSize?: number;
}

const decoder = new TextDecoder();

/** Parses the payload as UTF-8 JSON. */
export function jsonDeserializer<T>(data: Uint8Array): T { return JSON.parse(decoder.decode(data)) as T; }

/** The payload as a UTF-8 string. */
export function stringDeserializer(data: Uint8Array): string { return decoder.decode(data); }

/** Reads a NATS JetStream stream, with exactly-once positions through checkpoints. */
export class NatsJetStreamSource<T> implements Source<T, NatsSplit, NatsSplit[]> {
  readonly boundedness: Boundedness;
  private readonly splits: NatsSplit[];

  constructor(private readonly options: NatsJetStreamSourceOptions<T>) {
    const where = 'NatsJetStreamSource';
    const servers = options.servers;
    if (!(typeof servers === 'string' ? servers !== '' : Array.isArray(servers) && servers.length > 0 && servers.every((s) => typeof s === 'string' && s !== ''))) {
      throw new TypeError(`${where}: servers must be a non-empty URL or list of URLs, got ${JSON.stringify(servers)}`);
    }
    if (typeof options.stream !== 'string' || !/^[^\s.*>]+$/.test(options.stream)) throw new TypeError(`${where}: stream must be a stream name (no spaces, '.', '*' or '>'), got ${JSON.stringify(options.stream)}`);
    if (options.filterSubject !== undefined && options.partitionSubjects !== undefined) throw new TypeError(`${where}: give filterSubject or partitionSubjects, not both`);
    for (const s of [options.filterSubject, ...(options.partitionSubjects ?? [])]) {
      if (s !== undefined && (typeof s !== 'string' || s === '' || /\s/.test(s))) throw new TypeError(`${where}: a subject must be a non-empty string without spaces, got ${JSON.stringify(s)}`);
    }
    if (options.partitionSubjects !== undefined && new Set(options.partitionSubjects).size !== options.partitionSubjects.length) throw new TypeError(`${where}: partitionSubjects has duplicates`);
    const fetchSize = options.fetchSize ?? 512;
    if (!(Number.isInteger(fetchSize) && fetchSize > 0)) throw new RangeError(`${where}: fetchSize must be a positive integer, got ${fetchSize}`);
    const start = checkStartPosition(options.start ?? 'earliest');
    this.boundedness = options.bounded ? 'bounded' : 'continuous-unbounded';
    this.splits = initialSplits(options.stream, options.filterSubject, options.partitionSubjects, start, options.bounded === true);
  }

  createEnumerator(context: SplitEnumeratorContext<NatsSplit>): SplitEnumerator<NatsSplit, NatsSplit[]> {
    return new StaticSplitEnumerator(context, this.splits);
  }

  restoreEnumerator(context: SplitEnumeratorContext<NatsSplit>, state: NatsSplit[]): SplitEnumerator<NatsSplit, NatsSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, NatsSplit> {
    return new NatsSplitReader<T>({
      servers: this.options.servers,
      deserialize: this.options.deserialize ?? jsonDeserializer,
      fetchSize: this.options.fetchSize ?? 512,
    }, context);
  }
}
