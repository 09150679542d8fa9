// The codec: the only file that knows msgpack. It encodes actor messages and persisted actor state
// (`encode` / `decode`), record batches for channels between threads and processes
// (BatchEncoder / BatchDecoder, one pair per channel: in columns, or with msgpackr's records
// extension), keeps the registry of protocol message types, and says clearly which message
// cannot cross a process boundary (`assertEncodable`). Actor references travel as their path and
// are resolved on decode.
// Imports msgpackr, the record-column layout and the batch combine step's PartialAccumulator,
// nothing from the runtime (the actor core registers its ref class here).

import { Packr, Unpackr, addExtension } from 'msgpackr';
import { fromColumns, toColumns, type RecordColumn } from './record-columns.ts';
import { PartialAccumulator } from '../../api/operators/batch-combiner.ts';

/** What every protocol message looks like: a union member tagged by a namespaced `type`. */
export interface ProtocolMessage { readonly type: string }

/** A message that cannot be encoded; names the message `type` and the offending field. */
export class NotEncodableError extends Error {
  constructor(readonly messageType: string, readonly field: string, reason: string) {
    super(`message '${messageType}' is not msgpack-encodable: ${field} ${reason}`);
    this.name = 'NotEncodableError';
  }
}

/** Turns a path read from the wire back into a live reference (supplied by the actor system). */
export type RefResolver = (path: string) => unknown;

/** A reference whose path arrived without a resolver (decoded outside any actor system). */
export class UnresolvedRef {
  constructor(readonly path: string) {}
}

const REF_EXTENSION_TYPE = 0x41;
const messagePackr = new Packr({ useRecords: false, moreTypes: true });
const refClasses: Function[] = [];
let activeResolver: RefResolver | undefined;

/**
 * Registers the class of actor references: instances are written as their `path` and read back
 * through the resolver given to `decode`.
 */
export function registerRefClass(refClass: abstract new (...args: never[]) => { readonly path: string }): void {
  if (refClasses.includes(refClass)) return;
  refClasses.push(refClass);
  addExtension({
    Class: refClass,
    type: REF_EXTENSION_TYPE,
    write: (ref: { path: string }) => ref.path,
    read: (path: string) => (activeResolver ? activeResolver(path) : new UnresolvedRef(path)),
  });
}

// UnresolvedRef must survive a second hop unchanged: it is written as a path like any ref.
registerRefClass(UnresolvedRef);

// A batch combine step's partial accumulators cross spill files and TaskManagers as themselves.
const PARTIAL_ACCUMULATOR_EXTENSION_TYPE = 0x43; // msgpackr uses 0x42 for big integers
addExtension({
  Class: PartialAccumulator,
  type: PARTIAL_ACCUMULATOR_EXTENSION_TYPE,
  write: (partial: PartialAccumulator) => [partial.key, partial.accumulator],
  read: ([key, accumulator]: [PartialAccumulator['key'], unknown]) => new PartialAccumulator(key, accumulator),
});

const messageTypes = new Map<string, string>();

/**
 * Registers the `type` tags a protocol accepts, under the protocol's name. A tag registered by
 * two protocols is a programming error: routing by `type` would become ambiguous.
 */
export function registerMessageTypes(protocol: string, types: readonly string[]): void {
  for (const type of types) {
    const owner = messageTypes.get(type);
    if (owner !== undefined && owner !== protocol) {
      throw new Error(`message type '${type}' is registered by both '${owner}' and '${protocol}'`);
    }
    messageTypes.set(type, protocol);
  }
}

/** The protocol that registered `type`, if any. */
export function protocolOf(type: string): string | undefined {
  return messageTypes.get(type);
}

/** Every registered message type, with its protocol. */
export function registeredMessageTypes(): ReadonlyMap<string, string> {
  return messageTypes;
}

registerMessageTypes('actor.system', ['actor.terminated']);

/** Encodes any encodable value (message or state) as msgpack. */
export function encode(value: unknown): Uint8Array {
  return messagePackr.pack(value);
}

