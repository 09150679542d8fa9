// KvCheckpointStorage: checkpoints in a KV store, with incremental keyed state. Each checkpoint
// writes, per key group, only the delta since the subtask's previous checkpoint (one value per key
// group, chunked by the store above 64 KiB); metadata names the chain of earlier checkpoints whose
// deltas are still live, so restore replays them and discarding a subsumed checkpoint keeps what
// later ones need. Data of a checkpoint is deleted once no retained or in-flight checkpoint builds
// on it and a newer checkpoint has completed. MemoryCheckpointStorage is the same layout over an
// in-memory store. Over 400 lines: writing, completing, reading and discarding all follow the one
// key layout below and the chain rules between checkpoints; seals live in sealed-bytes.ts.
//
// Layout (jobId j, checkpoint c, operator uid u):
//   ['cp', j, c, u, 'kg', keyGroup]    msgpack KeyGroupDelta
//   ['cp', j, c, u, 'sub', subtask]    msgpack subtask record (range, timers, operator state)
//   ['cpsub', j, c, u, subtask]        index: chain, key groups written, complete flag
//   ['cpmeta', j, c]                   completed-checkpoint metadata
// A storage of a JobManager leadership's epoch e > 0 (high availability) keeps all of it under
// [tag, j, 'e', e, ...] instead: the checkpoints of two leaderships never share a key, even with
// the same ids (a deposed leader's subtasks may still write, and its ids restart nowhere near the
// new leader's), and each leadership deletes only its own keys. Epoch 0 is the layout above, so
// checkpoints written before epochs existed stay readable. An incremental chain never crosses
// epochs: a restored subtask starts a new chain (its keyed backend is new, so its first snapshot
// is full), and a delta is written only on a base in its own epoch's keys. So the checkpoint a new
// leader recovered from can be discarded from its old epoch's keys, as superseded, once the new
// leader's own checkpoints subsume it.
// Every value is sealed with a checksum bound to its key (state/snapshot/sealed-bytes.ts): a
// restore verifies each one and refuses a checkpoint whose data was altered, lost or moved, naming
// it and its storage, so recovery falls back to an earlier checkpoint instead of restoring wrong
// state. Checkpoints written before seals (unsealed metadata) are still read, unverified. A
// location that cannot be written opens read-only: its checkpoints fail with the reason.
// Imports only state/; never api/ or actors/.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyGroupRange } from '../key-groups.ts';
import { openKvStore, type KvEntry, type KvKey, type KvMutation, type KvStore } from '../kv/kv-store.ts';
import { decodeValue, encodeValue } from '../kv/kv-value.ts';
import { isKvFilePath, kvFileUnwritable } from '../kv/kv-file-check.ts';
import { ReadOnlyKvStore } from '../kv/read-only-kv-store.ts';
import { isSealed, seal, SealError, unseal } from '../snapshot/sealed-bytes.ts';
import type { TimersSnapshot } from '../heap/heap-timer-service.ts';
import type { CheckpointSnapshot, KeyGroupSnapshot, OperatorSnapshot, SubtaskOperatorState } from '../snapshot/checkpoint-snapshot.ts';
import { deltasOf, isFullKeyedState, KeyGroupStateBuilder, timersByKeyGroup, type KeyGroupDelta } from '../snapshot/key-group-delta.ts';
import type { SubtaskSnapshot, SubtaskWriteResult } from '../snapshot/subtask-snapshot.ts';
import {
  CheckpointCorruptedError, CheckpointNotFoundError, readLatest, type CheckpointMetadataInput,
  type CheckpointStorage, type DiscardOptions, type ReadFilter,
} from './checkpoint-storage.ts';
import { MemoryKvStore } from './memory-kv-store.ts';

