// `actorflow simulate`: runs deterministic simulation scenarios (actorflow/testing) over a range
// of seeds and prints `N runs, M failed`, then for each failure its seed, the first check it
// violated, the command that replays it, and its fault schedule shrunk to a minimal one. One seed
// with --trace-hash prints `trace <hex>` (the same on every runtime); --list names the scenarios;
// `--scenario all` sweeps every available one (npm run sim).
// Imports testing/ and the logger.
import { configureLogging } from '../../actors/observability/logger.ts';
import {
  describeFault, findScenario, parseSeedRange, replayCommand, runScenario, runSeeds, scenarios, seedRange, shrinkFaults, type Fault,
  type Scenario,
} from '../../testing/index.ts';
import { UsageError } from './cluster-client.ts';

/** The options of `actorflow simulate`. */
export interface SimulateOptions {
  readonly scenario?: string;
  readonly seeds?: string;
  readonly seed?: string;
  readonly traceHash?: boolean;
  readonly trace?: boolean;
  readonly faults?: string;
  readonly shrink?: boolean;
  readonly list?: boolean;
}

/** Runs the command over `catalogue` (the built-in scenarios); resolves with the exit code (0: every run passed, 1: some failed). */
export async function simulateCommand(
  options: SimulateOptions, print: (line: string) => void = (l) => console.log(l), catalogue: readonly Scenario[] = scenarios,
): Promise<number> {
  if (options.list) {
    for (const s of catalogue) print(`${s.name.padEnd(18)} ${s.description}${s.unavailable ? ` (unavailable: ${s.unavailable})` : ''}`);
    return 0;
  }
  if (options.scenario === undefined) throw new UsageError('simulate needs --scenario NAME (or --list)');
  if ((options.seeds === undefined) === (options.seed === undefined)) throw new UsageError('simulate needs exactly one of --seeds A..B and --seed S');
  // The runtime's own warnings (a TaskManager lost, a job restarting) are what the faults cause.
  if (options.scenario === 'all') {
    if (options.seeds === undefined) throw new UsageError('--scenario all runs a seed range: give --seeds A..B');
    let code = 0;
    for (const s of catalogue.filter((x) => x.unavailable === undefined)) {
      print(`scenario ${s.name}`);
      code = Math.max(code, await simulateCommand({ ...options, scenario: s.name }, print, catalogue));
    }
    return code;
  }
  let scenario;
  try { scenario = findScenario(options.scenario, catalogue); } catch (error) { throw new UsageError((error as Error).message); }
  configureLogging({ role: 'simulation', level: 'silent' });
  if (options.seed !== undefined) {
    const { from: seed } = parseSeedRange(options.seed);
    const faults = options.faults === undefined ? undefined : parseFaults(options.faults);
    const { report } = await runScenario(scenario, seed, { faults, keepTrace: options.trace === true });
    if (options.trace) for (const line of report.trace) print(line);
    if (options.traceHash) print(`trace ${report.traceHash}`);
    print(`1 runs, ${report.ok ? 0 : 1} failed`);
    for (const c of report.checks) print(`  ${c.ok ? 'ok    ' : 'FAILED'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    return report.ok ? 0 : 1;
  }
  let range;
  try { range = parseSeedRange(options.seeds!); } catch (error) { throw new UsageError((error as Error).message); }
  const sweep = await runSeeds(scenario, seedRange(range.from, range.to));
  print(`${sweep.runs} runs, ${sweep.failures.length} failed (${(sweep.runs / (sweep.realMs / 1000)).toFixed(1)} runs/s)`);
  for (const failure of sweep.failures) {
    const { seed, firstFailure } = failure.report;
    print(`seed ${seed}: ${firstFailure!.name}${firstFailure!.detail ? `: ${firstFailure!.detail}` : ''}`);
    print(`  replay: ${replayCommand(scenario.name, seed)}`);
    if (options.shrink !== false && failure.faults.length > 1) {
      const shrunk = await shrinkFaults(scenario, seed, failure.faults);
      print(`  minimal schedule (${shrunk.faults.length} of ${failure.faults.length} faults): ${shrunk.faults.map(describeFault).join('; ') || 'no fault'}`);
      print(`  replay it: ${replayCommand(scenario.name, seed, shrunk.faults)}`);
    }
  }
  return sweep.failures.length === 0 ? 0 : 1;
}

function parseFaults(text: string): Fault[] {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch (error) { throw new UsageError(`--faults must be a JSON array of faults: ${(error as Error).message}`); }
  if (!Array.isArray(parsed) || parsed.some((f) => typeof f !== 'object' || f === null || typeof f.atMs !== 'number' || typeof f.kind !== 'string')) {
    throw new UsageError('--faults must be a JSON array of faults such as [{"atMs":500,"kind":"kill-taskmanager","target":"taskmanager-1","restartAfterMs":800}]');
  }
  return parsed as Fault[];
}
