// Test fixture for the NATS connector tests: a real nats-server, streams created and filled through
// the plain client, a stream read back in full, and the failure-injecting map the exactly-once
// tests put between source and sink.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';
import { startNatsServer, type NatsServer } from '../../../support/nats-server.ts';

/** A server with a client connection. */
export interface NatsFixture { server: NatsServer; nc: NatsConnection; jsm: JetStreamManager; close(): Promise<void> }

/** Starts a server and connects to it. */
export async function natsFixture(): Promise<NatsFixture> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  return { server, nc, jsm, async close() { await nc.close(); await server.stop(); } };
}

/** Creates stream `name` over `subjects`. */
export async function createStream(f: NatsFixture, name: string, subjects: string[]): Promise<void> {
  await f.jsm.streams.add({ name, subjects });
}

/** Publishes `values` as JSON to the subject each one names; returns their stream sequences. */
export async function publishAll(f: NatsFixture, values: Array<{ subject: string; value: unknown }>): Promise<number[]> {
  const js = jetstream(f.nc);
  const seqs: number[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const acks = await Promise.all(values.slice(i, i + 500).map((v) => js.publish(v.subject, JSON.stringify(v.value))));
    seqs.push(...acks.map((a) => a.seq));
  }
  return seqs;
}

/** Every message of `stream` parsed as JSON, in stream order. */
export async function readStream<T>(f: NatsFixture, stream: string): Promise<T[]> {
  const total = (await f.jsm.streams.info(stream)).state.messages;
  const out: T[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(f.nc).consumers.get(stream);
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - out.length), expires: 2000 });
    for await (const m of batch) out.push(m.json<T>());
  }
  return out;
}

/**
 * Resolves once `stream` holds at least `count` messages, or after `timeoutMs` (the caller then
 * compares what is there). A finished job's last transaction may still be committing when the job's
 * result arrives: the final checkpoint's notification can reach the sink after the job finished.
 */
export async function waitForMessages(f: NatsFixture, stream: string, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await f.jsm.streams.info(stream)).state.messages < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when the running job completed a checkpoint after the one it restored. */
export function checkpointedSinceRestore(): boolean {
  const ck = embeddedExecutor.lastJobMaster?.checkpointing;
  return (ck?.latestCompletedId ?? 0) - (ck?.restoredCheckpointId ?? 0) >= 1;
}

/** A map function that throws once, at the first record from `at` on after a checkpoint completed. */
export function failOnce<T>(at: number): { fn: (value: T) => T; failures: () => number } {
  const shared = { seen: 0, failures: 0, armed: true };
  return {
    fn: (value: T) => {
      shared.seen++;
      if (shared.armed && shared.seen >= at && checkpointedSinceRestore()) {
        shared.armed = false;
        shared.failures++;
        throw new Error(`injected failure at record ${shared.seen}`);
      }
      return value;
    },
    failures: () => shared.failures,
  };
}
