// The pgoutput decoder on byte fixtures built by hand from the documented message formats
// (protocol version 1): every message type, typed values by column type OID, old tuples ('K' key
// only, 'O' whole row), unchanged TOAST values taken from the old row, and clear errors for
// truncated, unknown or out-of-order input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePgoutput, PgoutputDecoder, UNCHANGED_TOAST, type TupleValue } from '../../../../api/connectors/postgres/pgoutput-decoder.ts';

/** Builds one message: big-endian integers, null-terminated strings, TupleData. */
class Msg {
  private readonly parts: number[] = [];
  constructor(kind: string) { this.byte(kind); }
  byte(v: string | number): this { this.parts.push(typeof v === 'string' ? v.charCodeAt(0) : v); return this; }
  int16(v: number): this { this.parts.push((v >> 8) & 255, v & 255); return this; }
  int32(v: number): this { this.parts.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255); return this; }
  int64(v: bigint): this { for (let s = 56n; s >= 0n; s -= 8n) this.parts.push(Number((v >> s) & 255n)); return this; }
  string(s: string): this { this.parts.push(...new TextEncoder().encode(s), 0); return this; }
  tuple(values: TupleValue[]): this {
    this.int16(values.length);
    for (const v of values) {
      if (v === null) this.byte('n');
      else if (v === UNCHANGED_TOAST) this.byte('u');
      else { const b = new TextEncoder().encode(v); this.byte('t').int32(b.length); this.parts.push(...b); }
    }
    return this;
  }
  get bytes(): Uint8Array { return Uint8Array.from(this.parts); }
}

/** Relation 16384 public.accounts (id int4 key, owner text, balance int8, ok bool, note text, score float8). */
function relation(oid = 16384, namespace = 'public', name = 'accounts'): Uint8Array {
  const m = new Msg('R').int32(oid).string(namespace).string(name).byte('f').int16(6);
  for (const [flags, col, type] of [[1, 'id', 23], [0, 'owner', 25], [0, 'balance', 20], [0, 'ok', 16], [0, 'note', 25], [0, 'score', 701]] as const) {
    m.byte(flags).string(col).int32(type).int32(-1);
  }
  return m.bytes;
}

test('Begin, Commit, Origin, Type, Truncate and Message decode field by field', () => {
  assert.equal(decodePgoutput(new Msg('B').int64(0x16_B374D848n).int64(123456789n).int32(0xFFFFFFF0).bytes),
    { type: 'begin', finalLsn: '16/B374D848', commitTime: 123456789n, xid: 0xFFFFFFF0 });
  assert.equal(decodePgoutput(new Msg('C').byte(0).int64(0x1_00000010n).int64(0x1_00000040n).int64(-5n).bytes),
    { type: 'commit', flags: 0, commitLsn: '1/10', endLsn: '1/40', commitTime: -5n });
  assert.equal(decodePgoutput(new Msg('O').int64(0xAn).string('node_a').bytes), { type: 'origin', lsn: '0/A', name: 'node_a' });
  assert.equal(decodePgoutput(new Msg('Y').int32(70000).string('app').string('mood').bytes), { type: 'type', oid: 70000, namespace: 'app', name: 'mood' });
  assert.equal(decodePgoutput(new Msg('T').int32(2).byte(3).int32(16384).int32(16390).bytes),
    { type: 'truncate', relations: [16384, 16390], cascade: true, restartIdentity: true });
  const m = decodePgoutput(new Msg('M').byte(1).int64(0x20n).string('app').int32(3).byte(1).byte(2).byte(3).bytes);
  assert.equal(m.type === 'message' && [m.transactional, m.lsn, m.prefix, [...m.content]], [true, '0/20', 'app', [1, 2, 3]]);
});

test('Relation describes the columns; Insert rows are typed by the column type OIDs as test_decoding types them', () => {
  const r = decodePgoutput(relation());
  assert.equal(r.type === 'relation' && r.relation.columns.map((c) => [c.name, c.typeOid, c.key]),
    [['id', 23, true], ['owner', 25, false], ['balance', 20, false], ['ok', 16, false], ['note', 25, false], ['score', 701, false]]);
  const d = new PgoutputDecoder();
  assert.is(d.next(relation()), undefined);
  assert.equal(d.next(new Msg('B').int64(1n).int64(0n).int32(7).bytes), { kind: 'BEGIN' });
  assert.equal(d.next(new Msg('I').int32(16384).byte('N').tuple(['1', "it's ünï", '9007199254740993', 't', null, '-1.5']).bytes),
    { table: 'public.accounts', kind: 'INSERT', new: { id: 1, owner: "it's ünï", balance: '9007199254740993', ok: true, note: null, score: -1.5 } });
  assert.equal(d.next(new Msg('I').int32(16384).byte('N').tuple(['2', '', '42', 'f', 'x', '0']).bytes)!,
    { table: 'public.accounts', kind: 'INSERT', new: { id: 2, owner: '', balance: 42, ok: false, note: 'x', score: 0 } });
  assert.equal(d.next(new Msg('C').byte(0).int64(5n).int64(9n).int64(0n).bytes), { kind: 'COMMIT', endLsn: '0/9' });
});

