// `actorflow simulate`: --list, one seed with --trace-hash, a sweep printing `N runs, M failed` and
// for each failure its seed, first violated check, replay command and shrunk schedule; usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simulateCommand } from '../../../bin/commands/simulate.ts';
import { UsageError } from '../../../bin/commands/cluster-client.ts';
import { scheduleClusterFaults, type Scenario } from '../../../testing/scenario.ts';
import { scenarios } from '../../../testing/scenarios/index.ts';
import { cli } from '../cli-process.ts';

/** Fails its check whenever taskmanager-1 was killed (so some seeds fail). */
const fragile: Scenario = {
  name: 'fragile', description: 'fails when taskmanager-1 dies',
  cluster: { taskManagers: 3, slotsPerTaskManager: 1 },
  plan: (random) => Array.from({ length: 4 }, (_, i) => ({
    atMs: 100 * (i + 1), kind: 'kill-taskmanager' as const, target: `taskmanager-${random.int(0, 2)}`, restartAfterMs: 50,
  })),
  async run(sim, faults) {
    scheduleClusterFaults(sim, faults);
    await sim.advance(1_000);
    sim.check('taskmanager-1 never died', !sim.faults.some((f) => f.fault === 'kill taskmanager-1'), 'it was killed');
  },
};

/** Asserts that `promise` rejects with an error whose message matches `pattern` (and that `accept` holds). */
async function rejects(promise: Promise<unknown>, pattern: RegExp, accept: (e: unknown) => boolean = () => true): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.match((error as Error).message, pattern);
    assert.ok(accept(error), `unexpected error ${String(error)}`);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

async function run(options: Parameters<typeof simulateCommand>[0], catalogue: readonly Scenario[] = scenarios): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await simulateCommand(options, (l) => lines.push(l), catalogue);
  return { code, lines };
}

test('--list names every scenario, an unavailable one with why', async () => {
  const { code, lines } = await run({ list: true });
  assert.is(code, 0);
  for (const name of ['taskmanager-kill', 'leader-kill', 'partition', 'storage-failure', 'actor-supervision', 'mixed']) {
    assert.ok(lines.some((l) => l.startsWith(name)), name);
  }
  const listed = await run({ list: true }, [fragile, { ...fragile, name: 'away', unavailable: 'needs what this build lacks' }]);
  assert.match(listed.lines[1], /^away\s+fails when taskmanager-1 dies \(unavailable: needs what this build lacks\)$/);
});

test('--seed S --trace-hash prints `trace <hex>` and the same hash every time', async () => {
  const a = await run({ scenario: 'actor-supervision', seed: '4', traceHash: true });
  const b = await run({ scenario: 'actor-supervision', seed: '4', traceHash: true });
  assert.is(a.code, 0);
  assert.match(a.lines[0], /^trace [0-9a-f]{64}$/);
  assert.is(a.lines[0], b.lines[0]);
  assert.is(a.lines[1], '1 runs, 0 failed');
});

test('a sweep prints N runs, M failed, and per failure the seed, the check, the replay and the shrunk schedule', async () => {
  const { code, lines } = await run({ scenario: 'fragile', seeds: '1..6' }, [fragile]);
  assert.is(code, 1);
  const summary = /^6 runs, (\d+) failed/.exec(lines[0]);
  assert.ok(summary, lines[0]);
  const failed = Number(summary![1]);
  assert.ok(failed > 0 && failed < 6, lines.join('\n'));
  const seeds = lines.filter((l) => l.startsWith('seed '));
  assert.is(seeds.length, failed);
  assert.match(seeds[0], /^seed \d+: taskmanager-1 never died: it was killed$/);
  assert.ok(lines.some((l) => /^ {2}replay: npx actorflow simulate --scenario fragile --seed \d+$/.test(l)));
  const minimal = lines.filter((l) => l.startsWith('  minimal schedule'));
  for (const l of minimal) assert.match(l, /^ {2}minimal schedule \(1 of \d+ faults\): \d+ms kill taskmanager-1/);
});

test('a replayed shrunk schedule (--faults) runs under exactly those faults', async () => {
  const faults = JSON.stringify([{ atMs: 100, kind: 'kill-taskmanager', target: 'taskmanager-1', restartAfterMs: 50 }]);
  const { code, lines } = await run({ scenario: 'fragile', seed: '1', faults }, [fragile]);
  assert.is(code, 1);
  assert.ok(lines.includes('  FAILED taskmanager-1 never died: it was killed'));
  await rejects(run({ scenario: 'fragile', seed: '1', faults: '{nope' }, [fragile]), /--faults must be a JSON array/);
});

test('--scenario all sweeps every available scenario of the catalogue', async () => {
  const other: Scenario = { ...fragile, name: 'sturdy', plan: () => [] };
  const { code, lines } = await run({ scenario: 'all', seeds: '1..2', shrink: false }, [fragile, other, { ...other, name: 'away', unavailable: 'not here' }]);
  assert.is(code, 1);
  assert.equal(lines.filter((l) => l.startsWith('scenario ')), ['scenario fragile', 'scenario sturdy']);
  assert.match(lines[lines.indexOf('scenario sturdy') + 1], /^2 runs, 0 failed/);
  await rejects(run({ scenario: 'all', seed: '1' }), /--scenario all runs a seed range/);
});

test('usage errors name the problem', async () => {
  await rejects(run({ seeds: '1..2' }), /--scenario/, (e) => e instanceof UsageError);
  await rejects(run({ scenario: 'mixed' }), /exactly one of --seeds A\.\.B and --seed S/);
  await rejects(run({ scenario: 'nope', seed: '1' }), /unknown scenario "nope" \(known: taskmanager-kill/);
  await rejects(run({ scenario: 'away', seed: '1' }, [{ ...fragile, name: 'away', unavailable: 'needs what this build lacks' }]), /scenario away needs what this build lacks/);
  await rejects(run({ scenario: 'mixed', seeds: '5..1' }), /empty/);
});

test('the command is registered: `actorflow simulate --list` as a process', async () => {
  const { code, stdout } = await cli('simulate', '--list');
  assert.is(code, 0);
  assert.match(stdout, /^taskmanager-kill\s+TaskManagers killed/m);
});

test.run();
