// The scenario runner: one seed of a scenario (its fault schedule drawn from the seed, or given),
// sweeps over many seeds, and the shrinker that reduces a failing schedule to a minimal one
// (removing faults while the run still fails, until no single fault can go). Imports testing/.
import { simulate, type SimulationReport } from './simulate.ts';
import { SimRandom } from './sim-random.ts';
import { describeFault, type Fault, type Scenario } from './scenario.ts';

/** The workload's randomness of a seed (apart from the kernel's, which the seed also drives). */
function workloadRandom(seed: number): SimRandom { return new SimRandom((seed ^ 0x9e3779b9) >>> 0); }

/** The fault schedule `seed` gives in `scenario`. */
export function planFaults(scenario: Scenario, seed: number): Fault[] {
  return scenario.plan(workloadRandom(seed));
}

/** One run and the schedule it ran under. */
export interface ScenarioRun { readonly report: SimulationReport; readonly faults: readonly Fault[] }

/** Runs `scenario` for `seed`, under the seed's schedule or `options.faults`. */
export async function runScenario(scenario: Scenario, seed: number, options: { faults?: readonly Fault[]; keepTrace?: boolean } = {}): Promise<ScenarioRun> {
  if (scenario.unavailable !== undefined) throw new Error(`scenario ${scenario.name} ${scenario.unavailable}`);
  const faults = options.faults ?? planFaults(scenario, seed);
  const report = await simulate({ ...scenario.cluster, seed, keepTrace: options.keepTrace ?? false }, async (sim) => {
    for (const f of faults) sim.kernel.note(`planned ${describeFault(f)}`);
    await scenario.run(sim, faults, workloadRandom(seed));
  });
  return { report, faults };
}

/** The command that replays one seed of a scenario. */
export function replayCommand(scenario: string, seed: number, faults?: readonly Fault[]): string {
  const base = `npx actorflow simulate --scenario ${scenario} --seed ${seed}`;
  return faults === undefined ? base : `${base} --faults '${JSON.stringify(faults)}'`;
}

/** The outcome of a sweep. */
export interface SweepResult {
  readonly runs: number;
  readonly failures: ScenarioRun[];
  readonly realMs: number;
  readonly virtualMs: number;
}

/** Runs every seed of `seeds`; `onRun` sees each run as it ends. */
export async function runSeeds(scenario: Scenario, seeds: Iterable<number>, onRun?: (run: ScenarioRun) => void): Promise<SweepResult> {
  const started = performance.now();
  const failures: ScenarioRun[] = [];
  let runs = 0, virtualMs = 0;
  for (const seed of seeds) {
    const run = await runScenario(scenario, seed);
    runs++;
    virtualMs += run.report.virtualMs;
    if (!run.report.ok) failures.push(run);
    onRun?.(run);
  }
  return { runs, failures, realMs: performance.now() - started, virtualMs };
}

/**
 * Shrinks the failing schedule of `seed`: drops faults one at a time while the run still fails
 * (any check), until no single fault can go or `maxRuns` runs were spent. Returns the smallest
 * failing schedule found and the failure it gives.
 */
export async function shrinkFaults(scenario: Scenario, seed: number, faults: readonly Fault[], maxRuns = 64): Promise<ScenarioRun & { runs: number }> {
  let best = await runScenario(scenario, seed, { faults });
  if (best.report.ok) throw new Error(`seed ${seed} of ${scenario.name} does not fail under this schedule: nothing to shrink`);
  let runs = 1;
  for (let progress = true; progress && runs < maxRuns;) {
    progress = false;
    for (let i = 0; i < best.faults.length && runs < maxRuns; i++) {
      const fewer = best.faults.filter((_, j) => j !== i);
      const run = await runScenario(scenario, seed, { faults: fewer });
      runs++;
      if (!run.report.ok) { best = run; progress = true; i--; }
    }
  }
  return { ...best, runs };
}

/** Parses `A..B` (inclusive) or a single seed into the seeds it names. */
export function parseSeedRange(text: string): { from: number; to: number } {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`expected seeds as A..B or one seed, got "${text}"`);
  const from = Number(m[1]), to = Number(m[2] ?? m[1]);
  if (to < from) throw new Error(`the seed range ${text} is empty (B < A)`);
  if (to > 0xffffffff) throw new Error(`seeds go up to 2^32 - 1, got ${to}`);
  return { from, to };
}

/** The seeds from..to. */
export function* seedRange(from: number, to: number): Generator<number> { for (let s = from; s <= to; s++) yield s; }
