// StateTable helpers: key tokens, canonical keys, snapshot copies, TTL expiry and change tracking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
