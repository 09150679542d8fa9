import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns, toColumns } from '../../../actors/network/record-columns.ts';
import { BatchDecoder, BatchEncoder } from '../../../actors/network/codec.ts';
import { Random, testSeed } from '../../support/random.ts';

/** One channel: every batch goes through the same encoder and decoder, in order, as on the wire. */
const channel = { encoder: new BatchEncoder(), decoder: new BatchDecoder() };
function roundTrip(values: readonly unknown[], timestamps: readonly number[], length: number) {
  return channel.decoder.decode(channel.encoder.encode(values, timestamps, length).slice());
}

/** Same values, same own keys in the same order (deep), and numbers identical bit for bit. */
function assertSameRecords(actual: unknown[], expected: unknown[]): void {
  assert.is(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as Record<string, unknown>;
    const e = expected[i] as Record<string, unknown>;
    assert.equal(Object.keys(a), Object.keys(e), `keys of record ${i}`);
    for (const k of Object.keys(e)) assert.ok(Object.is(a[k], e[k]), `record ${i} field ${k}: ${String(a[k])} vs ${String(e[k])}`);
  }
}

test('flat records of one shape become columns and come back identical (-0, NaN, null, booleans)', () => {
  const values = [
    { key: 'a', n: -0, ok: true, none: null },
    { key: 'b', n: NaN, ok: false, none: null },
    { key: '', n: Infinity, ok: true, none: 'x' },
  ];
  const columns = toColumns(values, values.length);
  assert.ok(columns);
  assert.equal(columns.names, ['key', 'n', 'ok', 'none']);
  assert.instance(columns.columns[1], Float64Array);
  const ints = toColumns([{ n: 1 }, { n: -(2 ** 31) }, { n: 2 ** 31 - 1 }], 3);
  assert.instance(ints?.columns[0], Int32Array);
  assert.instance(toColumns([{ n: 1 }, { n: 2 ** 31 }], 2)?.columns[0], Float64Array);
  assertSameRecords(fromColumns(columns), values);
  assertSameRecords(roundTrip(values, values.map(() => -Infinity), values.length).values, values);
});

test('only the first `length` records are taken', () => {
  const values = [{ a: 1 }, { a: 2 }, { b: 'not read' }];
  const columns = toColumns(values, 2);
  assert.ok(columns);
  assertSameRecords(fromColumns(columns), [{ a: 1 }, { a: 2 }]);
});

test('batches that are not one flat shape keep per-record encoding', () => {
  class Point { constructor(readonly x: number) {} }
  const cases: unknown[][] = [
    [{ a: 1 }, { a: 1, b: 2 }],          // an extra field
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],    // another key order
    [{ a: 1 }, { a: 'one' }],             // a column changes type
    [{ a: 1 }, { b: 1 }],                 // another field
    [{ a: { nested: 1 } }],               // a nested value
    [{ a: undefined }],                   // undefined
    [{ a: 1n }],                          // bigint
    [new Point(1)],                       // a class instance
    [{}],                                 // no fields
    [1, 2, 3],                            // not objects
    [{ a: 1 }, null],
  ];
  assert.is(toColumns([JSON.parse('{"__proto__": 1}')], 1), undefined);
  for (const values of cases) {
    assert.is(toColumns(values, values.length), undefined, String(Object.keys(values[0] ?? {})));
    const back = roundTrip(values, values.map(() => -Infinity), values.length).values;
    // The records extension writes a class instance as a plain object; everything else comes back as it was.
    assert.equal(back, values.map((v) => (v instanceof Point ? { x: v.x } : v)));
  }
});

test('integer-like keys and null-prototype records round-trip in enumeration order', () => {
  const make = (i: number): Record<string, unknown> => {
    const r = Object.create(null) as Record<string, unknown>;
    r.z = i; r['2'] = `s${i}`; r['10'] = i * 1.5;
    return r;
  };
  const values = [make(1), make(2)];
  const columns = toColumns(values, 2);
  assert.ok(columns);
  assert.equal(columns.names, ['2', '10', 'z']);
  assertSameRecords(fromColumns(columns), values);
});

test('randomized batches round-trip through the codec, in columns or not (seeded)', () => {
  const random = new Random(testSeed('record-columns'));
  const fieldPool = ['key', 'value', 'ts', 'flag', 'label', '0', 'price'];
  for (let round = 0; round < 200; round++) {
    const names = fieldPool.filter(() => random.chance(0.5));
    const kinds = names.map(() => random.pick(['number', 'string', 'boolean', 'null', 'mixed'] as const));
    const length = random.int(1, 60);
    const values = Array.from({ length }, () => {
      const r: Record<string, unknown> = {};
      names.forEach((name, f) => {
        const kind = kinds[f] === 'mixed' ? random.pick(['number', 'string'] as const) : kinds[f];
        r[name] = kind === 'number' ? random.pick([random.next() * 1e6, -0, random.int(-5, 5), 2 ** 53 + 2, NaN])
          : kind === 'string' ? 'ü'.repeat(random.int(0, 3)) + random.int(0, 99)
          : kind === 'boolean' ? random.chance(0.5) : null;
      });
      if (random.chance(0.02)) r.extra = 1;
      return r;
    });
    const timestamps = values.map((_, i) => (random.chance(0.5) ? 1_700_000_000_000 + i : -Infinity));
    const back = roundTrip(values, timestamps, length);
    if (toColumns(values, length) !== undefined) assertSameRecords(back.values, values);
    // The records extension writes -0 as the integer 0.
    else assert.equal(back.values, values.map((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Object.is(x, -0) ? 0 : x]))), `round ${round}`);
    assert.equal(back.timestamps, timestamps);
  }
});

test('malformed columns are refused with an error, never a wrong batch', () => {
  const good = () => ({ names: ['a', 'b'], columns: [new Float64Array(2), ['x', 'y']] as (Float64Array | unknown[])[], length: 2 });
  const bad: Record<string, unknown>[] = [
    { ...good(), names: ['a'] },
    { ...good(), names: ['a', 'a'] },
    { ...good(), names: ['a', 7] },
    { ...good(), names: ['__proto__', 'b'] },
    { ...good(), length: 3 },
    { ...good(), length: 0 },
    { ...good(), length: 1.5 },
    { ...good(), columns: [new Float64Array(2), 'xy'] },
    { ...good(), columns: [new Float64Array(1), ['x', 'y']] },
    { ...good(), names: 'ab' },
  ];
  for (const columns of bad) assert.throws(() => fromColumns(columns as never), /malformed record columns/, JSON.stringify(columns));
  assert.equal(fromColumns(good()), [{ a: 0, b: 'x' }, { a: 0, b: 'y' }]);
});

test('field names are data, never code', () => {
  const name = '"}; globalThis.__injected = 1; ({"';
  const values = [{ [name]: 1, 'a\u2028b': 's' }];
  const back = roundTrip(values, [-Infinity], 1).values;
  assert.equal(back, values);
  assert.is((globalThis as { __injected?: number }).__injected, undefined);
});

test.run();
