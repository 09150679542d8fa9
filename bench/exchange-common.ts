// The two ends of the W3 exchange, shared by the process peer and the worker threads of
// bench/w3-exchange.ts: the W1 records, a keyBy-like send through RecordWriter and the data plane,
// an InputGate-like receive that counts records and sums their values, and the raw baseline's
// frames (1000 records, msgpack records extension, length-prefixed or transferred).
// Not a benchmark itself (the runner loads only bench/w*.ts). Imports the data plane and msgpackr.
import { Packr } from 'msgpackr';
import type { DataPlane, RemoteReceiver } from '../actors/network/data/data-plane.ts';
import { RecordWriter } from '../actors/runtime/record-writer.ts';

/** Records per run (W1). */
export const RECORDS = 1_000_000;
/** Records per batch and per raw frame. */
export const BATCH = 1000;
/** Receiving subtasks of the keyBy-like exchange (channels per run). */
export const CHANNELS = 2;
/** Credits each receiver grants (its buffer, in batches). */
export const CREDITS = 8;
const T0 = 1_700_000_000_000;

/** A W1 record. */
export interface Rec { key: string; value: number; ts: number }

/** The W1 records. */
export function w1Records(): Rec[] {
  return Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % 1000), value: i, ts: T0 + Math.floor(i / 10) }));
}

/** The sum of the values of every record, which each receiver checks. */
export const EXPECTED_SUM = (RECORDS * (RECORDS - 1)) / 2;

/** Channel ids of one run. */
export function channelIds(run: number): string[] {
  return Array.from({ length: CHANNELS }, (_, c) => `w3/${run}/0/0->${c}`);
}

/** keyBy-like: every record of one key goes to one channel (the key's index, here its value mod 1000). */
const selector = { broadcast: false, select: (v: unknown) => ((v as Rec).value % 1000) % CHANNELS };

/** Sends every record through a RecordWriter on data-plane senders, then end-of-input. */
export function sendThroughPlane(plane: DataPlane, run: number, receiverAddress: string, records: Rec[]): Promise<void> {
  const senders = channelIds(run).map((id) => plane.openSender(id, receiverAddress, id));
  return new Promise((resolve, reject) => {
    let next = 0;
    let ended = false;
    const writer = new RecordWriter(senders, selector, BATCH, { onBlocked() {}, onWritable: () => pump() });
    senders.forEach((s) => { s.onFailure = reject; });
    const pump = (): void => {
      while (next < records.length && !writer.isBackpressured()) {
        const end = Math.min(records.length, next + BATCH);
        for (; next < end; next++) { const r = records[next]; writer.emit(r, r.ts); }
      }
      if (next === records.length && !ended) { ended = true; writer.broadcastEvent({ kind: 'end-of-input' }); }
      if (ended && !writer.isBackpressured()) { plane.closeChannels(`w3/${run}/`); resolve(); }
    };
    pump();
  });
}

/** Receives one run's channels like an InputGate; resolves with the records counted (their values summed and checked). */
export function receiveThroughPlane(plane: DataPlane, run: number, senderAddress: string): Promise<number> {
  const receivers: RemoteReceiver[] = channelIds(run).map((id) => plane.openReceiver(id, senderAddress, CREDITS, id));
  return new Promise((resolve, reject) => {
    let count = 0, sum = 0, ended = 0, scheduled = false;
    const drain = (): void => {
      scheduled = false;
      for (const r of receivers) {
        for (let e = r.poll(); e !== undefined; e = r.poll()) {
          if (e.kind === 'records') {
            const values = e.values;
            for (let i = 0; i < e.length; i++) sum += (values[i] as Rec).value;
            count += e.length;
          } else if (e.kind === 'end-of-input') ended++;
        }
      }
      if (ended === receivers.length) {
        plane.closeChannels(`w3/${run}/`);
        if (sum !== EXPECTED_SUM) reject(new Error(`received values sum to ${sum}, expected ${EXPECTED_SUM}`));
        else resolve(count);
      }
    };
    const wake = (): void => { if (!scheduled) { scheduled = true; queueMicrotask(drain); } };
    for (const r of receivers) { r.onData = wake; r.onFailure = reject; }
    wake();
  });
}

const packr = new Packr({ useRecords: true, sequential: true });

/** The raw baseline's frame payloads: `BATCH` consecutive records each, encoded on demand. */
export function rawPayload(records: Rec[], from: number): Uint8Array {
  return packr.pack(records.slice(from, Math.min(records.length, from + BATCH)));
}

/** Decodes a raw payload; returns its record count and adds its values to `acc.sum`. */
export function rawDecode(payload: Uint8Array, acc: { sum: number }): number {
  const records = packr.unpack(payload) as Rec[];
  for (let i = 0; i < records.length; i++) acc.sum += records[i].value;
  return records.length;
}