/** Decodes msgpack bytes; actor references are resolved through `resolveRef` when given. */
export function decode(bytes: Uint8Array, resolveRef?: RefResolver): unknown {
  const previous = activeResolver;
  activeResolver = resolveRef;
  try {
    return messagePackr.unpack(bytes);
  } finally {
    activeResolver = previous;
  }
}

function describeType(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
    return (value as { type: string }).type;
  }
  return typeof value;
}

const PLAIN_CLASSES: Function[] = [Date, Map, Set, RegExp, Error, ArrayBuffer];

function isTypedArray(value: object): boolean {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/**
 * Throws NotEncodableError when `msg` holds anything that would not survive msgpack unchanged:
 * functions, symbols, instances of unregistered classes, cycles.
 */
export function assertEncodable(msg: unknown): void {
  // The common case costs one allocation-free walk; names of fields are built only to explain a failure.
  if (isEncodable(msg, ancestors)) return;
  ancestors.length = 0;
  explainNotEncodable(msg);
}

/** Objects on the path from the message to the value being checked (cycle detection). */
const ancestors: object[] = [];

function isEncodable(value: unknown, path: object[]): boolean {
  switch (typeof value) {
    case 'function': case 'symbol': return false;
    case 'object': break;
    default: return true;
  }
  if (value === null) return true;
  const object = value as object;
  for (let i = 0; i < refClasses.length; i++) if (object instanceof refClasses[i]) return true;
  if (isTypedArray(object)) return true;
  if (path.includes(object)) return false;
  path.push(object);
  let ok = true;
  if (Array.isArray(object)) {
    for (let i = 0; ok && i < object.length; i++) ok = isEncodable(object[i], path);
  } else if (object instanceof Map) {
    for (const [k, v] of object) if (!(ok = isEncodable(k, path) && isEncodable(v, path))) break;
  } else if (object instanceof Set) {
    for (const v of object) if (!(ok = isEncodable(v, path))) break;
  } else if (!PLAIN_CLASSES.includes(object.constructor)) {
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) ok = false;
    else if (Object.getOwnPropertySymbols(object).length > 0) ok = false;
    else for (const key in object) if (!(ok = isEncodable((object as Record<string, unknown>)[key], path))) break;
  }
  path.pop();
  return ok;
}

/** Walks `msg` again with field names, throwing the NotEncodableError that names the culprit. */
function explainNotEncodable(msg: unknown): void {
  const messageType = describeType(msg);
  const seen = new Set<object>();
  const visit = (value: unknown, field: string): void => {
    switch (typeof value) {
      case 'function': throw new NotEncodableError(messageType, field, 'is a function');
      case 'symbol': throw new NotEncodableError(messageType, field, 'is a symbol');
      case 'object': break;
      default: return;
    }
    if (value === null) return;
    const object = value as object;
    if (refClasses.some((c) => object instanceof c) || isTypedArray(object)) return;
    if (seen.has(object)) throw new NotEncodableError(messageType, field, 'is part of a cycle');
    seen.add(object);
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) visit(object[i], `${field}[${i}]`);
    } else if (object instanceof Map) {
      for (const [k, v] of object) { visit(k, `${field} key`); visit(v, `${field}.get(${String(k)})`); }
    } else if (object instanceof Set) {
      for (const v of object) visit(v, `${field} element`);
    } else if (PLAIN_CLASSES.some((c) => object.constructor === c)) {
      // Built-ins with a msgpackr extension round-trip as themselves.
    } else {
      const proto = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) {
        const name = (object.constructor as { name?: string } | undefined)?.name ?? 'anonymous';
        throw new NotEncodableError(messageType, field, `is an instance of class ${name}, which does not round-trip`);
      }
      for (const key of Object.keys(object)) visit((object as Record<string, unknown>)[key], `${field}.${key}`);
      for (const sym of Object.getOwnPropertySymbols(object)) {
        throw new NotEncodableError(messageType, `${field}[${String(sym)}]`, 'is keyed by a symbol');
      }
    }
    seen.delete(object);
  };
  visit(msg, 'message');
  throw new NotEncodableError(messageType, 'message', 'is not encodable');
}

