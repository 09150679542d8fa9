// Simulation speed: runs per second of each available scenario of actorflow/testing, with the
// virtual time a run covers and the events it schedules, over seeds 1..N on the runtime this runs
// on (one warm-up seed first). Run: `npx tsx bench/simulation.ts [N]` and
// `npx deno run -A --unstable-kv bench/simulation.ts [N]`; prints a Markdown table.
import { configureLogging } from '../actors/observability/logger.ts';
import { runScenario, scenarios } from '../testing/index.ts';

const seeds = Number(process.argv[2] ?? 50);
const runtime = typeof (globalThis as { Deno?: { version: { deno: string } } }).Deno !== 'undefined'
  ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}` : `Node ${process.version}`;
configureLogging({ level: 'silent' });

console.log(`${runtime}, seeds 1..${seeds}`);
console.log('| scenario | runs | runs/s | virtual s per run | virtual s per real s | events per run | failed |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const scenario of scenarios.filter((s) => s.unavailable === undefined)) {
  await runScenario(scenario, 0);
  let virtualMs = 0, events = 0, failed = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const { report } = await runScenario(scenario, seed);
    virtualMs += report.virtualMs;
    events += report.events;
    if (!report.ok) failed++;
  }
  const realS = (performance.now() - started) / 1000;
  console.log(`| ${scenario.name} | ${seeds} | ${(seeds / realS).toFixed(1)} | ${(virtualMs / seeds / 1000).toFixed(1)} | ` +
    `${(virtualMs / 1000 / realS).toFixed(0)} | ${Math.round(events / seeds)} | ${failed} |`);
}
