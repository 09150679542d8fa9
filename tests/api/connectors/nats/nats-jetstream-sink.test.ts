// NatsJetStreamSink against a real nats-server: a job reading JetStream, counting per key and
// writing to JetStream holds exactly the plain-loop output after an injected failure (exactly-once:
// de-duplicated commits of checkpointed transactions), at-least-once loses nothing, a commit run
// twice stores its messages once, and a subject no stream captures fails the job naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, NatsJetStreamSink, NatsJetStreamSource, RestartStrategies, StreamExecutionEnvironment, type NatsTxn } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { createStream, failOnce, natsFixture, publishAll, readStream, waitForMessages, type NatsFixture } from './nats-fixture.ts';

const seed = testSeed('nats-jetstream-sink');
const random = new Random(seed);
const PARTITIONS = 3, KEYS = 7, COUNT = 5000;
let f: NatsFixture;
interface Event { id: number; key: number }
interface Count { key: number; count: number }
const events: Event[] = Array.from({ length: COUNT }, (_, id) => ({ id, key: random.int(0, KEYS - 1) }));

test.before(async () => {
  // uvu does not print why a hook failed: say it here.
  try {
    f = await natsFixture();
    await createStream(f, 'events', ['events.>']);
    await publishAll(f, events.map((e) => ({ subject: `events.${e.id % PARTITIONS}`, value: e })));
  } catch (error) {
    console.error('starting the server failed:', error);
    throw error;
  }
});
test.after(async () => { await f?.close(); });

/** Every running count the job emits (plain loop): key k emits 1..n_k. */
function expected(): string[] {
  const n = new Map<number, number>();
  for (const e of events) n.set(e.key, (n.get(e.key) ?? 0) + 1);
  const out: string[] = [];
  for (const [k, c] of n) for (let i = 1; i <= c; i++) out.push(`${k}:${i}`);
  return out.sort();
}
const lines = (xs: Count[]): string[] => xs.map((c) => `${c.key}:${c.count}`).sort();

/** events -> (fails once) -> keyBy -> running count -> the sink; returns how many failures happened. */
async function runJob(out: string, guarantee: 'exactly-once' | 'at-least-once', failAt: number | undefined): Promise<number> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const failing = failOnce<Event>(failAt ?? Infinity);
  const source = new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', partitionSubjects: Array.from({ length: PARTITIONS }, (_, i) => `events.${i}`), bounded: true, fetchSize: 100 });
  env.fromSource(source, undefined, 'nats')
    .map(failing.fn)
    .keyBy((e) => e.key)
    .map((e): Count => ({ key: e.key, count: 1 }))
    .keyBy((c) => c.key)
    .reduce((a, b): Count => ({ key: a.key, count: a.count + b.count }))
    .sinkTo(new NatsJetStreamSink<Count>({ servers: f.server.url, subject: out, guarantee }));
  await drive(clock, env.execute(`nats-${out}`));
  return failing.failures();
}

test('exactly-once: the output stream equals the plain loop after an injected failure', async () => {
  await createStream(f, 'ref', ['ref']);
  assert.is(await runJob('ref', 'exactly-once', undefined), 0);
  await waitForMessages(f, 'ref', COUNT);
  assert.equal(lines(await readStream<Count>(f, 'ref')), expected(), 'the no-failure run');
  await createStream(f, 'eo', ['eo']);
  assert.is(await runJob('eo', 'exactly-once', random.int(500, COUNT - 1500)), 1, 'the failure happened');
  await waitForMessages(f, 'eo', COUNT);
  assert.equal(lines(await readStream<Count>(f, 'eo')), expected());
});

test('at-least-once: nothing is lost after an injected failure', async () => {
  await createStream(f, 'alo', ['alo']);
  assert.is(await runJob('alo', 'at-least-once', random.int(500, COUNT - 1500)), 1, 'the failure happened');
  await waitForMessages(f, 'alo', COUNT);
  const got = new Set(lines(await readStream<Count>(f, 'alo')));
  const missing = expected().filter((x) => !got.has(x));
  assert.equal(missing, []);
});

test('a transaction committed twice is stored once (the message ids)', async () => {
  await createStream(f, 'twice', ['twice']);
  const sink = new NatsJetStreamSink<Count>({ servers: f.server.url, subject: 'twice' });
  const context = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, operatorName: 'sink' };
  const txn = sink.beginTransaction(context);
  for (let i = 1; i <= 50; i++) sink.write(txn, { key: 0, count: i });
  sink.preCommit(txn);
  // The checkpoint holds a copy: recovery commits the copy again.
  const restored: NatsTxn = structuredClone(txn);
  await sink.commit(txn);
  await sink.commit(restored);
  assert.is((await readStream<Count>(f, 'twice')).length, 50);
});

test('a subject no stream captures fails the job naming it', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setParallelism(1).enableCheckpointing(100).setRestartStrategy(RestartStrategies.noRestart());
  // A long input: the job is still writing when the sink learns that no stream captures the subject.
  env.fromSource(new DataGeneratorSource((i) => i, 1e12), undefined, 'numbers').sinkTo(new NatsJetStreamSink<number>({ servers: f.server.url, subject: 'nowhere.at.all' }));
  const error = await drive(clock, env.execute('no-stream')).then(() => undefined, (e: Error) => e);
  assert.ok(error, 'the job failed');
  assert.match(error!.message, /nowhere\.at\.all/);
});

test('bad options are refused naming the option', () => {
  assert.throws(() => new NatsJetStreamSink({ servers: f.server.url, subject: 'a.*' }), /wildcards/);
  assert.throws(() => new NatsJetStreamSink({ servers: f.server.url, subject: 'a', guarantee: 'twice' as never }), /guarantee/);
  assert.throws(() => new NatsJetStreamSink({ servers: f.server.url, subject: 'a', idPrefix: 'a b' }), /idPrefix/);
});

test.run();
