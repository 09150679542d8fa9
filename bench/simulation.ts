// Simulation speed: runs per second of each available scenario of actorflow/testing, with the
// virtual time a run covers, the events it schedules and the CPU it takes, over seeds 1..N on the
// runtime this runs on (one warm-up seed first); then the long run: a keyed exactly-once
// job over 60 virtual seconds with faults (two TaskManager kills on the embedded cluster; a leader
// kill and a partition on the networked HA cluster), seeds 1..3 after a warm-up. CPU time is
// given beside real time because a loaded machine stretches the latter; the long runs also give the
// lowest CPU of their seeds (interference from other work only raises it). Run:
// `npx tsx bench/simulation.ts [N]` and `npx deno run -A --unstable-kv bench/simulation.ts [N]`;
// prints Markdown tables.
import { configureLogging } from '../actors/observability/logger.ts';
import { DataGeneratorSource, ExactlyOnceCollectSink, RestartStrategies } from '../api/index.ts';
import { compareMultisets, expectedRunningCounts, runScenario, scenarios, simulate, type Simulation, type SimulationReport } from '../testing/index.ts';

const seeds = Number(process.argv[2] ?? 50);
const runtime = typeof (globalThis as { Deno?: { version: { deno: string } } }).Deno !== 'undefined'
  ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}` : `Node ${process.version}`;
configureLogging({ level: 'silent' });

/** CPU ms of this process since `from` (user + system). */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

console.log(`${runtime}, seeds 1..${seeds}`);
console.log('| scenario | runs | runs/s | virtual s per run | virtual s per real s | CPU ms per run | virtual s per CPU s | events per run | failed |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const scenario of scenarios.filter((s) => s.unavailable === undefined)) {
  await runScenario(scenario, 0);
  let virtualMs = 0, events = 0, failed = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let seed = 1; seed <= seeds; seed++) {
    const { report } = await runScenario(scenario, seed);
    virtualMs += report.virtualMs;
    events += report.events;
    if (!report.ok) failed++;
  }
  const realS = (performance.now() - started) / 1000;
  const cpuS = cpuMs(cpu) / 1000;
  console.log(`| ${scenario.name} | ${seeds} | ${(seeds / realS).toFixed(1)} | ${(virtualMs / seeds / 1000).toFixed(1)} | ` +
    `${(virtualMs / 1000 / realS).toFixed(0)} | ${(cpuS * 1000 / seeds).toFixed(0)} | ${(virtualMs / 1000 / cpuS).toFixed(0)} | ${Math.round(events / seeds)} | ${failed} |`);
}

const RECORDS = 3600;
const KEYS = 7;

/** 3,600 records at 60 per second (60 virtual seconds), keyed running counts, exactly-once, under `faults`. */
async function longRun(seed: number, jobManagers: number, faults: (sim: Simulation) => void): Promise<SimulationReport> {
  const results: Array<[number, number]> = [];
  return simulate({ seed, jobManagers, taskManagers: 3, keepTrace: false }, async (sim) => {
    const env = sim.environment();
    env.setParallelism(2).enableCheckpointing(200).setRestartStrategy(RestartStrategies.fixedDelay(1000, 100));
    env.fromSource(new DataGeneratorSource((i) => i, RECORDS, { ratePerSecond: 60 }), undefined, 'numbers')
      .map((n: number): [number, number] => [n % KEYS, 1]).keyBy(([key]) => key).sum(1).sinkTo(new ExactlyOnceCollectSink(results));
    const client = await env.executeAsync('long-run');
    faults(sim);
    await sim.eventually('finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 120_000);
    const { ok, detail } = compareMultisets(results, expectedRunningCounts(Array.from({ length: RECORDS }, (_, n) => n % KEYS)));
    sim.check('exactly once', ok, detail);
  });
}

const longRuns: Array<[string, number, (sim: Simulation) => void]> = [
  ['embedded cluster, 2 TaskManager kills', 1, (sim) => {
    sim.at(10_000, () => sim.kill('taskmanager-1', { restartAfterMs: 2000 }));
    sim.at(30_000, () => sim.kill('taskmanager-2', { restartAfterMs: 2000 }));
  }],
  ['networked HA cluster, leader kill + partition', 2, (sim) => {
    sim.at(10_000, () => { void sim.leader().then((leader) => { if (leader) sim.kill(leader, { restartAfterMs: 3000 }); }); });
    sim.at(30_000, () => sim.partition(['taskmanager-1'], ['jobmanager-0', 'jobmanager-1', 'taskmanager-0', 'taskmanager-2']));
    sim.at(33_000, () => sim.heal());
  }],
];
console.log('\n| 60 virtual s keyed job | runs | real ms per run | CPU ms per run | lowest CPU ms | virtual s per real s | events per run | failed |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [name, jobManagers, faults] of longRuns) {
  await longRun(0, jobManagers, faults);
  let virtualMs = 0, events = 0, failed = 0;
  const runs = 3;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let lowest = Infinity;
  for (let seed = 1; seed <= runs; seed++) {
    const before = process.cpuUsage();
    const report = await longRun(seed, jobManagers, faults);
    lowest = Math.min(lowest, cpuMs(before));
    virtualMs += report.virtualMs;
    events += report.events;
    if (!report.ok) failed++;
  }
  const realMs = performance.now() - started;
  console.log(`| ${name} | ${runs} | ${(realMs / runs).toFixed(0)} | ${(cpuMs(cpu) / runs).toFixed(0)} | ${lowest.toFixed(0)} | ${(virtualMs / realMs).toFixed(0)} | ${Math.round(events / runs)} | ${failed} |`);
}
