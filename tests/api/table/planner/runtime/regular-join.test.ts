import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RuntimeContext } from '../../../../../api/functions/runtime-context.ts';
import { RegularJoinFunction } from '../../../../../api/table/planner/runtime/regular-join.ts';
import type { Change } from '../../../../../api/table/types/row.ts';

/** A join function on one key with map state in plain Maps, and what it emits. */
function harness(leftOuter: boolean, rightOuter: boolean) {
  const maps = new Map<string, Map<unknown, unknown>>();
  const ctx = {
    getMapState: (d: { name: string }) => {
      const m = maps.get(d.name) ?? new Map();
      maps.set(d.name, m);
      return {
        get: (k: unknown) => m.get(k), put: (k: unknown, v: unknown) => { m.set(k, v); }, remove: (k: unknown) => { m.delete(k); },
        entries: () => m.entries(), values: () => m.values(), keys: () => m.keys(), contains: (k: unknown) => m.has(k),
        isEmpty: () => m.size === 0, clear: () => m.clear(), putAll: () => {},
      };
    },
  } as unknown as RuntimeContext;
  const fn = new RegularJoinFunction({ leftOuter, rightOuter, leftArity: 1, rightArity: 1 });
  fn.open(ctx);
  const out: Change[] = [];
  const collector = { collect: (c: Change) => out.push(c) };
  const kctx = { getCurrentKey: () => '[1]' } as never;
  return {
    out,
    left: (op: Change['op'], v: unknown) => fn.processElement1({ op, row: [v] }, kctx, collector),
    right: (op: Change['op'], v: unknown) => fn.processElement2({ op, row: [v] }, kctx, collector),
  };
}

test('left join: the NULL-padded row is retracted at the first match and restored after the last', () => {
  const h = harness(true, false);
  h.left('+I', 'a');
  h.right('+I', 'x');
  h.right('+I', 'y');
  h.right('-D', 'x');
  h.right('-D', 'y');
  assert.equal(h.out, [
    { op: '+I', row: ['a', null] },
    { op: '-D', row: ['a', null] }, { op: '+I', row: ['a', 'x'] },
    { op: '+I', row: ['a', 'y'] },
    { op: '-D', row: ['a', 'x'] },
    { op: '-D', row: ['a', 'y'] }, { op: '+I', row: ['a', null] },
  ]);
});

test('full join: both sides padded while unmatched; duplicates count', () => {
  const h = harness(true, true);
  h.right('+I', 'x');
  h.left('+I', 'a');
  h.left('+I', 'a');
  h.left('-D', 'a');
  h.left('-D', 'a');
  assert.equal(h.out, [
    { op: '+I', row: [null, 'x'] },
    { op: '-D', row: [null, 'x'] }, { op: '+I', row: ['a', 'x'] },
    { op: '+I', row: ['a', 'x'] },
    { op: '-D', row: ['a', 'x'] },
    { op: '-D', row: ['a', 'x'] }, { op: '+I', row: [null, 'x'] },
  ]);
});

test.run();
