// The determinism audit: every scenario's seed gives the same trace twice in one process, and the
// same hash on Node and on Deno (the other runtime runs the same seed in a child process); the
// kernel's own order for a fixed seed is pinned by a golden hash. Injected nondeterminism is
// caught and its first differing event named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { configureLogging } from '../../actors/observability/logger.ts';
import { auditDeterminism } from '../../testing/audit.ts';
import { runScenario } from '../../testing/runner.ts';
import { scenarios } from '../../testing/scenarios/index.ts';
import { simulate } from '../../testing/simulate.ts';
import type { Simulation } from '../../testing/simulation.ts';

configureLogging({ level: 'silent' });
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** Timers, host turns and seeded draws only: the kernel's order, independent of the runtime's code. */
async function kernelOnly(sim: Simulation): Promise<void> {
  const { kernel } = sim;
  for (let i = 0; i < 20; i++) {
    kernel.clock.schedule(sim.random.int(0, 50), () => kernel.host.yieldTurn(`turn-${i}`, () => kernel.note(`draw ${sim.random.int(0, 999)}`)));
  }
  await sim.advance(100);
}

test('the kernel gives the golden trace hash for seed 42 (on every runtime)', async () => {
  const report = await simulate({ seed: 42 }, kernelOnly);
  assert.ok(report.ok, JSON.stringify(report.checks));
  assert.is(report.traceHash, GOLDEN_KERNEL_HASH, `trace:\n${report.trace.join('\n')}`);
});

for (const scenario of scenarios.filter((s) => s.unavailable === undefined)) {
  test(`${scenario.name}: one seed run twice gives the same trace`, async () => {
    const a = await runScenario(scenario, 11, { keepTrace: true });
    const b = await runScenario(scenario, 11, { keepTrace: true });
    assert.ok(a.report.trace.length > 10);
    const { describeDivergence } = await import('../../testing/trace.ts');
    assert.is(a.report.traceHash, b.report.traceHash, describeDivergence(a.report.trace, b.report.trace));
  });
}

test('Node and Deno give the same trace hash for the same seed', async () => {
  const other = isDeno ? ['npx', ['tsx', 'bin/cli.ts']] as const : ['npx', ['deno', 'run', '--allow-all', '--unstable-kv', 'bin/cli.ts']] as const;
  for (const [name, seed] of [['taskmanager-kill', 3], ['mixed', 5]] as const) {
    const out = execFileSync(other[0], [...other[1], 'simulate', '--scenario', name, '--seed', String(seed), '--trace-hash'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const theirs = /^trace ([0-9a-f]{64})$/m.exec(out)?.[1];
    assert.ok(theirs, `the other runtime printed no trace hash:\n${out}`);
    const { report } = await runScenario(scenarios.find((s) => s.name === name)!, seed);
    assert.is(report.traceHash, theirs, `${name} seed ${seed}: ${isDeno ? 'Deno' : 'Node'} and ${isDeno ? 'Node' : 'Deno'} differ`);
  }
});

test('nondeterminism that bypasses the simulation is caught and its first differing event named', async () => {
  let run = 0;
  const audit = await auditDeterminism({ seed: 5 }, async (sim) => {
    run++;
    // A delay that depends on something outside the seed (here: which run this is).
    sim.kernel.clock.schedule(10, () => sim.kernel.note('first'));
    sim.kernel.clock.schedule(run === 1 ? 20 : 5, () => sim.kernel.note('second'));
    await sim.advance(30);
  });
  assert.is(audit.deterministic, false);
  assert.match(audit.divergence!, /first differ at event 1: 10 #0 timer \| 5 #1 timer/);
});

/** sha256 of the kernel-only trace of seed 42; changes only when the kernel's order or draws change. */
const GOLDEN_KERNEL_HASH = 'e984c4e990521208e80977f923da56c0733e4b05cf23eafa822c42df1c12b496';

test.run();
