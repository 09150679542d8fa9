// The CI sample of a scenario: a block of consecutive seeds starting at a random (printed) seed, so
// that CI explores new seeds run after run while each failure names the seed and the command that
// replays it. SIM_SEEDS sets how many seeds (npm run sim runs thousands outside the test suite).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { replayCommand, runScenario, runSeeds, seedRange } from '../../../testing/runner.ts';
import { findScenario } from '../../../testing/scenarios/index.ts';
import { testSeed } from '../../support/random.ts';

/** Registers a test that runs `count` seeds of scenario `name`, and one per regression seed. */
export function sweepTest(name: string, count: number, regressions: readonly number[] = []): void {
  configureLogging({ level: 'silent' });
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const n = env.SIM_SEEDS !== undefined ? Number(env.SIM_SEEDS) : count;
  const scenario = findScenario(name);
  for (const seed of regressions) {
    test(`${name}: regression seed ${seed} passes`, async () => {
      const { report } = await runScenario(scenario, seed);
      assert.ok(report.ok, `${report.firstFailure?.name}: ${report.firstFailure?.detail}\n  replay: ${replayCommand(name, seed)}`);
    });
  }
  test(`${name}: ${n} seeds pass every check`, async () => {
    const start = testSeed(`sim-${name}`) % 1_000_000_000;
    const sweep = await runSeeds(scenario, seedRange(start, start + n - 1));
    const lines = sweep.failures.map((f) => `seed ${f.report.seed}: ${f.report.firstFailure?.name}: ${f.report.firstFailure?.detail}\n  replay: ${replayCommand(name, f.report.seed)}`);
    console.log(`${name}: ${sweep.runs} runs, ${sweep.failures.length} failed, ${(sweep.runs / (sweep.realMs / 1000)).toFixed(1)} runs/s`);
    assert.is(sweep.runs, n);
    assert.is(sweep.failures.length, 0, lines.join('\n'));
  });
  test.run();
}
