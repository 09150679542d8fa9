import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RuntimeContext } from '../../../../../api/functions/runtime-context.ts';
import { SetOperationFunction, type SetOpKind } from '../../../../../api/table/planner/runtime/set-operation.ts';
import type { Change } from '../../../../../api/table/types/row.ts';
import { Random, testSeed } from '../../../../support/random.ts';

/** A set operation on one row (one key) with its value state in a variable, and what it emits. */
function harness(kind: SetOpKind, all: boolean) {
  let value: unknown;
  const ctx = {
    getState: () => ({ value: () => value, update: (v: unknown) => { value = v; }, clear: () => { value = undefined; } }),
  } as unknown as RuntimeContext;
  const fn = new SetOperationFunction(kind, all);
  fn.open(ctx);
  const out: Change[] = [];
  const collector = { collect: (c: Change) => out.push(c) };
  const kctx = {} as never;
  return {
    out,
    state: () => value,
    left: (op: Change['op']) => fn.processElement1({ op, row: ['a'] }, kctx, collector),
    right: (op: Change['op']) => fn.processElement2({ op, row: ['a'] }, kctx, collector),
  };
}

test('EXCEPT takes the row back when the right side gains it and emits it again when it loses it', () => {
  const h = harness('EXCEPT', false);
  h.left('+I');
  h.left('+I');
  h.right('+I');
  h.right('-D');
  h.left('-D');
  h.left('-U');
  assert.equal(h.out.map((c) => c.op), ['+I', '-D', '+I', '-D']);
  assert.is(h.state(), undefined, 'state of a row no side holds is cleared');
});

test('the emitted changes always add up to the multiset result (random inserts and retractions)', () => {
  const seed = testSeed('table-set-operation-function');
  const random = new Random(seed);
  for (const [kind, all] of [['INTERSECT', false], ['INTERSECT', true], ['EXCEPT', false], ['EXCEPT', true]] as const) {
    const h = harness(kind, all);
    let l = 0;
    let r = 0;
    for (let i = 0; i < 300; i++) {
      const side = random.chance(0.5) ? 'left' : 'right';
      const add = random.chance(0.6) || (side === 'left' ? l : r) === 0;
      h[side](add ? '+I' : '-D');
      if (side === 'left') l += add ? 1 : -1; else r += add ? 1 : -1;
      const expected = kind === 'INTERSECT' ? (all ? Math.min(l, r) : l > 0 && r > 0 ? 1 : 0) : (all ? Math.max(l - r, 0) : l > 0 && r === 0 ? 1 : 0);
      const emitted = h.out.reduce((n, c) => n + (c.op === '+I' ? 1 : -1), 0);
      assert.is(emitted, expected, `${kind}${all ? ' ALL' : ''} after ${i + 1} changes (l=${l}, r=${r}, seed ${seed})`);
    }
  }
});

test.run();
