// NatsJetStreamSink: publishes records to NATS JetStream subjects, as a two-phase-commit sink.
//
// exactly-once (default): a transaction's messages are held in memory and, at the checkpoint
// barrier, become part of the checkpoint (the transaction is the operator state); they are
// published only when the checkpoint completes, each with a message id made of the sink's prefix,
// a run id drawn per subtask attempt, the subtask index, the transaction number (one per
// checkpoint) and the message's place in it. A commit that runs again after a failure (restored
// from the checkpoint) publishes the same messages under the same ids, and JetStream drops the ones
// it already stored. Limits: the stream's duplicate window (JetStream's `duplicate_window`, 2
// minutes by default) must cover the time from the first commit attempt to the last (a job down
// longer than the window may publish a transaction's messages twice); messages become visible
// one checkpoint interval late; a checkpoint holds the messages of one interval.
//
// at-least-once: every record is published at once; at the barrier the messages not yet
// acknowledged by the stream go into the checkpoint and are published again on recovery. After a
// failure, messages published after the last completed checkpoint are published again
// (duplicates, no loss). Imports api/ and the NATS client only.
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { SinkWriterContext } from '../../sinks/sink.ts';
import type { TwoPhaseCommitSink } from '../../sinks/two-phase-commit-sink.ts';
import { NatsConnectionHolder } from './nats-connection-holder.ts';

/** Delivery guarantee of a NatsJetStreamSink. */
export type NatsSinkGuarantee = 'exactly-once' | 'at-least-once';

/** Options of a NatsJetStreamSink. */
export interface NatsJetStreamSinkOptions<T> {
  readonly servers: string | string[];
  /** The subject of every record, or a function choosing it per record. */
  readonly subject: string | ((value: T) => string);
  /** Record to payload (default: JSON). */
  readonly serialize?: (value: T) => Uint8Array | string;
  /** Default 'exactly-once'. */
  readonly guarantee?: NatsSinkGuarantee;
  /** Start of every message id (default 'actorflow'). */
  readonly idPrefix?: string;
  /** Publishes awaited at once at most (default 256). */
  readonly maxInFlight?: number;
}

/** A subject and a payload. */
type Message = [string, Uint8Array];

/** A transaction: its identity and, once pre-committed, the messages it must (still) publish. */
export interface NatsTxn {
  readonly run: string;
  readonly subtask: number;
  readonly attempt: number;
  readonly n: number;
  messages: Message[];
}

/** What an open transaction keeps beside the checkpointed part. */
interface OpenTxn {
  /** Exactly-once: the messages written; at-least-once: those not yet acknowledged, by index. */
  readonly buffer: Message[];
  readonly unacked: Map<number, Message>;
  readonly inFlight: Set<Promise<void>>;
  count: number;
  failure?: Error;
}

const encoder = new TextEncoder();

/** Publishes to NATS JetStream, exactly-once (de-duplicated at commit) or at-least-once. */
export class NatsJetStreamSink<T> implements TwoPhaseCommitSink<T, NatsTxn> {
  readonly guarantee: NatsSinkGuarantee;
  private readonly subjectOf: (value: T) => string;
  private readonly serialize: (value: T) => Uint8Array | string;
  private readonly connection: NatsConnectionHolder;
  private readonly open = new Map<string, OpenTxn>();
  /** Per subtask: the attempt it runs, its run id and the next transaction number. */
  private readonly runs = new Map<number, { attempt: number; run: string; next: number }>();
  private readonly maxInFlight: number;
  /** Set when the static subject turned out to have no stream (checked once, asynchronously). */
  private subjectFailure: Error | undefined;
  private subjectChecked = false;

  constructor(private readonly options: NatsJetStreamSinkOptions<T>) {
    const where = 'NatsJetStreamSink';
    const servers = options.servers;
    if (!(typeof servers === 'string' ? servers !== '' : Array.isArray(servers) && servers.length > 0)) throw new TypeError(`${where}: servers must be a non-empty URL or list of URLs, got ${JSON.stringify(servers)}`);
    const subject = options.subject;
    if (typeof subject === 'string') {
      if (subject === '' || /[\s*>]/.test(subject)) throw new TypeError(`${where}: subject must be a subject without spaces or wildcards, got ${JSON.stringify(subject)}`);
      this.subjectOf = () => subject;
    } else if (typeof subject === 'function') this.subjectOf = subject;
    else throw new TypeError(`${where}: subject must be a string or a function, got ${typeof subject}`);
    this.guarantee = options.guarantee ?? 'exactly-once';
    if (this.guarantee !== 'exactly-once' && this.guarantee !== 'at-least-once') throw new TypeError(`${where}: guarantee must be 'exactly-once' or 'at-least-once', got ${JSON.stringify(this.guarantee)}`);
    this.maxInFlight = options.maxInFlight ?? 256;
    if (!(Number.isInteger(this.maxInFlight) && this.maxInFlight > 0)) throw new RangeError(`${where}: maxInFlight must be a positive integer`);
    if (options.idPrefix !== undefined && !/^[\w-]+$/.test(options.idPrefix)) throw new TypeError(`${where}: idPrefix must be letters, digits, '_' or '-', got ${JSON.stringify(options.idPrefix)}`);
    this.serialize = options.serialize ?? ((v) => JSON.stringify(v));
    this.connection = new NatsConnectionHolder(servers, 'actorflow-sink');
  }

