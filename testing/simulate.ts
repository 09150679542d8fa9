// simulate(): runs one scenario on a fresh simulation of one seed and reports what happened: the
// trace (every event and fault, in order) and its hash, the checks, the faults, how long it ran in
// virtual and real time. Errors of the scenario and of the runtime's events become failed checks
// rather than exceptions, so that a sweep over many seeds goes on. Modules the runtime loads lazily
// are loaded first: a dynamic import completes in real time, which no seed could order.
// Imports testing/ and the runtime's lazy loader.
import { loadHeapState } from '../actors/runtime/keyed-state-factory.ts';
import { SimKernel } from './sim-kernel.ts';
import { SimRandom } from './sim-random.ts';
import { Simulation, type CheckResult, type FaultRecord, type SimulationOptions } from './simulation.ts';
import { Trace } from './trace.ts';

/** What a run reports. */
export interface SimulationReport {
  readonly seed: number;
  /** Whether every check held and nothing failed unexpectedly. */
  readonly ok: boolean;
  /** The trace's lines (empty when the options asked not to keep them). */
  readonly trace: readonly string[];
  /** SHA-256 (hex) of the trace: the same seed gives the same hash. */
  readonly traceHash: string;
  readonly checks: readonly CheckResult[];
  readonly faults: readonly FaultRecord[];
  /** The first check that failed, if any. */
  readonly firstFailure: CheckResult | undefined;
  /** Virtual ms the run covered, events it ran, and real ms it took. */
  readonly virtualMs: number;
  readonly events: number;
  readonly realMs: number;
}

/** Runs `scenario` on a simulation of `options.seed` and reports the outcome. */
export async function simulate(options: SimulationOptions, scenario: (sim: Simulation) => Promise<void> | void): Promise<SimulationReport> {
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${options.seed}`);
  }
  await loadHeapState();
  const started = performance.now();
  const trace = new Trace(options.keepTrace ?? true);
  const kernel = new SimKernel(new SimRandom(options.seed), trace, options.maxEvents);
  const sim = new Simulation(kernel, options);
  trace.add(`seed ${options.seed}`);
  const main = (async () => {
    try {
      await scenario(sim);
    } catch (error) {
      sim.check('scenario completed', false, describe(error));
    } finally {
      await sim.shutdown();
    }
  })();
  try {
    await kernel.drive(main);
  } catch (error) {
    sim.check('simulation ran to its end', false, describe(error));
  }
  if (kernel.uncaught.length > 0) sim.check('no uncaught error in an event', false, describe(kernel.uncaught[0]));
  const checks = sim.checks;
  const firstFailure = checks.find((c) => !c.ok);
  return {
    seed: options.seed, ok: firstFailure === undefined, trace: trace.lines, traceHash: trace.digest(), checks, faults: sim.faults,
    firstFailure, virtualMs: sim.nowMs, events: kernel.eventCount, realMs: performance.now() - started,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
