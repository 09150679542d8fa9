// The fused Calc function (consecutive projections merged, identity projections dropped) against
// running its stages one by one: seeded random chains of conditions and projections over rows
// with nested rows give the same rows and call each counting function as often; and known chains
// do fuse into one array per row.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calcBody, compileCalc } from '../../../../../api/table/planner/runtime/calc-function.ts';
import type { CalcStage } from '../../../../../api/table/planner/plan-nodes.ts';
import { Random, testSeed } from '../../../../support/random.ts';

/** A projection code over a row of `width` fields (field 0 is a nested row of three in the input). */
function randomCode(random: Random, width: number, nested: boolean): string {
  const i = random.int(0, width - 1);
  switch (random.int(0, 4)) {
    case 0: case 1: return `r[${i}]`;
    case 2: return nested ? `(r[0] === null ? null : r[0][${random.int(0, 2)}])` : `r[${i}]`;
    case 3: return `h.add(r[${i}], c[0])`;
    default: return `c[1](r[${i}])`; // a user function: counts its calls
  }
}

function randomChain(random: Random, inputWidth: number, counter: { calls: number }): CalcStage[] {
  const stages: CalcStage[] = [];
  let width = inputWidth;
  let nested = true;
  const constants = [1, (x: unknown) => { counter.calls++; return x; }];
  for (let k = random.int(1, 5); k > 0; k--) {
    const condition = random.chance(0.2) ? `h.ne(r[${random.int(1, width - 1)}], c[0])` : undefined;
    let projection: string[] | undefined;
    if (random.chance(0.85)) {
      const n = random.int(1, 5);
      projection = random.chance(0.15) ? Array.from({ length: width }, (_, i) => `r[${i}]`) : Array.from({ length: n }, () => randomCode(random, width, nested));
      nested = nested && projection[0] === 'r[0]';
      width = projection.length;
      if (width < 2) { projection.push('r[0]'); width = 2; }
    }
    stages.push({ ...(condition ? { condition } : {}), ...(projection ? { projection } : {}), constants });
  }
  return stages;
}

test('fused Calc stages give the rows and the function calls of running each stage in turn', () => {
  const seed = testSeed('calc-fusion');
  const random = new Random(seed);
  let fusedSome = 0;
  for (let chain = 0; chain < 400; chain++) {
    const fusedCount = { calls: 0 };
    const stepCount = { calls: 0 };
    const stages = randomChain(random, 4, fusedCount);
    const stepStages = stages.map((s) => ({ ...s, constants: [1, (x: unknown) => { stepCount.calls++; return x; }] }));
    const fused = compileCalc(stages, 4);
    const steps = stepStages.map((s) => compileCalc([s]));
    if ((calcBody(stages, 4).match(/r = \[/g)?.length ?? 0) < stages.filter((s) => s.projection).length) fusedSome++;
    for (let n = 0; n < 20; n++) {
      const row: unknown[] = [random.chance(0.2) ? null : [random.int(0, 3), random.int(0, 3), 'x'], random.int(0, 3), random.int(0, 3), random.chance(0.3) ? null : random.int(0, 3)];
      let expected: unknown[] | null = row;
      for (const step of steps) { if (expected === null) break; expected = step(expected); }
      assert.equal(fused(row), expected, `seed ${seed}, chain ${chain}: ${calcBody(stages, 4)}`);
    }
    assert.is(fusedCount.calls, stepCount.calls, `seed ${seed}, chain ${chain}: function calls of ${calcBody(stages, 4)}`);
  }
  assert.ok(fusedSome > 50, `seed ${seed}: ${fusedSome} of 400 chains fused`);
});

test('a view projection under a query projection is one array per row; an identity projection is none', () => {
  const stages: CalcStage[] = [
    { condition: 'h.eq(r[0], c[0])', constants: [2] },
    { projection: ['(r[3] === null ? null : r[3][0])', '(r[3] === null ? null : r[3][1])', 'r[4]'], constants: [] },
    { projection: ['r[2]', 'h.mul(r[1], c[0])', 'r[0]'], constants: [10] },
  ];
  assert.is(calcBody(stages, 5).match(/r = \[/g)?.length, 1);
  assert.equal(compileCalc(stages, 5)([2, null, null, [7, 8], 9]), [9, 80, 7]);
  assert.is(compileCalc(stages, 5)([1, null, null, [7, 8], 9]), null);
  const identity = compileCalc([{ projection: ['r[0]', 'r[1]'], constants: [] }], 2);
  const row = [1, 2];
  assert.is(identity(row), row);
  assert.equal(compileCalc([{ projection: ['r[0]', 'r[1]'], constants: [] }], 3)([1, 2, 3]), [1, 2], 'fewer fields than the row: a projection');
});

test.run();
