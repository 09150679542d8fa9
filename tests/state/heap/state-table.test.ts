// StateTable: key tokens, canonical keys, snapshot copies, TTL expiry, change tracking, and the
// remembered entry and slot against a plain model under random reads, writes and removals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random, testSeed } from '../../support/random.ts';
import { canonicalKey, ChangeLog, copyValue, keyToken, StateTable, type CurrentKey } from '../../../state/heap/state-table.ts';

test('keyToken: primitives are themselves, composite keys compare by value and never equal strings', () => {
  assert.is(keyToken('a'), 'a'); assert.is(keyToken(3), 3);
  assert.is(keyToken(['a', 1]), keyToken(['a', 1]));
  assert.is.not(keyToken(['a', 1]), keyToken(['a', '1']));
  assert.is.not(keyToken([['a'], 'b']), keyToken(['a', ['b']]));
  assert.is.not(keyToken(['x']), canonicalKey(['x']));
});

test('copyValue: deep copies objects, passes primitives', () => {
  const v = { a: [1, { b: 2 }] };
  const c = copyValue(v);
  assert.equal(c, v); assert.ok(c !== v && c.a !== v.a);
  assert.is(copyValue(5), 5); assert.is(copyValue(null), null);
});

test('TTL expiry and the change log', () => {
  let now = 0;
  const current: CurrentKey = { key: 'k', token: 'k', keyGroup: 2, groupIndex: 0 };
  const log = new ChangeLog();
  const table = new StateTable('s', 2, 3, current, log, () => now);
  table.ttlMs = 10;
  table.put('', 1);
  assert.is(log.entries.length, 0, 'not tracking until asked');
  log.tracking = true;
  const e = table.put('', 2);
  table.put('', 3);
  assert.is(log.entries.length, 1, 'an entry is logged once');
  now = 9; assert.is(table.find('')?.value, 3);
  now = 10; assert.is(table.find(''), undefined);
  assert.not.ok(e.live);
  assert.is(table.size(), 0);
  table.put('', 4); now = 30;
  assert.is(table.expire(now).length, 1);
});

test('randomized: reads, writes and removals over keys and namespaces agree with a Map model', () => {
  const rnd = new Random(testSeed('state-table'));
  const current: CurrentKey = { key: undefined, token: undefined, keyGroup: 0, groupIndex: 0 };
  const table = new StateTable('s', 0, 4, current, new ChangeLog(), () => 0);
  const model = new Map<string, number>();
  // Fresh strings for equal keys, and numbers beyond small integers, as records produce them.
  const keys = Array.from({ length: 6 }, (_, i) => i % 2 === 0 ? i : 'k' + i);
  const setKey = (k: string | number): void => {
    const key = typeof k === 'string' ? ('k' + k.slice(1)).slice(0) : k;
    current.key = key; current.token = keyToken(key); current.keyGroup = keys.indexOf(k) % 4; current.groupIndex = current.keyGroup;
  };
  for (let step = 0; step < 40000; step++) {
    const k = rnd.pick(keys);
    if (current.key !== k || rnd.chance(0.3)) setKey(k);
    const ns = rnd.chance(0.2) ? '' : 1.7e12 + 1000 * rnd.int(0, 5);
    const id = `${String(k)}|${ns}`;
    const op = rnd.int(0, 9);
    if (op < 4) assert.is(table.find(ns)?.value, model.get(id), `find at step ${step}`);
    else if (op < 7) { const v = rnd.int(0, 1e6); table.put(ns, v); model.set(id, v); }
    else if (op < 9) { table.removeCurrent(ns); model.delete(id); }
    else {
      // A removal through another path (expiry, restore) between accesses of the current key.
      const entry = table.lookup(current.keyGroup, current.token, ns);
      if (entry) { table.remove(entry); model.delete(id); }
    }
    if (step % 5000 === 0) assert.is(table.size(), model.size);
  }
  assert.is(table.size(), model.size);
});

test.run();
