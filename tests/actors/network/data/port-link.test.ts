// Data-plane channels over a MessagePort (worker threads): batches arrive in order as transferred
// buffers, credit flows back, a closed port fails the channels of that peer, a malformed message
// closes the port. One test runs the sender in a real worker thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel } from 'node:worker_threads';
import { ActorSystem } from '../../../../actors/index.ts';
import { DataPlane } from '../../../../actors/network/data/data-plane.ts';
import { spawnWorker } from '../../../../actors/network/spawn-worker.ts';
import type { ChannelElement, RecordBatch } from '../../../../api/stream-elements.ts';

const A = 'actorflow://tm-a@thread-1', B = 'actorflow://tm-b@thread-2';

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

function linked(): { a: ActorSystem; b: ActorSystem; channel: MessageChannel } {
  const a = ActorSystem.create('tm-a'), b = ActorSystem.create('tm-b');
  const channel = new MessageChannel();
  DataPlane.of(a).attachPort(B, channel.port1);
  DataPlane.of(b).attachPort(A, channel.port2);
  return { a, b, channel };
}

const batch = (from: number, n: number): RecordBatch => ({
  kind: 'records', values: Array.from({ length: n }, (_, i) => ({ n: from + i })), timestamps: Array.from({ length: n }, (_, i) => from + i), length: n,
});

test('batches and events cross a MessagePort in order, within the granted credits', async () => {
  const { a, b, channel } = linked();
  const sender = DataPlane.of(a).openSender('j/1/0/0->0', B, 'a->b');
  const receiver = DataPlane.of(b).openReceiver('j/1/0/0->0', A, 3, 'a->b');
  const total = 200;
  let sent = 0;
  const got: ChannelElement[] = [];
  const pump = (): void => {
    while (sender.hasCredit() && sent <= total) sender.push(sent < total ? batch(sent++ * 10, 10) : (sent++, { kind: 'end-of-input' }));
  };
  sender.onCredit = pump;
  const done = new Promise<void>((resolve) => {
    receiver.onData = () => queueMicrotask(() => {
      for (let e = receiver.poll(); e; e = receiver.poll()) { got.push(e); if (e.kind === 'end-of-input') resolve(); }
    });
  });
  pump();
  await done;
  const values = got.flatMap((e) => (e.kind === 'records' ? e.values.slice(0, e.length).map((v) => (v as { n: number }).n) : []));
  assert.equal(values, Array.from({ length: total * 10 }, (_, i) => i));
  assert.ok((receiver as unknown as { highWaterMark: number }).highWaterMark <= 3);
  channel.port1.close();
  await a.terminate(); await b.terminate();
});

test('a closed port fails the channels of that peer; a malformed message closes the port', async () => {
  const { a, b, channel } = linked();
  const sender = DataPlane.of(a).openSender('j/1/0/0->0', B, 'a->b');
  const receiver = DataPlane.of(b).openReceiver('j/1/0/0->0', A, 2, 'a->b');
  await waitFor(() => sender.hasCredit(), 'credit');
  const failed = new Promise<Error>((resolve) => { receiver.onFailure = resolve; });
  const senderFailed = new Promise<Error>((resolve) => { sender.onFailure = resolve; });
  channel.port1.close();
  assert.match((await failed).message, /message port closed/);
  assert.match((await senderFailed).message, /message port closed/);
  assert.not.ok(sender.hasCredit());

  const other = new MessageChannel();
  const r2 = DataPlane.of(b).openReceiver('j/2/0/0->0', 'actorflow://tm-c@thread-3', 2, 'c->b');
  DataPlane.of(b).attachPort('actorflow://tm-c@thread-3', other.port2);
  const closed = new Promise<Error>((resolve) => { r2.onFailure = resolve; });
  other.port1.postMessage('not a frame');
  assert.match((await closed).message, /malformed data frame on message port/);
  await a.terminate(); await b.terminate();
});

test('a worker thread sends batches over a transferred MessagePort', async () => {
  const system = ActorSystem.create('tm-main');
  const channel = new MessageChannel();
  const worker = spawnWorker(new URL('./fixtures/port-sender.ts', import.meta.url), { receiver: 'actorflow://tm-main@parent', records: 5000 });
  const attached = new Promise((resolve) => worker.once('message', resolve));
  worker.postMessage({ port: channel.port2 }, [channel.port2]);
  const plane = DataPlane.of(system);
  plane.attachPort('actorflow://tm-worker@worker', channel.port1);
  // Deno may lose a message posted to a port while that port is in transit: wait until it arrived.
  await attached;
  const receiver = plane.openReceiver('w/1/0/0->0', 'actorflow://tm-worker@worker', 4, 'worker->main');
  let sum = 0, count = 0;
  await new Promise<void>((resolve, reject) => {
    receiver.onFailure = reject;
    worker.once('error', reject);
    receiver.onData = () => queueMicrotask(() => {
      for (let e = receiver.poll(); e; e = receiver.poll()) {
        if (e.kind === 'records') { for (let i = 0; i < e.length; i++) sum += e.values[i] as number; count += e.length; }
        if (e.kind === 'end-of-input') resolve();
      }
    });
  });
  assert.is(count, 5000);
  assert.is(sum, (4999 * 5000) / 2);
  await worker.terminate();
  channel.port1.close();
  await system.terminate();
});

test.run();
