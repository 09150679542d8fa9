// The data path of the test KV Connect server: the protobuf messages of `snapshot_read` and
// `atomic_write` (package com.deno.kv.datapath, decoded and encoded by protobufjs from the
// schema below) mapped onto a real local Deno KV, opened with the runtime's own openKv. A key is
// stored as one bytes part holding the client's packed key (that encoding keeps byte order, so
// ranges of packed keys are ranges of stored keys); versionstamps are the backing KV's own, so
// checks are exact. Values: bytes as they are, LE64 as KvU64 (sum, min and max are the backing
// KV's), V8 as `{ v8: bytes }` (returned byte for byte; a V8 value within a few bytes of the
// value limit is refused). Every request runs alone (one queue), so a snapshot read of several
// ranges sees one state. Not implemented: enqueues (refused), watch. Imports protobufjs only.
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package com.deno.kv.datapath;
message SnapshotRead { repeated ReadRange ranges = 1; }
message ReadRange { bytes start = 1; bytes end = 2; int32 limit = 3; bool reverse = 4; }
message SnapshotReadOutput { repeated ReadRangeOutput ranges = 1; bool read_disabled = 2; bool read_is_strongly_consistent = 4; SnapshotReadStatus status = 8; }
enum SnapshotReadStatus { SR_UNSPECIFIED = 0; SR_SUCCESS = 1; SR_READ_DISABLED = 2; }
message ReadRangeOutput { repeated KvEntry values = 1; }
message KvEntry { bytes key = 1; bytes value = 2; ValueEncoding encoding = 3; bytes versionstamp = 4; }
message AtomicWrite { repeated Check checks = 1; repeated Mutation mutations = 2; repeated Enqueue enqueues = 3; }
message Check { bytes key = 1; bytes versionstamp = 2; }
message Mutation { bytes key = 1; KvValue value = 2; MutationType mutation_type = 3; int64 expire_at_ms = 4; }
enum MutationType { M_UNSPECIFIED = 0; M_SET = 1; M_DELETE = 2; M_SUM = 3; M_MAX = 4; M_MIN = 5; }
message KvValue { bytes data = 1; ValueEncoding encoding = 2; }
enum ValueEncoding { VE_UNSPECIFIED = 0; VE_V8 = 1; VE_LE64 = 2; VE_BYTES = 3; }
message Enqueue { bytes payload = 1; int64 deadline_ms = 2; repeated bytes keys_if_undelivered = 3; repeated uint32 backoff_schedule = 4; }
message AtomicWriteOutput { AtomicWriteStatus status = 1; bytes versionstamp = 2; repeated uint32 failed_checks = 4; }
enum AtomicWriteStatus { AW_UNSPECIFIED = 0; AW_SUCCESS = 1; AW_CHECK_FAILURE = 2; AW_WRITE_DISABLED = 5; }
`;

const types = protobuf.parse(SCHEMA).root;
const type = (name: string): protobuf.Type => types.lookupType(`com.deno.kv.datapath.${name}`);
const SnapshotRead = type('SnapshotRead');
const SnapshotReadOutput = type('SnapshotReadOutput');
const AtomicWrite = type('AtomicWrite');
const AtomicWriteOutput = type('AtomicWriteOutput');

/** ValueEncoding. */
const VE_V8 = 1, VE_LE64 = 2, VE_BYTES = 3;
/** MutationType. */
const M_SET = 1, M_DELETE = 2, M_SUM = 3, M_MAX = 4, M_MIN = 5;
/** SnapshotReadStatus.SR_SUCCESS. */
const SR_SUCCESS = 1;
/** AtomicWriteStatus. */
const AW_SUCCESS = 1, AW_CHECK_FAILURE = 2;

interface ReadRange { start: Uint8Array; end: Uint8Array; limit: number; reverse: boolean }
interface Check { key: Uint8Array; versionstamp: Uint8Array }
interface Mutation { key: Uint8Array; value?: { data: Uint8Array; encoding: number }; mutationType: number; expireAtMs: number | { toNumber(): number } }

type BackingKey = [Uint8Array];
interface U64 { readonly value: bigint }
interface BackingAtomic {
  check(check: { key: BackingKey; versionstamp: string | null }): BackingAtomic;
  set(key: BackingKey, value: unknown, options?: { expireIn?: number }): BackingAtomic;
  delete(key: BackingKey): BackingAtomic;
  sum(key: BackingKey, n: bigint): BackingAtomic;
  min(key: BackingKey, n: bigint): BackingAtomic;
  max(key: BackingKey, n: bigint): BackingAtomic;
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}
/** The subset of Deno KV (and @deno/kv) the data path uses. */
export interface BackingKv {
  get(key: BackingKey): Promise<{ value: unknown; versionstamp: string | null }>;
  list(selector: { start: BackingKey; end: BackingKey }, options: { limit: number; reverse: boolean }): AsyncIterable<{ key: unknown[]; value: unknown; versionstamp: string }>;
  atomic(): BackingAtomic;
  close(): void;
}

/** A request the data path refuses (answered 400 with the message). */
export class BadRequest extends Error {}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Plain Uint8Array views (protobufjs may decode to Buffer, which KV stores as a Buffer object on Deno). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Snapshot reads and atomic writes of one database, over a backing KV. */
export class KvConnectDatapath {
  private queue: Promise<unknown> = Promise.resolve();

  /** `makeU64` builds the backing runtime's KvU64; `isU64` recognizes one read back. */
  constructor(private readonly kv: BackingKv, private readonly makeU64: (n: bigint) => U64, private readonly isU64: (v: unknown) => v is U64) {}

  /** Answers a SnapshotRead with a SnapshotReadOutput. */
  snapshotRead(body: Uint8Array): Promise<Uint8Array> {
    const request = decode(SnapshotRead, body) as unknown as { ranges: ReadRange[] };
    return this.alone(async () => {
      const ranges = [];
      for (const range of request.ranges) ranges.push({ values: await this.readRange(range) });
      return SnapshotReadOutput.encode({ ranges, readDisabled: false, readIsStronglyConsistent: true, status: SR_SUCCESS }).finish();
    });
  }

  /** Answers an AtomicWrite with an AtomicWriteOutput. */
  atomicWrite(body: Uint8Array): Promise<Uint8Array> {
    const request = decode(AtomicWrite, body) as unknown as { checks: Check[]; mutations: Mutation[]; enqueues: unknown[] };
    if (request.enqueues.length > 0) throw new BadRequest('enqueue is not supported by this server');
    return this.alone(async () => {
      let result: { ok: boolean; versionstamp?: string };
      try {
        const op = this.kv.atomic();
        for (const c of request.checks) {
          if (c.versionstamp.length !== 0 && c.versionstamp.length !== 10) throw new BadRequest('a check versionstamp must be 0 or 10 bytes');
          op.check({ key: [plain(c.key)], versionstamp: c.versionstamp.length === 0 ? null : hex(c.versionstamp) });
        }
        for (const m of request.mutations) this.mutate(op, m);
        result = await op.commit();
      } catch (error) {
        // The backing KV refuses what breaks its rules (limits, sizes): the request's fault.
        throw error instanceof BadRequest ? error : new BadRequest(`atomic write refused: ${(error as Error).message}`);
      }
      if (result.ok) return AtomicWriteOutput.encode({ status: AW_SUCCESS, versionstamp: unhex(result.versionstamp!) }).finish();
      // Nothing else writes between the commit and these reads (this request runs alone).
      const failedChecks: number[] = [];
      for (const [i, c] of request.checks.entries()) {
        const current = (await this.kv.get([plain(c.key)])).versionstamp;
        if ((current ?? '') !== hex(c.versionstamp)) failedChecks.push(i);
      }
      return AtomicWriteOutput.encode({ status: AW_CHECK_FAILURE, failedChecks }).finish();
    });
  }

  private async readRange(range: ReadRange): Promise<object[]> {
    if (range.limit <= 0) throw new BadRequest(`a read range needs a positive limit, not ${range.limit}`);
    if (compareBytes(range.start, range.end) >= 0) return [];
    const out = [];
    const entries = this.kv.list({ start: [plain(range.start)], end: [plain(range.end)] }, { limit: range.limit, reverse: range.reverse });
    for await (const entry of entries) {
      out.push({ key: entry.key[0], ...this.encodeValue(entry.value), versionstamp: unhex(entry.versionstamp) });
    }
    return out;
  }

  private mutate(op: BackingAtomic, m: Mutation): void {
    const key: BackingKey = [plain(m.key)];
    if (m.mutationType === M_DELETE) { op.delete(key); return; }
    if (!m.value) throw new BadRequest('a mutation other than delete needs a value');
    const value = this.decodeValue(m.value.data, m.value.encoding);
    const expireAt = typeof m.expireAtMs === 'number' ? m.expireAtMs : m.expireAtMs.toNumber();
    switch (m.mutationType) {
      case M_SET:
        op.set(key, value, expireAt > 0 ? { expireIn: Math.max(1, expireAt - Date.now()) } : undefined);
        return;
      case M_SUM: case M_MIN: case M_MAX: {
        if (!this.isU64(value)) throw new BadRequest('sum, min and max take LE64 values');
        if (m.mutationType === M_SUM) op.sum(key, value.value); else if (m.mutationType === M_MIN) op.min(key, value.value); else op.max(key, value.value);
        return;
      }
      default:
        throw new BadRequest(`unknown mutation type ${m.mutationType}`);
    }
  }

  private decodeValue(data: Uint8Array, encoding: number): unknown {
    if (encoding === VE_BYTES) return plain(data);
    if (encoding === VE_V8) return { v8: plain(data) };
    if (encoding === VE_LE64) {
      if (data.length !== 8) throw new BadRequest('an LE64 value has 8 bytes');
      return this.makeU64(new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true));
    }
    throw new BadRequest(`unknown value encoding ${encoding}`);
  }

  private encodeValue(value: unknown): { value: Uint8Array; encoding: number } {
    if (value instanceof Uint8Array) return { value, encoding: VE_BYTES };
    if (this.isU64(value)) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, value.value, true);
      return { value: bytes, encoding: VE_LE64 };
    }
    const v8 = (value as { v8?: unknown } | null)?.v8;
    if (v8 instanceof Uint8Array) return { value: v8, encoding: VE_V8 };
    throw new Error('the backing KV holds a value this server did not write');
  }

  /** Runs `op` after every request before it has finished. */
  private alone<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }
}

function decode(message: protobuf.Type, body: Uint8Array): protobuf.Message {
  try {
    return message.decode(body);
  } catch (error) {
    throw new BadRequest(`malformed ${message.name}: ${(error as Error).message}`);
  }
}
