// A worker thread of W3 across threads (bench/w3-exchange.ts starts two): the sender or the
// receiver of the W1 records. The parent hands it two MessagePorts to the other worker: one the
// data plane carries channels over, one for the raw baseline (transferred exact-size buffers of
// 1000 msgpack records, then null). Per `{ run, mode }` message the sender sends once; the
// receiver answers `{ run, count }` (or `{ run, error }`). Not a benchmark itself.
// Imports the actor system and the data plane.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ActorSystem } from '../actors/index.ts';
import { DataPlane } from '../actors/network/data/data-plane.ts';
import { BATCH, EXPECTED_SUM, rawDecode, rawPayload, receiveThroughPlane, sendThroughPlane, w1Records, type Rec } from './exchange-common.ts';

const role = (workerData as { data: { role: 'sender' | 'receiver' } }).data.role;
const SENDER = 'actorflow://w3-sender@thread-1';
const RECEIVER = 'actorflow://w3-receiver@thread-2';
const system = ActorSystem.create(role === 'sender' ? 'w3-sender' : 'w3-receiver');
const plane = DataPlane.of(system);
const records: Rec[] = role === 'sender' ? w1Records() : [];
let rawPort: MessagePort | undefined;
let rawRun: { run: number; count: number; acc: { sum: number } } | undefined;

function sendRaw(): void {
  for (let from = 0; from < records.length; from += BATCH) {
    // An exact-size copy of the encoder's output, transferred.
    const bytes = new Uint8Array(rawPayload(records, from));
    rawPort!.postMessage(bytes, [bytes.buffer]);
  }
  rawPort!.postMessage(null);
}

function onRaw(message: Uint8Array | null): void {
  const r = rawRun!;
  if (message !== null) { r.count += rawDecode(message, r.acc); return; }
  rawRun = undefined;
  parentPort!.postMessage(r.acc.sum === EXPECTED_SUM ? { run: r.run, count: r.count } : { run: r.run, error: `sum ${r.acc.sum}` });
}

parentPort!.on('message', (msg: { ports?: [MessagePort, MessagePort]; run?: number; mode?: 'plane' | 'raw' }) => {
  if (msg.ports) {
    plane.attachPort(role === 'sender' ? RECEIVER : SENDER, msg.ports[0]);
    rawPort = msg.ports[1];
    if (role === 'receiver') rawPort.on('message', onRaw);
    parentPort!.postMessage({ ready: true });
    return;
  }
  const run = msg.run!;
  if (msg.mode === 'raw') {
    if (role === 'sender') sendRaw(); else rawRun = { run, count: 0, acc: { sum: 0 } };
    return;
  }
  if (role === 'sender') {
    sendThroughPlane(plane, run, RECEIVER, records).catch((e: Error) => parentPort!.postMessage({ run, error: e.message }));
  } else {
    receiveThroughPlane(plane, run, SENDER).then((count) => parentPort!.postMessage({ run, count }), (e: Error) => parentPort!.postMessage({ run, error: e.message }));
  }
});
