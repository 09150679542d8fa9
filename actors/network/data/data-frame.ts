// The layout of data-plane frames: what a channel between two actor systems puts on the wire.
//
//   [0]        DATA_FRAME_MARKER (0xc1, a byte msgpack never uses: actor frames cannot start with it)
//   [1]        kind: BATCH | EVENT | CREDIT
//   [2..3]     byte length n of the channel id (uint16, big-endian)
//   [4..4+n)   the channel id, UTF-8
//   [4+n..]    the body: a record batch as the channel's BatchEncoder wrote it, an event as a small msgpack
//              map, or a credit announcement (uint32, big-endian)
//
// One frame is one exact-size buffer, so a worker thread can receive it transferred. Decoding
// validates what it reads and throws on anything malformed: the link that carried it closes.
// Imports the codec, the stream elements and the remote endpoint's marker only.
import type { ChannelElement } from '../../../api/stream-elements.ts';
import { BatchEncoder, decode, encode, type BatchDecoder } from '../codec.ts';
import { DATA_FRAME_MARKER } from '../../remote/remote-endpoint.ts';

/** A frame holding one record batch. */
export const BATCH = 1;
/** A frame holding one event (watermark, watermark status, barrier, end of input). */
export const EVENT = 2;
/** A frame returning credit from a receiver to its sender. */
export const CREDIT = 3;

const ID_OFFSET = 4;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The first bytes of every frame of `kind` on `channelId`. */
export function channelHeader(channelId: string, kind = BATCH): Uint8Array {
  const id = utf8Encoder.encode(channelId);
  if (id.length > 0xffff) throw new RangeError(`channel id of ${id.length} bytes is too long: ${channelId.slice(0, 80)}...`);
  const header = new Uint8Array(ID_OFFSET + id.length);
  header[0] = DATA_FRAME_MARKER;
  header[1] = kind;
  header[2] = id.length >>> 8;
  header[3] = id.length & 0xff;
  header.set(id, ID_OFFSET);
  return header;
}

/** No bytes: the body of a frame sent whole as its head. */
export const NO_BODY = new Uint8Array(0);

/** One exact-size frame: `header` then `body`. */
export function joinFrame(header: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

/**
 * The body of the frame carrying `element` (BATCH for records, EVENT otherwise); record batches
 * go through the channel's encoder. It may be a view into the encoder's buffer: send or copy it
 * before encoding anything else.
 */
export function elementBody(element: ChannelElement, batches: BatchEncoder): Uint8Array {
  return element.kind === 'records' ? batches.encode(element.values, element.timestamps, element.length) : encode(element);
}

/**
 * The whole frame carrying `element` on the channel whose header (of any kind) is `header`,
 * record batches through the channel's encoder `batches` (by default a new one, whose frames a
 * new BatchDecoder reads).
 */
export function elementFrame(header: Uint8Array, element: ChannelElement, batches = new BatchEncoder()): Uint8Array {
  const frame = joinFrame(header, elementBody(element, batches));
  frame[1] = element.kind === 'records' ? BATCH : EVENT;
  return frame;
}

/** The frame returning `credits` to the sender of the channel whose header is `header`. */
export function creditFrame(header: Uint8Array, credits: number): Uint8Array {
  const out = new Uint8Array(header.length + 4);
  out.set(header);
  out[1] = CREDIT;
  new DataView(out.buffer).setUint32(header.length, credits);
  return out;
}

/** The kind of a frame (BATCH, EVENT or CREDIT); throws on anything else. */
export function frameKind(frame: Uint8Array): number {
  if (frame.length < ID_OFFSET || frame[0] !== DATA_FRAME_MARKER) throw new Error(`malformed data frame (${frame.length} bytes)`);
  const kind = frame[1];
  if (kind !== BATCH && kind !== EVENT && kind !== CREDIT) throw new Error(`unknown data frame kind ${kind}`);
  return kind;
}

function bodyOffset(frame: Uint8Array): number {
  const offset = ID_OFFSET + ((frame[2] << 8) | frame[3]);
  if (offset > frame.length) throw new Error('malformed data frame: channel id runs past its end');
  return offset;
}

/** The channel id of a frame. */
export function frameChannelId(frame: Uint8Array): string {
  return utf8Decoder.decode(frame.subarray(ID_OFFSET, bodyOffset(frame)));
}

/** The credits a CREDIT frame returns. */
export function frameCredits(frame: Uint8Array): number {
  const offset = bodyOffset(frame);
  if (frame.length !== offset + 4) throw new Error('malformed credit frame');
  const credits = new DataView(frame.buffer, frame.byteOffset + offset, 4).getUint32(0);
  if (credits === 0) throw new Error('credit frame returning no credit');
  return credits;
}

/**
 * The element a BATCH or EVENT frame carries, a batch read by its channel's decoder `batches`;
 * throws when it is malformed.
 */
export function frameElement(frame: Uint8Array, kind: number, batches?: BatchDecoder): ChannelElement {
  const body = frame.subarray(bodyOffset(frame));
  if (kind === BATCH) {
    if (batches === undefined) throw new Error('a record batch frame needs its channel\'s decoder');
    const { values, timestamps, length } = batches.decode(body);
    if (!Array.isArray(values)) throw new Error('malformed record batch frame');
    return { kind: 'records', values, timestamps, length };
  }
  return checkEvent(decode(body));
}

function checkEvent(value: unknown): ChannelElement {
  const e = value as Record<string, unknown> | null;
  const ok = e !== null && typeof e === 'object' && (
    (e.kind === 'watermark' && typeof e.timestamp === 'number')
    || (e.kind === 'watermark-status' && typeof e.idle === 'boolean')
    || (e.kind === 'barrier' && typeof e.checkpointId === 'number' && typeof e.timestamp === 'number')
    || e.kind === 'end-of-input');
  if (!ok) throw new Error(`malformed channel event: ${String(e?.kind ?? typeof value)}`);
  return e as unknown as ChannelElement;
}