  beginTransaction(context: SinkWriterContext): NatsTxn {
    const subtask = context.subtaskIndex;
    let own = this.runs.get(subtask);
    if (own === undefined || own.attempt !== context.attemptNumber) {
      // A new attempt of this subtask: what the previous one left open is dead or restored.
      this.runs.set(subtask, own = { attempt: context.attemptNumber, run: randomUUID(), next: 0 });
      this.dropSubtask(subtask);
    }
    this.checkSubject();
    const txn: NatsTxn = { run: own.run, subtask, attempt: own.attempt, n: own.next++, messages: [] };
    this.open.set(key(txn), { buffer: [], unacked: new Map(), inFlight: new Set(), count: 0 });
    this.connection.hold(key(txn));
    return txn;
  }

  write(txn: NatsTxn, value: T): void {
    const open = this.open.get(key(txn))!;
    if (open.failure) throw open.failure;
    if (this.subjectFailure) throw this.subjectFailure;
    const payload = this.serialize(value);
    const message: Message = [this.subjectOf(value), typeof payload === 'string' ? encoder.encode(payload) : payload];
    if (this.guarantee === 'exactly-once') { open.buffer.push(message); return; }
    const index = open.count++;
    open.unacked.set(index, message);
    const sent = this.connection.jetstream()
      .then((js) => js.publish(message[0], message[1]))
      .then(() => { open.unacked.delete(index); }, (error: unknown) => { open.failure ??= publishError(message[0], error); })
      .finally(() => { open.inFlight.delete(sent); });
    open.inFlight.add(sent);
  }

  preCommit(txn: NatsTxn): void {
    const open = this.open.get(key(txn));
    if (open === undefined) return;
    if (open.failure) throw open.failure;
    if (this.subjectFailure) throw this.subjectFailure;
    // The checkpoint holds what is still to be published: every message, or the unacknowledged ones.
    txn.messages = this.guarantee === 'exactly-once' ? open.buffer : [...open.unacked.values()];
  }

  async commit(txn: NatsTxn): Promise<void> {
    const open = this.open.get(key(txn));
    await this.connection.using(async (js) => {
      if (open !== undefined && this.guarantee === 'at-least-once') {
        // This attempt published them: wait for the acknowledgements (a failure fails the commit).
        await Promise.all(open.inFlight);
        if (open.failure) throw open.failure;
        return;
      }
      await this.publishAll(js, txn);
    });
    txn.messages = [];
    this.open.delete(key(txn));
    this.connection.release(key(txn));
  }

  abort(txn: NatsTxn): void {
    const k = key(txn);
    this.open.delete(k);
    const own = this.runs.get(txn.subtask);
    // Aborting this attempt's newest transaction: the subtask is closing; it holds nothing more.
    if (own !== undefined && own.run === txn.run && own.next === txn.n + 1) this.dropSubtask(txn.subtask);
    this.connection.release(k);
  }

  /** Publishes a transaction's messages under their ids, `maxInFlight` at a time. */
  private async publishAll(js: JetStreamClient, txn: NatsTxn): Promise<void> {
    const prefix = `${this.options.idPrefix ?? 'actorflow'}-${txn.run}-${txn.subtask}-${txn.n}-`;
    const exactlyOnce = this.guarantee === 'exactly-once';
    const messages = txn.messages;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const i = next++;
        const [subject, payload] = messages[i];
        try {
          await js.publish(subject, payload, exactlyOnce ? { msgID: prefix + i } : undefined);
        } catch (error) {
          throw publishError(subject, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxInFlight, messages.length) }, worker));
  }

  /** A fixed subject is looked up once, so that a job writing where no stream listens fails early. */
  private checkSubject(): void {
    const subject = this.options.subject;
    if (this.subjectChecked || typeof subject !== 'string') return;
    this.subjectChecked = true;
    this.connection.using(async (js) => {
      const jsm = await js.jetstreamManager();
      await jsm.streams.find(subject).catch((error: unknown) => {
        this.subjectFailure = new Error(`NatsJetStreamSink: no JetStream stream captures subject '${subject}' (${(error as Error).message})`, { cause: error });
      });
    }).catch(() => { /* a connection failure surfaces at publishing */ });
  }

  private dropSubtask(subtask: number): void {
    for (const k of [...this.open.keys()]) if (k.startsWith(`${subtask}/`)) this.open.delete(k);
    this.connection.release('', `${subtask}/`);
  }
}

function key(txn: NatsTxn): string { return `${txn.subtask}/${txn.run}/${txn.n}`; }

function publishError(subject: string, error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  let causes = '';
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) causes += ` ${e.message}`;
  const hint = /no responders|not enabled|503/i.test(causes) ? ` (no JetStream stream captures subject '${subject}')` : '';
  return new Error(`NatsJetStreamSink: publishing to '${subject}' failed: ${message}${hint}`, { cause: error });
}
