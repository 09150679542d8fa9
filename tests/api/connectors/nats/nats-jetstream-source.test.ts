// NatsJetStreamSource against a real nats-server: a bounded read returns exactly the stream's
// messages (one split per partition subject, or one split), each start position starts where it
// says, event time is the message timestamp, a job restored after an injected failure emits every
// message exactly once, and bad options or a missing stream fail naming what is wrong.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NatsJetStreamSource, RestartStrategies, StreamExecutionEnvironment } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { createStream, failOnce, natsFixture, publishAll, type NatsFixture } from './nats-fixture.ts';

const seed = testSeed('nats-jetstream-source');
const random = new Random(seed);
const PARTITIONS = 4;
const COUNT = 6000;
let f: NatsFixture;
let seqs: number[] = [];
interface Event { id: number; key: number }
const events: Event[] = Array.from({ length: COUNT }, (_, id) => ({ id, key: random.int(0, 9) }));

test.before(async () => {
  // uvu does not print why a hook failed: say it here.
  try {
    f = await natsFixture();
    await createStream(f, 'events', ['events.>']);
    seqs = await publishAll(f, events.map((e) => ({ subject: `events.${e.id % PARTITIONS}`, value: e })));
  } catch (error) {
    console.error('starting the server failed:', error);
    throw error;
  }
});
test.after(async () => { await f?.close(); });

function env(parallelism: number): { env: StreamExecutionEnvironment; clock: ManualClock } {
  const clock = new ManualClock();
  const e = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  e.setParallelism(parallelism);
  return { env: e, clock };
}

const ids = (xs: Event[]): number[] => xs.map((e) => e.id).sort((a, b) => a - b);

test('bounded: one split per partition subject reads every message once', async () => {
  const { env: e, clock } = env(2);
  const source = new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', partitionSubjects: Array.from({ length: PARTITIONS }, (_, i) => `events.${i}`), bounded: true });
  const got = await drive(clock, e.fromSource(source, undefined, 'nats').executeAndCollect());
  assert.equal(ids(got), events.map((x) => x.id));
});

test('bounded: a filter subject, one split, the messages of that subject in order', async () => {
  const { env: e, clock } = env(1);
  const source = new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', filterSubject: 'events.2', bounded: true, fetchSize: 100 });
  const got = await drive(clock, e.fromSource(source, undefined, 'nats').executeAndCollect());
  assert.equal(got.map((x) => x.id), events.filter((x) => x.id % PARTITIONS === 2).map((x) => x.id));
});

test('start positions: a sequence, the latest, a time', async () => {
  const from = seqs[random.int(0, COUNT - 1)];
  let r = env(1);
  const bySeq = await drive(r.clock, r.env.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', start: { sequence: from }, bounded: true }), undefined, 'nats').executeAndCollect());
  assert.equal(bySeq.map((x) => x.id), events.filter((_, i) => seqs[i] >= from).map((x) => x.id));
  r = env(1);
  const latest = await drive(r.clock, r.env.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', start: 'latest', bounded: true }), undefined, 'nats').executeAndCollect());
  assert.equal(latest, [], 'latest in bounded mode: nothing after the end');
  const future = Date.now() + 60_000;
  r = env(1);
  const byTime = await drive(r.clock, r.env.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', start: { time: future }, bounded: true }), undefined, 'nats').executeAndCollect());
  assert.equal(byTime, [], 'nothing was stored after a time in the future');
  r = env(1);
  const byPast = await drive(r.clock, r.env.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', start: { time: 0 }, bounded: true }), undefined, 'nats').executeAndCollect());
  assert.is(byPast.length, COUNT);
});

test('event time is the message timestamp', async () => {
  const before = Date.now();
  await createStream(f, 'stamped', ['stamped']);
  await publishAll(f, [{ subject: 'stamped', value: { id: 1, key: 0 } }]);
  const after = Date.now();
  const r = env(1);
  const stamps = await drive(r.clock, r.env.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'stamped', bounded: true }), undefined, 'nats')
    .process({ processElement: (_v: Event, ctx: { timestamp(): number | undefined }, out: { collect(x: number): void }) => out.collect(ctx.timestamp() ?? -1) } as never)
    .executeAndCollect()) as number[];
  assert.is(stamps.length, 1);
  assert.ok(stamps[0] >= before - 1000 && stamps[0] <= after + 1000, `timestamp ${stamps[0]} within [${before}, ${after}]`);
});

test('exactly once across an injected failure (checkpointed sequences)', async () => {
  const { env: e, clock } = env(2);
  e.enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const failing = failOnce<Event>(random.int(500, COUNT - 1000));
  const source = new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'events', partitionSubjects: Array.from({ length: PARTITIONS }, (_, i) => `events.${i}`), bounded: true, fetchSize: 64 });
  const got = await drive(clock, e.fromSource(source, undefined, 'nats').map(failing.fn).executeAndCollect());
  assert.is(failing.failures(), 1, 'the failure happened');
  assert.equal(ids(got), events.map((x) => x.id));
});

test('unbounded: messages published after the reader went idle arrive', async () => {
  await createStream(f, 'live', ['live']);
  // Every fetch of a consumer is a pull request on this subject: count them.
  let pulls = 0;
  const sub = f.nc.subscribe('$JS.API.CONSUMER.MSG.NEXT.live.>', { callback: () => { pulls++; } });
  const seen: number[] = [];
  const { env: e, clock } = env(1);
  e.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'live' }), undefined, 'nats').addSink((x: Event) => { seen.push(x.id); });
  const client = await e.executeAsync('live');
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      clock.advance(10);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    // The first fetch found the stream empty and expired; the reader must fetch again by itself.
    await until('a second pull request', () => pulls >= 2);
    await publishAll(f, Array.from({ length: 20 }, (_, id) => ({ subject: 'live', value: { id, key: 0 } })));
    await until('20 records', () => seen.length >= 20);
    assert.equal(seen, Array.from({ length: 20 }, (_, i) => i));
  } finally {
    sub.unsubscribe();
    await client.cancel();
    await client.getJobExecutionResult().catch(() => {});
  }
});

test('bad options are refused naming the option', () => {
  assert.throws(() => new NatsJetStreamSource({ servers: '', stream: 'events' }), /servers/);
  assert.throws(() => new NatsJetStreamSource({ servers: f.server.url, stream: 'a.b' }), /stream must be a stream name/);
  assert.throws(() => new NatsJetStreamSource({ servers: f.server.url, stream: 'events', start: { sequence: 0 } }), /start position/);
  assert.throws(() => new NatsJetStreamSource({ servers: f.server.url, stream: 'events', filterSubject: 'x', partitionSubjects: ['y'] }), /not both/);
});

test('a missing stream fails the job naming it', async () => {
  const { env: e, clock } = env(1);
  e.setRestartStrategy(RestartStrategies.noRestart());
  const run = e.fromSource(new NatsJetStreamSource<Event>({ servers: f.server.url, stream: 'nosuchstream', bounded: true }), undefined, 'nats').executeAndCollect();
  const error = await drive(clock, run).then(() => undefined, (err: Error) => err);
  assert.ok(error, 'the job failed');
  assert.match(String(error?.message) + String((error as { cause?: Error })?.cause?.message ?? ''), /nosuchstream/);
});

test.run();
