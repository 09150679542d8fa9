// Decodes the binary messages of PostgreSQL's pgoutput plugin, protocol version 1 (the documented
// "Logical Replication Message Formats"), one message per row of
// pg_logical_slot_peek_binary_changes: Begin 'B', Commit 'C', Origin 'O', Relation 'R', Type 'Y',
// Insert 'I', Update 'U' (with an optional old tuple, 'K' key only or 'O' whole row), Delete 'D',
// Truncate 'T' and Message 'M'. PgoutputDecoder keeps the Relation messages (pgoutput sends one
// before a relation's first change in every decoding session) and turns row changes into the
// DecodedChange of the test_decoding parser, values typed by the columns' type OIDs exactly as
// test_decoding's are typed by their type names. Pure (no I/O).
import { typed, type DecodedChange } from './test-decoding-parser.ts';

/** A column of a Relation message. */
export interface RelationColumn { readonly name: string; readonly typeOid: number; readonly typeModifier: number; readonly key: boolean }

/** A Relation message: the table a change's relation OID names, and its columns in tuple order. */
export interface Relation {
  readonly oid: number;
  readonly namespace: string;
  readonly name: string;
  /** pg_class.relreplident: 'd' default, 'n' nothing, 'f' full, 'i' index. */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}

/** The marker of a TOASTed value that an update left unchanged (pgoutput does not send it again). */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

/** One column of a TupleData: null, unchanged TOAST, or PostgreSQL's text form. */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;

/** A decoded pgoutput message. LSNs are in PostgreSQL's text form ('16/B374D848'). */
export type PgoutputMessage =
  | { readonly type: 'begin'; readonly finalLsn: string; readonly commitTime: bigint; readonly xid: number }
  | { readonly type: 'commit'; readonly flags: number; readonly commitLsn: string; readonly endLsn: string; readonly commitTime: bigint }
  | { readonly type: 'origin'; readonly lsn: string; readonly name: string }
  | { readonly type: 'relation'; readonly relation: Relation }
  | { readonly type: 'type'; readonly oid: number; readonly namespace: string; readonly name: string }
  | { readonly type: 'insert'; readonly relation: number; readonly new: TupleValue[] }
  | { readonly type: 'update'; readonly relation: number; readonly oldKind?: 'K' | 'O'; readonly old?: TupleValue[]; readonly new: TupleValue[] }
  | { readonly type: 'delete'; readonly relation: number; readonly oldKind: 'K' | 'O'; readonly old: TupleValue[] }
  | { readonly type: 'truncate'; readonly relations: number[]; readonly cascade: boolean; readonly restartIdentity: boolean }
  | { readonly type: 'message'; readonly transactional: boolean; readonly lsn: string; readonly prefix: string; readonly content: Uint8Array };

