// The data plane between two real processes: this test process receives what a producer process
// (fixtures/producer-process.ts, on the runtime running the tests) sends; kill -9 of the producer
// fails the receiving channel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { env, execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { ActorSystem } from '../../../../actors/index.ts';
import { DataPlane, type RemoteReceiver } from '../../../../actors/network/data/data-plane.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/producer-process.ts', import.meta.url));

/** Starts the producer and resolves with its address once it listens. */
function startProducer(receiver: string, channelId: string, records: number): Promise<{ child: ChildProcess; address: string; exited: Promise<void> }> {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const args = deno ? ['run', '-A', '--unstable-kv', fixture] : ['--import', 'tsx', fixture];
  const child = spawn(execPath, [...args, receiver, channelId, String(records)], { cwd: root, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve({ child, address: ready[1], exited });
    });
    child.once('exit', (code) => reject(new Error(`producer exited early with code ${code}: ${out}`)));
  });
}

/** Polls `receiver` whenever data arrives; `onElement` returns true to stop. */
function consume(receiver: RemoteReceiver, onElement: (e: NonNullable<ReturnType<RemoteReceiver['poll']>>) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopped = false;
    receiver.onFailure = reject;
    receiver.onData = () => queueMicrotask(() => {
      for (let e = receiver.poll(); e && !stopped; e = receiver.poll()) if (onElement(e)) { stopped = true; resolve(); }
    });
  });
}

test('every record a producer process sends arrives once, in order, with its timestamp', async () => {
  const system = ActorSystem.create('main');
  const own = (await system.listen(0)).address;
  const records = 20_000;
  const producer = await startProducer(own, 'p/1/0/0->0', records);
  // The producer's sender opened first and waits for this credit; this side dials (its address sorts first).
  const receiver = DataPlane.of(system).openReceiver('p/1/0/0->0', producer.address, 4, 'producer->main');
  let expected = 0, inOrder = true;
  await consume(receiver, (e) => {
    if (e.kind === 'records') {
      for (let i = 0; i < e.length; i++) { if (e.values[i] !== expected || e.timestamps[i] !== expected + 1) inOrder = false; expected++; }
    }
    return e.kind === 'end-of-input';
  });
  assert.ok(inOrder, 'records in order with their timestamps');
  assert.is(expected, records);
  producer.child.stdin!.end();
  await producer.exited;
  await system.terminate();
});

test('kill -9 of the producer process fails the receiving channel', async () => {
  const system = ActorSystem.create('main');
  const own = (await system.listen(0)).address;
  const producer = await startProducer(own, 'p/2/0/0->0', -1);
  const receiver = DataPlane.of(system).openReceiver('p/2/0/0->0', producer.address, 2, 'producer->main');
  let batches = 0;
  const failed = new Promise<Error>((resolve) => {
    void consume(receiver, (e) => {
      if (e.kind === 'records' && ++batches === 10) producer.child.kill('SIGKILL');
      return false;
    }).catch(resolve);
  });
  const error = await failed;
  assert.match(error.message, /connection to actorflow:\/\/producer@127\.0\.0\.1:\d+ lost/);
  assert.ok(batches >= 10);
  await producer.exited;
  await system.terminate();
});

test.run();
