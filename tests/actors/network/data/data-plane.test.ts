// DataPlane between two actor systems in this process over loopback TCP: a RecordWriter's
// batches and events arrive complete and in order (checked against the same writes through
// LocalChannels), credits bound the receiver's queue, backpressure stops and resumes the
// sender, credit may arrive before its sender opens, closeChannels forgets an attempt's
// channels, a lost peer fails every channel to it, and a garbage data frame closes only its
// own connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor } from '../../../../actors/index.ts';
import { encode } from '../../../../actors/network/codec.ts';
import { connect } from '../../../../actors/network/connection.ts';
import { DataPlane, type RemoteReceiver, type RemoteSender } from '../../../../actors/network/data/data-plane.ts';
import { CREDIT, channelHeader, elementFrame, frameCredits, frameKind } from '../../../../actors/network/data/data-frame.ts';
import type { DataPort } from '../../../../actors/network/data/port-link.ts';
import { DEVELOPMENT_SECRET } from '../../../../actors/remote/remote-transport.ts';
import { LocalChannel, type ChannelSender } from '../../../../actors/runtime/local-channel.ts';
import { InputGate } from '../../../../actors/runtime/input-gate.ts';
import { RecordWriter } from '../../../../actors/runtime/record-writer.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { NO_TIMESTAMP, type ChannelElement, type RecordBatch } from '../../../../api/stream-elements.ts';
import { Random, testSeed } from '../../../support/random.ts';

/** Resolves once `condition` holds; fails after `ms` of real time (awaiting I/O, not sleeping). */
async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/** Two listening systems; neither has dialed the other yet. */
async function pair(): Promise<{ a: ActorSystem; b: ActorSystem; addrA: string; addrB: string; close(): Promise<void> }> {
  const a = ActorSystem.create('tm-a');
  const b = ActorSystem.create('tm-b');
  const addrA = (await a.listen(0)).address;
  const addrB = (await b.listen(0)).address;
  return { a, b, addrA, addrB, close: async () => { await a.terminate(); await b.terminate(); } };
}

/** Comparable form of an element: a batch's valid records with their timestamps. */
function plain(e: ChannelElement): unknown {
  if (e.kind !== 'records') return e;
  const b = e as RecordBatch;
  return { kind: 'records', values: b.values.slice(0, b.length), timestamps: b.timestamps.slice(0, b.length) };
}

type Op = { emit: { k: number; v: string; n: number }; ts: number } | { event: ChannelElement } | { flush: true };

function randomOps(rng: Random, count: number): Op[] {
  const ops: Op[] = [];
  let wm = 0;
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    if (r < 0.95) ops.push({ emit: { k: rng.int(0, 50), v: 'x'.repeat(rng.int(0, 20)), n: i }, ts: rng.chance(0.2) ? NO_TIMESTAMP : rng.int(0, 1e9) });
    else if (r < 0.97) ops.push({ event: { kind: 'watermark', timestamp: (wm += rng.int(1, 100)) } });
    else if (r < 0.98) ops.push({ event: { kind: 'barrier', checkpointId: i, timestamp: i * 7 } });
    else if (r < 0.985) ops.push({ event: { kind: 'watermark-status', idle: rng.chance(0.5) } });
    else ops.push({ flush: true });
  }
  ops.push({ event: { kind: 'watermark', timestamp: Infinity } }, { event: { kind: 'end-of-input' } });
  return ops;
}

const batch = (values: number[]): RecordBatch => ({ kind: 'records', values, timestamps: values.map(() => NO_TIMESTAMP), length: values.length });

const selector = (channels: number) => ({ broadcast: false, select: (v: unknown) => (v as { k: number }).k % channels });

/** What each channel must carry: the same writes through LocalChannels that never run out of credit. */
function expectedPerChannel(ops: Op[], channels: number, batchSize: number): unknown[][] {
  const locals = Array.from({ length: channels }, () => new LocalChannel(1_000_000));
  const writer = new RecordWriter(locals, selector(channels), batchSize, { onBlocked() {}, onWritable() {} });
  for (const op of ops) apply(writer, op);
  return locals.map((ch) => { const out: unknown[] = []; for (let e = ch.poll(); e; e = ch.poll()) out.push(plain(e)); return out; });
}