/** Reads the big-endian fields of one message, failing clearly when it ends early. */
class Cursor {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array, readonly kind: string) { this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw new Error(`pgoutput: message '${this.kind}' ends early (needs ${n} more bytes at byte ${this.at} of ${this.bytes.length})`);
  }
  int8(): number { this.need(1); return this.view.getUint8(this.at++); }
  int16(): number { this.need(2); const v = this.view.getInt16(this.at); this.at += 2; return v; }
  int32(): number { this.need(4); const v = this.view.getInt32(this.at); this.at += 4; return v; }
  uint32(): number { this.need(4); const v = this.view.getUint32(this.at); this.at += 4; return v; }
  int64(): bigint { this.need(8); const v = this.view.getBigInt64(this.at); this.at += 8; return v; }
  lsn(): string { const hi = this.uint32(); const lo = this.uint32(); return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`; }
  char(): string { return String.fromCharCode(this.int8()); }
  bytesOf(n: number): Uint8Array { this.need(n); const b = this.bytes.subarray(this.at, this.at + n); this.at += n; return b; }
  /** A null-terminated UTF-8 string. */
  string(): string {
    const end = this.bytes.indexOf(0, this.at);
    if (end < 0) throw new Error(`pgoutput: message '${this.kind}' has an unterminated string at byte ${this.at}`);
    const s = decoder.decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return s;
  }
  /** A TupleData: Int16 column count, then per column 'n', 'u' or 't' (Int32 length, bytes). */
  tuple(): TupleValue[] {
    const n = this.int16();
    const values: TupleValue[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.char();
      if (k === 'n') values.push(null);
      else if (k === 'u') values.push(UNCHANGED_TOAST);
      else if (k === 't') values.push(decoder.decode(this.bytesOf(this.int32())));
      else if (k === 'b') throw new Error("pgoutput: a value in binary format ('b'); this decoder reads the text format (do not pass the option binary)");
      else throw new Error(`pgoutput: unknown tuple value kind '${k}' in column ${i + 1} of message '${this.kind}'`);
    }
    return values;
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new Error(`pgoutput: message '${this.kind}' has ${this.bytes.length - this.at} unexpected trailing bytes`);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes one pgoutput message (protocol version 1). */
export function decodePgoutput(bytes: Uint8Array): PgoutputMessage {
  if (bytes.length === 0) throw new Error('pgoutput: empty message');
  const kind = String.fromCharCode(bytes[0]);
  const c = new Cursor(bytes, kind);
  c.int8();
  const message = decodeBody(c, kind);
  c.end();
  return message;
}

function decodeBody(c: Cursor, kind: string): PgoutputMessage {
  switch (kind) {
    case 'B': return { type: 'begin', finalLsn: c.lsn(), commitTime: c.int64(), xid: c.uint32() };
    case 'C': return { type: 'commit', flags: c.int8(), commitLsn: c.lsn(), endLsn: c.lsn(), commitTime: c.int64() };
    case 'O': return { type: 'origin', lsn: c.lsn(), name: c.string() };
    case 'R': {
      const oid = c.uint32();
      const namespace = c.string();
      const name = c.string();
      const replicaIdentity = c.char();
      const columns: RelationColumn[] = [];
      for (let n = c.int16(); n > 0; n--) {
        const flags = c.int8();
        columns.push({ name: c.string(), typeOid: c.uint32(), typeModifier: c.int32(), key: (flags & 1) === 1 });
      }
      return { type: 'relation', relation: { oid, namespace, name, replicaIdentity, columns } };
    }
    case 'Y': return { type: 'type', oid: c.uint32(), namespace: c.string(), name: c.string() };
    case 'I': {
      const relation = c.uint32();
      expect(c, 'N', kind);
      return { type: 'insert', relation, new: c.tuple() };
    }
    case 'U': {
      const relation = c.uint32();
      let k = c.char();
      if (k === 'K' || k === 'O') {
        const old = c.tuple();
        const oldKind = k;
        k = c.char();
        if (k !== 'N') throw new Error(`pgoutput: message 'U' has '${k}' where the new tuple ('N') belongs`);
        return { type: 'update', relation, oldKind, old, new: c.tuple() };
      }
      if (k !== 'N') throw new Error(`pgoutput: message 'U' has '${k}' where 'K', 'O' or 'N' belongs`);
      return { type: 'update', relation, new: c.tuple() };
    }
    case 'D': {
      const relation = c.uint32();
      const k = c.char();
      if (k !== 'K' && k !== 'O') throw new Error(`pgoutput: message 'D' has '${k}' where 'K' or 'O' belongs`);
      return { type: 'delete', relation, oldKind: k, old: c.tuple() };
    }
    case 'T': {
      const n = c.int32();
      const options = c.int8();
      const relations: number[] = [];
      for (let i = 0; i < n; i++) relations.push(c.uint32());
      return { type: 'truncate', relations, cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0 };
    }
    case 'M': {
      const flags = c.int8();
      const lsn = c.lsn();
      const prefix = c.string();
      return { type: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: c.bytesOf(c.int32()) };
    }
    default: throw new Error(`pgoutput: unknown message type '${kind}' (0x${kind.charCodeAt(0).toString(16)}); this decoder reads protocol version 1`);
  }
}

function expect(c: Cursor, want: string, kind: string): void {
  const k = c.char();
  if (k !== want) throw new Error(`pgoutput: message '${kind}' has '${k}' where '${want}' belongs`);
}

/** The type names test_decoding prints for the built-in types that `typed` converts (others stay text). */
const TYPE_NAMES = new Map<number, string>([
  [16, 'boolean'], [20, 'bigint'], [21, 'smallint'], [23, 'integer'], [26, 'oid'], [700, 'real'], [701, 'double precision'],
]);

/** What a message means to the change stream: a transaction's bounds, a row change, or nothing. */
export type PgoutputEvent = { readonly kind: 'BEGIN' } | { readonly kind: 'COMMIT'; readonly endLsn: string } | DecodedChange;

/** Decodes a stream of pgoutput messages into row changes, keeping the relations it was sent. */
export class PgoutputDecoder {
  private readonly relations = new Map<number, Relation>();

  /** The event of one message; undefined for messages that carry no row change (Relation, Type, Origin, Truncate, Message). */
  next(bytes: Uint8Array): PgoutputEvent | undefined {
    const m = decodePgoutput(bytes);
    switch (m.type) {
      case 'begin': return { kind: 'BEGIN' };
      case 'commit': return { kind: 'COMMIT', endLsn: m.endLsn };
      case 'relation': this.relations.set(m.relation.oid, m.relation); return undefined;
      case 'insert': { const r = this.relation(m.relation); return { table: tableName(r), kind: 'INSERT', new: row(r, m.new) }; }
      case 'update': {
        const r = this.relation(m.relation);
        const old = m.old === undefined ? undefined : row(r, m.old, m.oldKind === 'K');
        return { table: tableName(r), kind: 'UPDATE', ...(old ? { old } : {}), new: row(r, m.new, false, m.old) };
      }
      case 'delete': { const r = this.relation(m.relation); return { table: tableName(r), kind: 'DELETE', old: row(r, m.old, m.oldKind === 'K') }; }
      default: return undefined;
    }
  }

  /** The relation with OID `oid`, as its last Relation message described it. */
  relation(oid: number): Relation {
    const r = this.relations.get(oid);
    if (r === undefined) throw new Error(`pgoutput: a change of relation ${oid} before its Relation message`);
    return r;
  }
}

/** 'schema.table' as test_decoding names it (each part quoted when it is not a plain lower-case identifier). */
export function tableName(r: Relation): string {
  return `${quoteIdent(r.namespace === '' ? 'pg_catalog' : r.namespace)}.${quoteIdent(r.name)}`;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * A tuple as a typed row. A key-only old tuple keeps the key columns (as test_decoding's old-key);
 * an unchanged TOAST value of a new tuple takes the old tuple's value (sent in full under REPLICA
 * IDENTITY FULL), and without one it is an error rather than a wrong value.
 */
function row(r: Relation, values: TupleValue[], keyOnly = false, old?: TupleValue[]): Record<string, unknown> {
  if (values.length !== r.columns.length) throw new Error(`pgoutput: a tuple of ${values.length} columns for ${tableName(r)}, whose Relation message has ${r.columns.length}`);
  const out: Record<string, unknown> = {};
  r.columns.forEach((col, i) => {
    if (keyOnly && !col.key) return;
    let v = values[i];
    if (v === UNCHANGED_TOAST) {
      const before = old?.[i];
      if (before === undefined || before === UNCHANGED_TOAST) throw new Error(`pgoutput: ${tableName(r)} column ${col.name}: an unchanged TOASTed value without the old row to take it from (the table needs REPLICA IDENTITY FULL)`);
      v = before;
    }
    out[col.name] = typed(TYPE_NAMES.get(col.typeOid) ?? 'text', v);
  });
  return out;
}
