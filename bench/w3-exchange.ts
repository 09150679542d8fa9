// W3 — exchange across processes and threads: the 1M W1 records through a keyBy-like exchange
// (RecordWriter, 2 channels, batches of 1000, 8 credits each) from one actor system to another.
//   w3-exchange-tcp:     a child process sends over the data plane on the systems' one TCP
//                        connection; this process receives. Baseline: the same records as
//                        length-prefixed msgpack frames of 1000 over a plain loopback socket
//                        between the same two processes.
//   w3-exchange-threads: two worker threads, the data plane over a MessagePort (transferred
//                        buffers). Baseline: the same frames of 1000 records as transferred
//                        exact-size buffers between the same two workers.
// Both receivers decode every record and check the sum of the values. Peers: exchange-peer.ts and
// exchange-thread.ts. Imports the actor system, the data plane and the harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { ActorSystem } from '../actors/index.ts';
import { DataPlane } from '../actors/network/data/data-plane.ts';
import { FrameDecoder } from '../actors/network/frame-decoder.ts';
import { spawnWorker } from '../actors/network/spawn-worker.ts';
import { EXPECTED_SUM, RECORDS, rawDecode, receiveThroughPlane } from './exchange-common.ts';
import { benchmark } from './harness.ts';

let run = 0;

// --- between two processes over TCP ---

let peer: ChildProcess;
let peerAddress = '';
let plane: DataPlane;
let ownAddress = '';
let rawSocket: Socket;
let rawDone: ((count: number) => void) | undefined;

async function startProcesses(): Promise<void> {
  let accept!: (s: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => { accept = resolve; });
  const server = createServer((s) => accept(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const rawPort = (server.address() as { port: number }).port;
  peer = spawn(execPath, ['--import', 'tsx', fileURLToPath(new URL('./exchange-peer.ts', import.meta.url)), String(rawPort)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  peer.unref();
  peerAddress = await new Promise<string>((resolve, reject) => {
    let out = '';
    peer.stdout!.on('data', (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve(ready[1]);
    });
    peer.once('exit', (code) => reject(new Error(`w3 peer exited with code ${code}`)));
  });
  rawSocket = await accepted;
  rawSocket.setNoDelay(true);
  server.close();
  const decoder = new FrameDecoder();
  const acc = { sum: 0 };
  let count = 0;
  rawSocket.on('data', (chunk: Uint8Array) => {
    for (const payload of decoder.push(chunk)) {
      if (payload.length > 0) { count += rawDecode(payload, acc); continue; }
      const sum = acc.sum, n = count;
      acc.sum = 0; count = 0;
      if (sum !== EXPECTED_SUM) throw new Error(`raw values sum to ${sum}`);
      rawDone!(n);
    }
  });
  const system = ActorSystem.create('w3-receiver');
  ownAddress = (await system.listen(0)).address;
  plane = DataPlane.of(system);
}

benchmark('w3-exchange-tcp', {
  records: RECORDS,
  setup: startProcesses,
  baseline() {
    const done = new Promise<number>((resolve) => { rawDone = resolve; });
    peer.stdin!.write(`raw ${++run}\n`);
    return done;
  },
  subject() {
    const r = ++run;
    const done = receiveThroughPlane(plane, r, peerAddress);
    peer.stdin!.write(`plane ${r} ${ownAddress}\n`);
    return done;
  },
});

// --- between two worker threads ---

let sender: Worker;
let receiver: Worker;
const pending = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();

async function startThreads(): Promise<void> {
  sender = spawnWorker(new URL('./exchange-thread.ts', import.meta.url), { role: 'sender' });
  receiver = spawnWorker(new URL('./exchange-thread.ts', import.meta.url), { role: 'receiver' });
  sender.unref(); receiver.unref();
  const planeChannel = new MessageChannel();
  const rawChannel = new MessageChannel();
  const ready = (w: Worker) => new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
  const both = Promise.all([ready(sender), ready(receiver)]);
  sender.postMessage({ ports: [planeChannel.port1, rawChannel.port1] }, [planeChannel.port1, rawChannel.port1]);
  receiver.postMessage({ ports: [planeChannel.port2, rawChannel.port2] }, [planeChannel.port2, rawChannel.port2]);
  await both;
  const onResult = (msg: { run: number; count?: number; error?: string }) => {
    const p = pending.get(msg.run);
    if (!p) return;
    pending.delete(msg.run);
    if (msg.error !== undefined) p.reject(new Error(msg.error)); else p.resolve(msg.count!);
  };
  sender.on('message', onResult);
  receiver.on('message', onResult);
}

function threadRun(mode: 'plane' | 'raw'): Promise<number> {
  const r = ++run;
  const done = new Promise<number>((resolve, reject) => pending.set(r, { resolve, reject }));
  receiver.postMessage({ run: r, mode });
  sender.postMessage({ run: r, mode });
  return done;
}

benchmark('w3-exchange-threads', {
  records: RECORDS,
  setup: startThreads,
  baseline: () => threadRun('raw'),
  subject: () => threadRun('plane'),
});
