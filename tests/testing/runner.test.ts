// The runner: seed ranges, a seed's schedule is the same every time, sweeps count failures, and the
// shrinker reduces a failing schedule to the one fault that makes it fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureLogging } from '../../actors/observability/logger.ts';
import { parseSeedRange, planFaults, replayCommand, runScenario, runSeeds, seedRange, shrinkFaults } from '../../testing/runner.ts';
import { scheduleClusterFaults, type Fault, type Scenario } from '../../testing/scenario.ts';
import { findScenario } from '../../testing/scenarios/index.ts';

configureLogging({ level: 'silent' });

/** The fault's target, for the kinds that have one. */
const targetOf = (f: Fault): string | undefined => ('target' in f ? f.target : undefined);

/** Kills TaskManagers as planned; fails its check whenever taskmanager-1 was killed. */
const fragile: Scenario = {
  name: 'fragile', description: 'fails when taskmanager-1 dies',
  cluster: { taskManagers: 3, slotsPerTaskManager: 1 },
  plan: (random) => Array.from({ length: 6 }, (_, i) => ({
    atMs: 100 * (i + 1), kind: 'kill-taskmanager' as const, target: `taskmanager-${random.int(0, 2)}`, restartAfterMs: 50,
  })),
  async run(sim, faults) {
    scheduleClusterFaults(sim, faults);
    await sim.advance(1_000);
    const killed = sim.faults.filter((f) => f.fault === 'kill taskmanager-1').length;
    sim.check('taskmanager-1 never died', killed === 0, `killed ${killed} times`);
  },
};

test('seed ranges parse, and bad ones are refused clearly', () => {
  assert.equal(parseSeedRange('3..7'), { from: 3, to: 7 });
  assert.equal(parseSeedRange('9'), { from: 9, to: 9 });
  assert.equal([...seedRange(3, 5)], [3, 4, 5]);
  assert.throws(() => parseSeedRange('7..3'), /empty/);
  assert.throws(() => parseSeedRange('a..b'), /A\.\.B/);
});

test('a seed gives the same fault schedule every time, different seeds different ones', () => {
  const s = findScenario('taskmanager-kill');
  assert.equal(planFaults(s, 17), planFaults(s, 17));
  const distinct = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(planFaults(s, seed))));
  assert.ok(distinct.size >= 4);
});

test('a sweep counts the failing seeds and the replay command names the seed', async () => {
  let seen = 0;
  const sweep = await runSeeds(fragile, seedRange(1, 4), () => { seen++; });
  assert.is(sweep.runs, 4);
  assert.is(seen, 4);
  const failing = sweep.failures.map((f) => f.report.seed);
  for (const seed of [1, 2, 3, 4]) {
    const killsTm1 = planFaults(fragile, seed).some((f) => targetOf(f) === 'taskmanager-1');
    assert.is(failing.includes(seed), killsTm1, `seed ${seed}`);
  }
  assert.is(replayCommand('fragile', 3), 'npx actorflow simulate --scenario fragile --seed 3');
});

test('the shrinker reduces a failing schedule to the single fault that matters', async () => {
  const seed = [1, 2, 3, 4, 5, 6, 7, 8].find((s) => planFaults(fragile, s).filter((f) => targetOf(f) === 'taskmanager-1').length >= 1
    && planFaults(fragile, s).length > 3)!;
  const faults = planFaults(fragile, seed);
  const shrunk = await shrinkFaults(fragile, seed, faults);
  assert.is(shrunk.faults.length, 1);
  assert.is(targetOf(shrunk.faults[0]), 'taskmanager-1');
  assert.is(shrunk.report.ok, false);
  // The shrunk schedule replays to the same failure.
  const again = await runScenario(fragile, seed, { faults: shrunk.faults });
  assert.is(again.report.traceHash, shrunk.report.traceHash);
  try {
    await shrinkFaults(fragile, seed, faults.filter((f) => targetOf(f) !== 'taskmanager-1'));
    assert.unreachable('a passing schedule was shrunk');
  } catch (error) {
    assert.match((error as Error).message, /does not fail/);
  }
});

test.run();
