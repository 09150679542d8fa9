// The sending process of W3 over TCP (bench/w3-exchange.ts starts it): an actor system
// listening on loopback plus a plain socket to the benchmark process for the raw baseline.
// Prints `READY <address>`; then per stdin line sends the W1 records once:
//   `plane <run> <receiverAddress>`  through RecordWriter and the data plane
//   `raw <run>`                      as length-prefixed msgpack frames of 1000 records, then an empty frame
// Exits when stdin closes. Not a benchmark itself. Imports the actor system and the data plane.
import { connect as netConnect } from 'node:net';
import { argv, exit, stdin, stdout } from 'node:process';
import { createInterface } from 'node:readline';
import { ActorSystem } from '../actors/index.ts';
import { DataPlane } from '../actors/network/data/data-plane.ts';
import { BATCH, rawPayload, sendThroughPlane, w1Records } from './exchange-common.ts';

const rawPort = Number(argv[2]);
const records = w1Records();
const system = ActorSystem.create('w3-sender');
const { address } = await system.listen(0);
const plane = DataPlane.of(system);
const raw = netConnect({ host: '127.0.0.1', port: rawPort });
raw.setNoDelay(true);
await new Promise<void>((resolve, reject) => { raw.once('connect', resolve); raw.once('error', reject); });

/** One length-prefixed frame (a copy, as a framing layer makes it). */
function lengthPrefixed(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, 4);
  return frame;
}

async function sendRaw(): Promise<void> {
  for (let from = 0; from < records.length; from += BATCH) {
    if (!raw.write(lengthPrefixed(rawPayload(records, from)))) await new Promise((resolve) => raw.once('drain', resolve));
  }
  raw.write(new Uint8Array(4));
}

const lines = createInterface({ input: stdin });
lines.on('line', (line) => {
  const [mode, run, receiver] = line.split(' ');
  const done = mode === 'plane' ? sendThroughPlane(plane, Number(run), receiver, records) : sendRaw();
  done.catch((error) => { console.error(`w3 sender: ${(error as Error).message}`); exit(1); });
});
lines.on('close', () => { raw.destroy(); void system.terminate().then(() => exit(0)); });
stdout.write(`READY ${address}\n`);