function apply(writer: RecordWriter, op: Op): void {
  if ('emit' in op) writer.emit(op.emit, op.ts);
  else if ('event' in op) writer.broadcastEvent(op.event);
  else writer.flush();
}

/** Drives `ops` through a RecordWriter on `senders`, pausing while it is backpressured. */
function drive(ops: Op[], senders: ChannelSender[], batchSize: number): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    const writer: RecordWriter = new RecordWriter(senders, selector(senders.length), batchSize, {
      onBlocked() {},
      onWritable() { setImmediate(pump); },
    });
    const pump = (): void => {
      while (next < ops.length && !writer.isBackpressured()) apply(writer, ops[next++]);
      if (next === ops.length && !writer.isBackpressured()) resolve();
    };
    pump();
  });
}

/** Polls the receivers like an InputGate, a few elements per turn, until each saw end-of-input. */
function consume(receivers: RemoteReceiver[], rng: Random): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const got: unknown[][] = receivers.map(() => []);
    const ended = receivers.map(() => false);
    let scheduled = false;
    const turn = (): void => {
      scheduled = false;
      const budget = rng.int(1, 4);
      for (let c = 0; c < receivers.length; c++) {
        for (let i = 0; i < budget; i++) {
          const e = receivers[c].poll();
          if (!e) break;
          got[c].push(plain(e));
          if (e.kind === 'end-of-input') ended[c] = true;
        }
      }
      if (ended.every(Boolean)) { resolve(got); return; }
      if (receivers.some((r) => r.size > 0)) schedule();
    };
    const schedule = (): void => { if (!scheduled) { scheduled = true; setImmediate(turn); } };
    receivers.forEach((r) => {
      r.onData = schedule;
      r.onFailure = reject;
    });
    schedule();
  });
}

test('a writer\'s random batches and events arrive complete and in order; credits bound every queue', async () => {
  const rng = new Random(testSeed('data-plane-exchange'));
  const { a, b, addrA, addrB, close } = await pair();
  const channels = rng.int(1, 4), batchSize = rng.int(1, 50), credits = rng.int(1, 4);
  const ops = randomOps(rng, rng.int(2000, 8000));
  const expected = expectedPerChannel(ops, channels, batchSize);
  const planeA = DataPlane.of(a), planeB = DataPlane.of(b);
  const ids = Array.from({ length: channels }, (_, c) => `job/1/0/0->${c}`);
  // Deployment order is not guaranteed: half the time the senders open first.
  let senders: RemoteSender[] = [], receivers: RemoteReceiver[] = [];
  const openSenders = () => { senders = ids.map((id) => planeA.openSender(id, addrB, id)); };
  const openReceivers = () => { receivers = ids.map((id) => planeB.openReceiver(id, addrA, credits, id)); };
  if (rng.chance(0.5)) { openSenders(); openReceivers(); } else { openReceivers(); openSenders(); }
  let done = false;
  senders.forEach((s) => { s.onFailure = (e) => { if (!done) assert.unreachable(e.message); }; });
  const received = consume(receivers, rng);
  await drive(ops, senders, batchSize);
  const got = await received;
  done = true;
  for (let c = 0; c < channels; c++) {
    assert.equal(got[c], expected[c], `channel ${c}`);
    assert.ok((receivers[c] as unknown as { highWaterMark: number }).highWaterMark <= credits, `channel ${c} queued more than its credits`);
  }
  assert.is(a.remoteTransport().connections, 1, 'one connection carries every channel');
  await close();
});

/** A DataPort that records what the plane posts and lets the test deliver frames to it. */
function recordingPort(): DataPort & { posted: Uint8Array[]; deliver(frame: Uint8Array): void } {
  const listeners: Array<(value: unknown) => void> = [];
  return {
    posted: [],
    postMessage(value: unknown) { this.posted.push(value as Uint8Array); },
    on(event: string, listener: (value: unknown) => void) { if (event === 'message') listeners.push(listener); return this; },
    close() {},
    deliver(frame: Uint8Array) { for (const l of listeners) l(frame); },
  } as DataPort & { posted: Uint8Array[]; deliver(frame: Uint8Array): void };
}

