// The byte format of values in the KV store: msgpack, so that Node and Deno read each other's
// values. This is the state layer's own msgpack use (state/ cannot import the actor codec, which
// sits above it); it encodes stored values only, never messages. Imports only msgpackr.

import { Packr } from 'msgpackr';

const valuePackr = new Packr({ useRecords: false, moreTypes: true });

/** Encodes a stored value as msgpack bytes. */
export function encodeValue(value: unknown): Uint8Array {
  return valuePackr.pack(value);
}

/** Decodes stored msgpack bytes. */
export function decodeValue(bytes: Uint8Array): unknown {
  return valuePackr.unpack(bytes);
}