test("Update and Delete: 'O' old rows whole, 'K' old keys only, no old tuple, unchanged TOAST from the old row", () => {
  const d = new PgoutputDecoder();
  d.next(relation());
  const old: TupleValue[] = ['1', 'ann', '10', 't', 'long', '1'];
  assert.equal(d.next(new Msg('U').int32(16384).byte('O').tuple(old).byte('N').tuple(['1', 'bob', '12', 'f', UNCHANGED_TOAST, '2']).bytes),
    { table: 'public.accounts', kind: 'UPDATE', old: { id: 1, owner: 'ann', balance: 10, ok: true, note: 'long', score: 1 }, new: { id: 1, owner: 'bob', balance: 12, ok: false, note: 'long', score: 2 } });
  assert.equal(d.next(new Msg('U').int32(16384).byte('K').tuple(['1', null, null, null, null, null]).byte('N').tuple(['3', 'bob', '12', 'f', 'n', '2']).bytes),
    { table: 'public.accounts', kind: 'UPDATE', old: { id: 1 }, new: { id: 3, owner: 'bob', balance: 12, ok: false, note: 'n', score: 2 } });
  assert.equal(d.next(new Msg('U').int32(16384).byte('N').tuple(['3', 'cy', '1', 'f', null, '2']).bytes),
    { table: 'public.accounts', kind: 'UPDATE', new: { id: 3, owner: 'cy', balance: 1, ok: false, note: null, score: 2 } });
  assert.equal(d.next(new Msg('D').int32(16384).byte('O').tuple(old).bytes),
    { table: 'public.accounts', kind: 'DELETE', old: { id: 1, owner: 'ann', balance: 10, ok: true, note: 'long', score: 1 } });
  assert.equal(d.next(new Msg('D').int32(16384).byte('K').tuple(['4', null, null, null, null, null]).bytes), { table: 'public.accounts', kind: 'DELETE', old: { id: 4 } });
  assert.throws(() => d.next(new Msg('U').int32(16384).byte('N').tuple(['3', 'cy', '1', 'f', UNCHANGED_TOAST, '2']).bytes), /column note: an unchanged TOASTed value without the old row/);
});

test('names that need quoting are quoted as test_decoding quotes them; a later Relation message replaces the earlier', () => {
  const d = new PgoutputDecoder();
  d.next(new Msg('R').int32(5).string('Sales').string('odd name').byte('f').int16(1).byte(1).string('k').int32(23).int32(-1).bytes);
  assert.equal(d.next(new Msg('I').int32(5).byte('N').tuple(['7']).bytes), { table: '"Sales"."odd name"', kind: 'INSERT', new: { k: 7 } });
  d.next(new Msg('R').int32(5).string('sales').string('t').byte('f').int16(2).byte(1).string('k').int32(23).int32(-1).byte(0).string('v').int32(25).int32(-1).bytes);
  assert.equal(d.next(new Msg('I').int32(5).byte('N').tuple(['7', 'a']).bytes), { table: 'sales.t', kind: 'INSERT', new: { k: 7, v: 'a' } });
  assert.is(d.next(new Msg('T').int32(1).byte(0).int32(5).bytes), undefined, 'a truncate is no row change');
});

test('bad input fails clearly', () => {
  const d = new PgoutputDecoder();
  assert.throws(() => d.next(new Msg('I').int32(99).byte('N').tuple(['1']).bytes), /relation 99 before its Relation message/);
  d.next(relation());
  assert.throws(() => d.next(new Msg('I').int32(16384).byte('N').tuple(['1']).bytes), /a tuple of 1 columns for public.accounts, whose Relation message has 6/);
  const full = new Msg('B').int64(1n).int64(0n).int32(7).bytes;
  assert.throws(() => decodePgoutput(full.subarray(0, 10)), /message 'B' ends early/);
  assert.throws(() => decodePgoutput(Uint8Array.from([...full, 0])), /1 unexpected trailing bytes/);
  assert.throws(() => decodePgoutput(new Msg('S').int32(1).bytes), /unknown message type 'S'/);
  assert.throws(() => decodePgoutput(new Msg('I').int32(1).byte('X').bytes), /'X' where 'N' belongs/);
  assert.throws(() => decodePgoutput(new Msg('I').int32(1).byte('N').int16(1).byte('b').int32(0).bytes), /binary format/);
  assert.throws(() => decodePgoutput(new Msg('O').int64(1n).byte('a').bytes), /unterminated string/);
  assert.throws(() => decodePgoutput(new Uint8Array(0)), /empty message/);
});

test.run();