test('half the buffer\'s credit is announced inside the poll that frees it, not at the end of the task', async () => {
  const system = ActorSystem.create('tm-b');
  const port = recordingPort();
  const plane = DataPlane.of(system);
  plane.attachPort('actorflow://tm-a@thread-1', port);
  const receiver = plane.openReceiver('j/1/0/0->0', 'actorflow://tm-a@thread-1', 4, 'a->b');
  await Promise.resolve(); // the initial grant goes out at the end of the task
  const credits = () => port.posted.filter((f) => frameKind(f) === CREDIT).map(frameCredits);
  assert.equal(credits(), [4]);
  const header = channelHeader('j/1/0/0->0');
  for (let i = 0; i < 4; i++) port.deliver(elementFrame(header, batch([i])));
  assert.is(receiver.size, 4);
  receiver.poll();
  assert.equal(credits(), [4], 'one credit of four due: not worth a frame yet');
  receiver.poll();
  assert.equal(credits(), [4, 2], 'two of four due: sent before the poll returned');
  receiver.poll();
  receiver.poll();
  assert.equal(credits(), [4, 2, 2]);
  port.deliver(elementFrame(header, batch([9])));
  receiver.poll();
  assert.equal(credits(), [4, 2, 2], 'the queue ran empty with one credit due: left to the end of the task');
  await Promise.resolve();
  assert.equal(credits(), [4, 2, 2, 1]);
  await system.terminate();
});

test('backpressure: the sender stops at zero credit and resumes when the receiver polls', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  const receiver = DataPlane.of(b).openReceiver('j/1/0/0->0', addrA, 2, 'bp');
  const sender = DataPlane.of(a).openSender('j/1/0/0->0', addrB, 'bp');
  assert.not.ok(sender.hasCredit(), 'no credit before the receiver announced it');
  let credited = 0;
  sender.onCredit = () => { credited++; };
  await waitFor(() => sender.hasCredit(), 'the initial credit');
  sender.push({ kind: 'watermark', timestamp: 1 });
  sender.push({ kind: 'watermark', timestamp: 2 });
  assert.not.ok(sender.hasCredit());
  assert.throws(() => sender.push({ kind: 'watermark', timestamp: 3 }), /bp overflow/);
  let data = 0;
  receiver.onData = () => { data++; };
  await waitFor(() => receiver.size === 2, 'two elements');
  assert.is(data, 1, 'onData fires when the queue becomes non-empty');
  const before = credited;
  assert.equal(receiver.poll(), { kind: 'watermark', timestamp: 1 });
  await waitFor(() => sender.hasCredit(), 'the returned credit');
  assert.is(credited, before + 1);
  sender.push({ kind: 'end-of-input' });
  await waitFor(() => receiver.size === 2, 'the element sent on returned credit');
  assert.equal([receiver.poll(), receiver.poll(), receiver.poll()], [{ kind: 'watermark', timestamp: 2 }, { kind: 'end-of-input' }, undefined]);
  await close();
});

test('credit that arrives before its sender opened is applied when it opens', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  // An actor on A answers pings: a reply that came back means every frame sent before it arrived.
  a.spawn(defineActor<null, { type: 'ping' }>({ init: () => null, receive: (_s, _m, ctx) => { ctx.reply('pong'); } }), 'ping');
  DataPlane.of(a); // the plane of A exists; its sender does not
  await b.connect('127.0.0.1', Number(/:(\d+)$/.exec(addrA)![1]));
  DataPlane.of(b).openReceiver('j/2/0/0->0', addrA, 5, 'early');
  assert.is(await b.resolve(`${addrA}/user/ping`).ask({ type: 'ping' }), 'pong');
  const sender = DataPlane.of(a).openSender('j/2/0/0->0', addrB, 'early');
  assert.ok(sender.hasCredit());
  assert.is((sender as unknown as { credits: number }).credits, 5);
  await close();
});

test('credit that arrives before the sending system even has a data plane is replayed when it opens one', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  a.spawn(defineActor<null, { type: 'ping' }>({ init: () => null, receive: (_s, _m, ctx) => { ctx.reply('pong'); } }), 'ping');
  await b.connect('127.0.0.1', Number(/:(\d+)$/.exec(addrA)![1]));
  DataPlane.of(b).openReceiver('j/3/0/0->0', addrA, 3, 'very early');
  assert.is(await b.resolve(`${addrA}/user/ping`).ask({ type: 'ping' }), 'pong');
  const sender = DataPlane.of(a).openSender('j/3/0/0->0', addrB, 'very early');
  assert.is((sender as unknown as { credits: number }).credits, 3);
  await close();
});