interface IndexEntry {
  readonly chain: number[];
  readonly keyGroups: number[];
  readonly complete: boolean;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

interface SubtaskRecord extends SubtaskOperatorState {
  readonly keyGroupRange?: KeyGroupRange;
  readonly timers?: Record<string, TimersSnapshot>;
}

interface OperatorMeta { parallelism: number; maxParallelism: number; subtasks: Record<number, number[]> }

interface Metadata {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly properties: Record<string, unknown>;
  readonly operators: Record<string, OperatorMeta>;
}

/** `env.setCheckpointStorage` accepts a directory as well as a KV file or URL. */
function databasePath(path: string | undefined): string | undefined {
  if (path === undefined || path.includes('://')) return path;
  try {
    return statSync(path).isDirectory() ? join(path, 'checkpoints.kv') : path;
  } catch {
    return path; // does not exist yet: a KV file to create
  }
}

/** What a stored value's checksum is bound to: its whole key (each part as `type:value`, joined by '/'). */
function keyContext(key: KvKey): string {
  // Built without intermediate arrays: checkpoints compute one per value they seal or open.
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const p = key[i];
    out += (i === 0 ? '' : '/') + typeof p + ':' + String(p);
  }
  return out;
}

/** `value` encoded and sealed under `key`. */
function sealed(key: KvKey, value: unknown): Uint8Array {
  return seal(keyContext(key), encodeValue(value));
}

/**
 * A stored value decoded: a sealed one is verified against `key` (a SealError when it does not
 * verify); an unsealed one is accepted only when `legacy` (written before seals existed).
 */
function opened(key: KvKey, value: unknown, legacy: boolean): unknown {
  if (isSealed(value)) return decodeValue(unseal(keyContext(key), value));
  if (!legacy) throw new SealError(value instanceof Uint8Array ? 'no checksum (not sealed)' : 'not stored as sealed bytes');
  return value instanceof Uint8Array ? decodeValue(value) : value;
}

/** The KV store of a checkpoint location: read-only (writes refused with the reason) when it cannot be written. */
async function openLocation(location: string | undefined): Promise<KvStore> {
  if (!isKvFilePath(location)) return openKvStore(location);
  const unwritable = kvFileUnwritable(location);
  if (unwritable === undefined) return openKvStore(location);
  const reason = `checkpoint storage ${location} cannot be written: ${unwritable}`;
  if (!existsSync(location)) return new ReadOnlyKvStore(undefined, reason);
  try {
    return new ReadOnlyKvStore(await openKvStore(location), reason);
  } catch (error) {
    // Its checkpoints cannot be read either: every read says why, none finds "nothing".
    return new ReadOnlyKvStore(new Error(`checkpoint storage ${location} cannot be read: ${(error as Error).message}`), reason);
  }
}

function overlaps(a: KeyGroupRange | undefined, b: KeyGroupRange | undefined): boolean {
  if (a === undefined) return false;
  return b === undefined || (a.start <= b.end && b.start <= a.end);
}