/** A decoded batch of records: values and timestamps side by side, `length` valid. */
export interface DecodedBatch {
  values: unknown[];
  timestamps: number[];
  length: number;
}

/**
 * The record-batch encoder of one channel. Each batch is one self-describing msgpack frame. A
 * batch of flat records of one shape goes as columns (record-columns.ts): `[names, columns,
 * stamps, length]`, a number column as raw float64s or int32s, told apart by its byte length. Any
 * other batch uses msgpackr's records extension in sequential mode, `[values, stamps]`: a record
 * shape is defined in the first frame that uses it and referenced by later ones, so one encoder
 * feeds exactly one BatchDecoder, which reads every frame of the channel in order (an encoder or
 * decoder shared by several channels misreads records). Timestamps are raw float64s, or nothing
 * when no record has one.
 */
export class BatchEncoder {
  private readonly packr = new Packr({ useRecords: true, sequential: true });

  /** The frame body of the first `length` records of a batch (a view: copy it before the next call). */
  encode(values: readonly unknown[], timestamps: readonly number[], length: number): Uint8Array {
    let timed = false;
    for (let i = 0; i < length; i++) if (timestamps[i] !== -Infinity) { timed = true; break; }
    let stamps: Uint8Array | null = null;
    if (timed) {
      const floats = new Float64Array(length);
      for (let i = 0; i < length; i++) floats[i] = timestamps[i];
      stamps = new Uint8Array(floats.buffer);
    }
    const columns = toColumns(values, length);
    if (columns !== undefined) {
      const packed = columns.columns.map((c) => (Array.isArray(c) ? c : new Uint8Array(c.buffer, c.byteOffset, c.byteLength)));
      return this.packr.pack([columns.names, packed, stamps, length]);
    }
    return this.packr.pack([values.length === length ? values : values.slice(0, length), stamps]);
  }
}

/** The record-batch decoder of one channel: reads its BatchEncoder's frames, all of them, in order. */
export class BatchDecoder {
  private readonly unpackr = new Unpackr({ useRecords: true, sequential: true });

  /** The batch in a frame body; throws when it is malformed. */
  decode(bytes: Uint8Array): DecodedBatch {
    const frame = this.unpackr.unpack(bytes) as unknown[];
    if (!Array.isArray(frame) || (frame.length !== 2 && frame.length !== 4)) throw new Error('malformed record batch frame');
    let values: unknown[];
    const stamps = frame.length === 2 ? frame[1] : frame[2];
    if (frame.length === 2) {
      if (!Array.isArray(frame[0])) throw new Error('malformed record batch frame');
      values = frame[0];
    } else {
      const [names, packed, , length] = frame as [string[], unknown[], unknown, number];
      if (!Array.isArray(packed)) throw new Error('malformed record batch frame');
      const columns = packed.map((c) => (c instanceof Uint8Array ? numbers(c, length) : c)) as RecordColumn[];
      values = fromColumns({ names, columns, length });
    }
    const length = values.length;
    const timestamps = new Array<number>(length);
    if (stamps === null) {
      timestamps.fill(-Infinity);
    } else {
      if (!(stamps instanceof Uint8Array)) throw new Error('malformed record batch frame: timestamps');
      const floats = float64s(stamps, length);
      for (let i = 0; i < length; i++) timestamps[i] = floats[i];
    }
    return { values, timestamps, length };
  }
}

/** `count` numbers from `bytes`: int32s when it holds 4 bytes per number, else float64s. */
function numbers(bytes: Uint8Array, count: number): Float64Array | Int32Array {
  if (Number.isInteger(count) && count > 0 && bytes.length === count * 4) return new Int32Array(new Uint8Array(bytes).buffer, 0, count);
  return float64s(bytes, count);
}

/** `count` float64s from `bytes`, copied (the decoded bytes may be an unaligned view into a larger buffer). */
function float64s(bytes: Uint8Array, count: number): Float64Array {
  if (!Number.isInteger(count) || bytes.length !== count * 8) throw new Error(`malformed record batch frame: ${bytes.length} bytes for ${count} numbers`);
  return new Float64Array(new Uint8Array(bytes).buffer, 0, count);
}