test('an InputGate polls remote receivers like local channels: batches, the watermark valve, end of input', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  const ids = ['g/1/0/0->0', 'g/1/0/1->0'];
  const receivers = ids.map((id) => DataPlane.of(b).openReceiver(id, addrA, 2, id));
  const senders = ids.map((id) => DataPlane.of(a).openSender(id, addrB, id));
  const watermarks: number[] = [];
  let ended!: () => void;
  const end = new Promise<void>((resolve) => { ended = resolve; });
  const values: number[] = [];
  let wake = (): void => {};
  const gate = new InputGate(receivers.map((channel) => ({ channel, input: 1 as const })), {
    onWatermark: (t) => watermarks.push(t), onWatermarkStatus() {}, onEndOfInput: () => ended(),
  }, () => wake());
  let scheduled = false;
  wake = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (let batch = gate.pollBatch(); batch; batch = gate.pollBatch()) values.push(...(batch.values.slice(0, batch.length) as number[]));
    });
  };
  const script: ChannelElement[][] = [
    [batch([1, 2]), { kind: 'watermark', timestamp: 10 }, batch([3]), { kind: 'watermark', timestamp: 30 }, { kind: 'end-of-input' }],
    [batch([4]), { kind: 'watermark', timestamp: 20 }, { kind: 'end-of-input' }],
  ];
  senders.forEach((sender, c) => {
    const pump = (): void => { while (sender.hasCredit() && script[c].length > 0) sender.push(script[c].shift()!); };
    sender.onCredit = pump;
  });
  await end;
  assert.equal(values.sort(), [1, 2, 3, 4]);
  // The combined watermark is the minimum over the channels that have not ended: it only advances.
  assert.ok(watermarks.every((w, i) => [10, 20, 30, Infinity].includes(w) && (i === 0 || w > watermarks[i - 1])), `watermarks ${watermarks}`);
  assert.is(watermarks[watermarks.length - 1], Infinity, 'ended channels release the watermark');
  assert.ok(gate.isFinished());
  await close();
});

test('closeChannels closes and forgets one attempt\'s channels; frames still in flight are dropped', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  const pa = DataPlane.of(a), pb = DataPlane.of(b);
  const old = pb.openReceiver('job/1/0/0->0', addrA, 4, 'old');
  const oldSender = pa.openSender('job/1/0/0->0', addrB, 'old');
  const kept = pb.openReceiver('job/2/0/0->0', addrA, 4, 'kept');
  const keptSender = pa.openSender('job/2/0/0->0', addrB, 'kept');
  await waitFor(() => oldSender.hasCredit() && keptSender.hasCredit(), 'credits');
  pb.closeChannels('job/1/');
  assert.equal(pb.openChannels, { receivers: 1, senders: 0 });
  oldSender.push({ kind: 'watermark', timestamp: 1 });
  keptSender.push({ kind: 'watermark', timestamp: 2 });
  await waitFor(() => kept.size === 1, 'the kept channel');
  assert.is(old.size, 0);
  assert.is(pb.droppedFrames, 1);
  pa.closeChannels('job/1/');
  assert.not.ok(oldSender.hasCredit());
  assert.throws(() => oldSender.push({ kind: 'end-of-input' }), /closed/);
  assert.equal(pa.openChannels, { receivers: 0, senders: 1 });
  await close();
});