function contains(range: KeyGroupRange | undefined, kg: number): boolean {
  return range === undefined || (kg >= range.start && kg <= range.end);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index entries and metadata remembered as verified, at most (oldest forgotten first). */
const VERIFIED_ENTRIES = 1024;

/** `value` and everything in it made read-only (a remembered decoded value is shared by its readers). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Checkpoint storage over a KV store, incremental for keyed state. */
export class KvCheckpointStorage implements CheckpointStorage {
  /**
   * Opens (or creates) the KV database at `path`: a KV file, a directory (its `checkpoints.kv`),
   * a KV Connect URL, or in memory when omitted.
   */
  static async open(jobId: string, path?: string, epoch = 0): Promise<KvCheckpointStorage> {
    const location = databasePath(path);
    return new KvCheckpointStorage(jobId, await openLocation(location), true, epoch, location ?? 'an in-memory KV store');
  }

  /** The key parts between a key's tag and its checkpoint id: the job, and the epoch when > 0. */
  private readonly space: KvKey;
  /**
   * Index entries and metadata this storage verified, by key: each checkpoint lists and opens them
   * all again (completing, discarding), and stored bytes equal to bytes that verified under the
   * same key verify again, so each is checked and decoded once. Frozen: only read-only paths use them.
   */
  private readonly verified = new Map<string, { readonly bytes: Uint8Array; readonly value: unknown }>();

  constructor(
    readonly jobId: string, private readonly kv: KvStore, private readonly ownsStore = false, readonly epoch = 0,
    /** Where the checkpoints live (a KV file, a URL), named in errors. */
    readonly location = 'process memory',
  ) {
    if (!(Number.isInteger(epoch) && epoch >= 0)) throw new Error(`a checkpoint storage epoch must be a whole number >= 0, got ${epoch}`);
    this.space = epoch > 0 ? [jobId, 'e', epoch] : [jobId];
  }

  /** The same storage (sharing its store) with the keys of leadership `epoch`. */
  atEpoch(epoch: number): KvCheckpointStorage {
    return epoch === this.epoch ? this : new KvCheckpointStorage(this.jobId, this.kv, false, epoch, this.location);
  }

  async writeSubtaskState(checkpointId: number, state: SubtaskSnapshot): Promise<SubtaskWriteResult> {
    const { operatorUid: uid, subtaskIndex: index } = state;
    let chain = [checkpointId];
    if (!isFullKeyedState(state)) {
      const base = state.incremental!.baseCheckpointId;
      const baseEntry = base === undefined ? undefined : await this.index(base, uid, index);
      if (base === undefined || baseEntry === undefined || !baseEntry.complete) {
        throw new Error(`incremental state of operator ${uid} subtask ${index} for checkpoint ${checkpointId} builds on checkpoint ${base}, whose state is missing (aborted or discarded): the subtask must take a full snapshot`);
      }
      chain = [...baseEntry.chain, checkpointId];
    }
    const deltas = deltasOf(state);
    const entry: IndexEntry = {
      chain, keyGroups: [...deltas.keys()], complete: false,
      parallelism: state.parallelism, maxParallelism: state.maxParallelism,
    };
    // The index goes first, so a write that dies half-way is still found and cleaned by discard().
    const indexKey = this.key('cpsub', checkpointId, uid, index);
    await this.kv.set(indexKey, sealed(indexKey, entry));
    let bytes = 0, entries = 0;
    const mutations: KvMutation[] = [];
    for (const [kg, delta] of deltas) {
      const encoded = encodeValue(delta);
      bytes += encoded.byteLength;
      for (const rows of Object.values(delta.states)) entries += rows.length;
      for (const rows of Object.values(delta.deletions)) entries += rows.length;
      const key = this.key('cp', checkpointId, uid, 'kg', kg);
      mutations.push({ type: 'set', key, value: seal(keyContext(key), encoded) });
    }
    await this.kv.atomic(mutations);
    const record: SubtaskRecord = {
      keyGroupRange: state.keyGroupRange, timers: state.timers,
      operatorState: state.operatorState, unionState: state.unionState,
      ...(state.channelState ? { channelState: state.channelState } : {}),
    };
    const recordKey = this.key('cp', checkpointId, uid, 'sub', index);
    const encodedRecord = sealed(recordKey, record);
    bytes += encodedRecord.byteLength;
    await this.kv.atomic([
      { type: 'set', key: recordKey, value: encodedRecord },
      { type: 'set', key: indexKey, value: sealed(indexKey, { ...entry, complete: true }) },
    ]);
    return { entries, bytes };
  }

  async writeMetadata(checkpointId: number, input: CheckpointMetadataInput): Promise<void> {
    const operators: Record<string, OperatorMeta> = {};
    for (const { key, value } of await this.kv.list(this.key('cpsub', checkpointId))) {
      const uid = String(this.part(key, 1)), index = Number(this.part(key, 2));
      let entry: IndexEntry;
      try {
        entry = this.openedKnown(key, value, true) as IndexEntry;
      } catch (error) {
        throw new Error(`cannot complete checkpoint ${checkpointId}: the state index of operator ${uid} subtask ${index} in ${this.location} is damaged (${(error as Error).message})`);
      }
      if (!entry.complete) throw new Error(`cannot complete checkpoint ${checkpointId}: the state write of operator ${uid} subtask ${index} did not finish`);
      const op = (operators[uid] ??= { parallelism: entry.parallelism, maxParallelism: entry.maxParallelism, subtasks: {} });
      op.subtasks[index] = entry.chain;
    }
    for (const [uid, parallelism] of Object.entries(input.operators ?? {})) {
      for (let i = 0; i < parallelism; i++) {
        if (operators[uid]?.subtasks[i] === undefined) throw new Error(`cannot complete checkpoint ${checkpointId}: operator ${uid} subtask ${i} has not written its state`);
      }
    }
    const metadata: Metadata = { checkpointId, timestamp: input.timestamp, properties: input.properties ?? {}, operators };
    const metaKey = this.key('cpmeta', checkpointId);
    await this.kv.set(metaKey, sealed(metaKey, metadata));
  }

  readLatestCompleted(options?: { fallbackOnCorruption?: boolean }): Promise<CheckpointSnapshot | undefined> {
    return readLatest(this, options);
  }

  async readCheckpoint(checkpointId: number, filter: ReadFilter = {}): Promise<CheckpointSnapshot> {
    const corrupt = (detail: string): CheckpointCorruptedError => new CheckpointCorruptedError(this.jobId, checkpointId, `${detail} (in ${this.location})`);
    const metaKey = this.key('cpmeta', checkpointId);
    let raw: unknown;
    try {
      raw = await this.kv.get(metaKey);
    } catch (error) {
      throw corrupt(`its metadata cannot be read (${(error as Error).message})`);
    }
    if (raw === undefined) throw new CheckpointNotFoundError(this.jobId, checkpointId);
    // Metadata the store decoded to an object was written before seals: read that checkpoint unverified.
    const legacy = !(raw instanceof Uint8Array);
    const metadata = this.decode(metaKey, raw, legacy, 'metadata', corrupt) as Metadata;
    if (typeof metadata !== 'object' || metadata === null || typeof metadata.operators !== 'object' || metadata.operators === null) {
      throw corrupt('unreadable metadata');
    }
    if (!legacy && metadata.checkpointId !== checkpointId) throw corrupt(`its metadata is that of checkpoint ${metadata.checkpointId}`);
    const operators: Record<string, OperatorSnapshot> = {};
    try {
      for (const [uid, meta] of Object.entries(metadata.operators)) {
        if (filter.operatorUid !== undefined && uid !== filter.operatorUid) continue;
        operators[uid] = await this.readOperator(checkpointId, uid, meta, filter.keyGroupRange, legacy, corrupt);
      }
    } catch (error) {
      if (error instanceof CheckpointCorruptedError) throw error;
      throw corrupt(`its state cannot be read (${(error as Error).message})`);
    }
    return { jobId: this.jobId, checkpointId, ...(this.epoch > 0 ? { epoch: this.epoch } : {}), timestamp: metadata.timestamp, properties: metadata.properties, operators };
  }

  async discard(checkpointId: number, options: DiscardOptions = {}): Promise<void> {
    this.verified.delete(keyContext(this.key('cpmeta', checkpointId)));
    await this.kv.delete(this.key('cpmeta', checkpointId));
    const completed = new Map<number, Metadata>();
    for (const { key, value } of await this.listOwn('cpmeta')) {
      const meta = this.tryOpen(key, value) as Metadata | undefined;
      // What a damaged checkpoint builds on is unknown: nothing else is deleted this time.
      if (meta?.operators === undefined) return;
      completed.set(Number(this.part(key, 0)), meta);
    }
    const live = new Set<number>();
    for (const meta of completed.values()) {
      for (const op of Object.values(meta.operators)) for (const chain of Object.values(op.subtasks)) for (const c of chain) live.add(c);
    }
    const index: KvEntry[] = [];
    for (const { key, value } of await this.listOwn('cpsub')) {
      const entry = this.tryOpen(key, value) as IndexEntry | undefined;
      if (entry?.chain === undefined) return;
      index.push({ key, value: entry });
    }
    // Checkpoints still in flight may build on older ones: their chains stay live too (in a
    // superseded epoch none of them can complete any more).
    for (const { key, value } of index) {
      const c = Number(this.part(key, 0));
      if (c > checkpointId && !completed.has(c) && !options.superseded) for (const x of (value as IndexEntry).chain) live.add(x);
    }
    // A subtask may still be building on an aborted checkpoint until a later one completes, so
    // only checkpoints older than the newest completed one are garbage (in a superseded epoch,
    // every one up to `checkpointId` that no completed checkpoint builds on).
    const newestCompleted = options.superseded ? Infinity : Math.max(-Infinity, ...completed.keys());
    const deletions: KvMutation[] = [];
    for (const { key, value } of index) {
      const c = Number(this.part(key, 0));
      if (c > checkpointId || c >= newestCompleted || live.has(c) || completed.has(c)) continue;
      const uid = this.part(key, 1) as string, subtask = this.part(key, 2) as number;
      for (const kg of (value as IndexEntry).keyGroups) deletions.push({ type: 'delete', key: this.key('cp', c, uid, 'kg', kg) });
      deletions.push({ type: 'delete', key: this.key('cp', c, uid, 'sub', subtask) });
      deletions.push({ type: 'delete', key });
      this.verified.delete(keyContext(key));
    }
    await this.kv.atomic(deletions);
  }

  async list(): Promise<number[]> {
    let entries: KvEntry[];
    try {
      entries = await this.listOwn('cpmeta');
    } catch (error) {
      throw new Error(`the checkpoints of job ${this.jobId} in ${this.location} cannot be listed: ${(error as Error).message}`);
    }
    return entries.map((e) => this.part(e.key, 0)).filter((c): c is number => Number.isInteger(c)).sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    if (this.ownsStore) this.kv.close();
  }

  /** The key of `tag` in this storage's space: [tag, ...space, ...rest]. */
  private key(tag: string, ...rest: KvKey): KvKey { return [tag, ...this.space, ...rest]; }

  /** Part `i` of a key of this space after the space (0: the checkpoint id). */
  private part(key: KvKey, i: number): KvKey[number] { return key[1 + this.space.length + i]; }

  /** Every entry of `tag` in this space (epoch 0 lists past the keys of epochs > 0, which follow [tag, j, 'e']). */
  private async listOwn(tag: string): Promise<KvEntry[]> {
    const entries = await this.kv.list(this.key(tag));
    return this.epoch > 0 ? entries : entries.filter((e) => typeof e.key[2] === 'number');
  }

  /** The index entry of a subtask's state at a checkpoint; undefined when absent or damaged (`legacy`: unsealed accepted). */
  private async index(checkpointId: number, uid: string, subtask: number, legacy = true): Promise<IndexEntry | undefined> {
    const key = this.key('cpsub', checkpointId, uid, subtask);
    return this.tryOpen(key, await this.kv.get(key), legacy) as IndexEntry | undefined;
  }

  /** A stored value decoded, or undefined when it is absent or does not verify. */
  private tryOpen(key: KvKey, value: unknown, legacy = true): unknown {
    if (value === undefined) return undefined;
    try { return this.openedKnown(key, value, legacy); } catch { return undefined; }
  }

  /** opened(), skipping the check and the decoding for bytes equal to what verified under `key` before (read-only uses). */
  private openedKnown(key: KvKey, value: unknown, legacy: boolean): unknown {
    const context = keyContext(key);
    const known = this.verified.get(context);
    if (known !== undefined && value instanceof Uint8Array && sameBytes(known.bytes, value)) return known.value;
    const decoded = opened(key, value, legacy);
    if (isSealed(value) && typeof decoded === 'object' && decoded !== null) this.remember(context, value.slice(), decoded);
    return decoded;
  }

  /** Remembers a verified value (`bytes`: a copy of its own, as a store may alter the array it returned). */
  private remember(context: string, bytes: Uint8Array, value: object): void {
    this.verified.delete(context);
    if (this.verified.size >= VERIFIED_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(context, { bytes, value: deepFreeze(value) });
  }

  private async readOperator(
    checkpointId: number, uid: string, meta: OperatorMeta, range: KeyGroupRange | undefined, legacy: boolean,
    corruptCheckpoint: (detail: string) => CheckpointCorruptedError,
  ): Promise<OperatorSnapshot> {
    const corrupt = (detail: string): CheckpointCorruptedError => corruptCheckpoint(`operator ${uid}: ${detail}`);
    const subtasks: Record<number, SubtaskOperatorState> = {};
    const timers = new Map<number, Record<string, TimersSnapshot>>();
    // Per checkpoint of any chain: the key groups whose deltas it holds for this checkpoint.
    const expected = new Map<number, Array<{ range: KeyGroupRange; keyGroups: Set<number> }>>();
    for (const [indexText, chain] of Object.entries(meta.subtasks)) {
      const index = Number(indexText);
      const recordKey = this.key('cp', checkpointId, uid, 'sub', index);
      const record = this.decode(recordKey, await this.kv.get(recordKey), legacy, `state of subtask ${index}`, corrupt) as SubtaskRecord;
      if (typeof record !== 'object' || record === null) throw corrupt(`state of subtask ${index} is unreadable`);
      subtasks[index] = { operatorState: record.operatorState, unionState: record.unionState };
      if (record.channelState) subtasks[index] = { ...subtasks[index], channelState: record.channelState };
      for (const [kg, group] of timersByKeyGroup(record.timers ?? {}, meta.maxParallelism)) {
        if (contains(range, kg)) timers.set(kg, group);
      }
      if (!overlaps(record.keyGroupRange, range)) continue;
      for (const c of chain) {
        const entry = await this.index(c, uid, index, legacy);
        if (entry === undefined || !entry.complete || !Array.isArray(entry.keyGroups)) throw corrupt(`subtask ${index} builds on checkpoint ${c}, whose state is missing or damaged`);
        let list = expected.get(c);
        if (list === undefined) expected.set(c, list = []);
        list.push({ range: record.keyGroupRange!, keyGroups: new Set(entry.keyGroups) });
      }
    }
    const builder = new KeyGroupStateBuilder();
    for (const c of [...expected.keys()].sort((a, b) => a - b)) {
      const owners = expected.get(c)!;
      const found = new Set<number>();
      for (const { key, value } of await this.kv.list(this.key('cp', c, uid, 'kg'))) {
        const kg = Number(this.part(key, 3));
        if (!contains(range, kg) || !owners.some((o) => contains(o.range, kg) && o.keyGroups.has(kg))) continue;
        const delta = this.decode(key, value, legacy, `key group ${kg} of checkpoint ${c}`, corrupt) as KeyGroupDelta;
        if (typeof delta !== 'object' || delta === null || typeof delta.states !== 'object') throw corrupt(`key group ${kg} of checkpoint ${c} is unreadable`);
        builder.apply(kg, delta);
        found.add(kg);
      }
      for (const o of owners) {
        for (const kg of o.keyGroups) if (contains(range, kg) && !found.has(kg)) throw corrupt(`key group ${kg} of checkpoint ${c} is missing`);
      }
    }
    const keyGroups: Record<number, KeyGroupSnapshot> = {};
    for (const [kg, states] of Object.entries(builder.build())) keyGroups[Number(kg)] = { states, timers: {} };
    for (const [kg, group] of timers) keyGroups[kg] = { states: keyGroups[kg]?.states ?? {}, timers: group };
    return { maxParallelism: meta.maxParallelism, parallelism: meta.parallelism, keyGroups, subtasks };
  }

  private decode(key: KvKey, value: unknown, legacy: boolean, what: string, corrupt: (detail: string) => Error): unknown {
    if (value === undefined) throw corrupt(`${what} is missing`);
    try {
      return opened(key, value, legacy);
    } catch (error) {
      throw corrupt(`${what} is ${error instanceof SealError ? 'damaged' : 'unreadable'} (${(error as Error).message})`);
    }
  }
}

/** Checkpoints kept in process memory (memory state backend, tests); same layout as the KV storage. */
export class MemoryCheckpointStorage extends KvCheckpointStorage {
  constructor(jobId: string) { super(jobId, new MemoryKvStore(), true); }
}