test('losing the peer fails every channel to and from it', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  const c = ActorSystem.create('tm-c');
  const addrC = (await c.listen(0)).address;
  const pa = DataPlane.of(a);
  const toB = pa.openSender('j/1/0/0->0', addrB, 'a->b');
  const fromB = pa.openReceiver('j/1/1/0->0', addrB, 2, 'b->a');
  const toC = pa.openSender('j/1/0/0->1', addrC, 'a->c');
  DataPlane.of(b).openReceiver('j/1/0/0->0', addrA, 2, 'a->b');
  DataPlane.of(b).openSender('j/1/1/0->0', addrA, 'b->a');
  DataPlane.of(c).openReceiver('j/1/0/0->1', addrA, 2, 'a->c');
  await waitFor(() => toB.hasCredit() && toC.hasCredit(), 'credits');
  const failures: string[] = [];
  toB.onFailure = (e) => failures.push(`a->b ${e.message}`);
  fromB.onFailure = (e) => failures.push(`b->a ${e.message}`);
  toC.onFailure = (e) => failures.push(`a->c ${e.message}`);
  await b.terminate();
  await waitFor(() => failures.length === 2, 'both failures');
  assert.match(failures.sort().join('\n'), /^a->b connection to actorflow:\/\/tm-b@127\.0\.0\.1:\d+ lost.*\nb->a connection to actorflow:\/\/tm-b@/);
  assert.not.ok(toB.hasCredit());
  assert.ok(toC.hasCredit(), 'the channel to another peer is unaffected');
  toC.push({ kind: 'end-of-input' });
  await c.terminate();
  await close();
});

test('a channel whose peer never connects fails after the connect timeout; a failed dial fails at once', async () => {
  const clock = new ManualClock();
  const a = ActorSystem.create('tm-a', { clock });
  await a.listen(0);
  const plane = DataPlane.of(a);
  plane.connectTimeoutMs = 50;
  // An address that sorts before ours, so this side waits to be dialed, and nobody dials.
  const receiver = plane.openReceiver('j/1/0/0->0', 'actorflow://aa@127.0.0.1:9', 2, 'lonely');
  const failed = new Promise<Error>((resolve) => { receiver.onFailure = resolve; });
  clock.advance(49);
  assert.equal(plane.openChannels, { receivers: 1, senders: 0 });
  clock.advance(1);
  assert.match((await failed).message, /no connection to actorflow:\/\/aa@127\.0\.0\.1:9 within 50 ms/);
  assert.equal(plane.openChannels, { receivers: 0, senders: 0 });
  // This side sorts first, so it dials; nothing listens there.
  const sender = plane.openSender('j/1/0/0->1', 'actorflow://zz@127.0.0.1:9', 'refused');
  const refused = await new Promise<Error>((resolve) => { sender.onFailure = resolve; });
  assert.match(refused.message, /cannot connect to actorflow:\/\/zz@127\.0\.0\.1:9/);
  await a.terminate();
});

test('a garbage data frame closes only the connection that sent it', async () => {
  const { a, b, addrA, addrB, close } = await pair();
  const port = Number(/:(\d+)$/.exec(addrB)![1]);
  const receiver = DataPlane.of(b).openReceiver('j/1/0/0->0', addrA, 2, 'good');
  const sender = DataPlane.of(a).openSender('j/1/0/0->0', addrB, 'good');
  await waitFor(() => sender.hasCredit(), 'credit');
  const hello = encode([[0, 'raw@127.0.0.1:1']]);
  const header = channelHeader('j/9/0/0->0');
  const garbage = [
    new Uint8Array([0xc1, 0xff, 0x00, 0x00]), // unknown kind
    new Uint8Array([0xc1, 0x01, 0x00, 0x40, 0x41]), // channel id past the end
    elementFrame(header, { kind: 'watermark', timestamp: 1 }).map((x, i) => (i === header.length ? 0xc1 : x)), // bad msgpack
    (() => { const f = elementFrame(header, { kind: 'watermark', timestamp: 1 }); f.set(encode({ kind: 'nonsense' }), header.length); return f.slice(0, header.length + encode({ kind: 'nonsense' }).length); })(),
  ];
  for (const [before, frame] of [[true, garbage[0]], ...garbage.map((g) => [false, g] as const)] as const) {
    const closed = new Promise<void>((resolve) => {
      void connect('127.0.0.1', port, { secret: DEVELOPMENT_SECRET }, {
        onFrame: (_f, c) => { if (!before) c.send(hello); c.send(frame); }, // after the acceptor's hello
        onClose: () => resolve(),
      });
    });
    await closed;
  }
  sender.push({ kind: 'end-of-input' });
  await waitFor(() => receiver.size === 1, 'data on the good connection');
  assert.equal(receiver.poll(), { kind: 'end-of-input' });
  await close();
});

test.run();
