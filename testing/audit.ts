// The determinism audit: runs one seed twice and compares the traces' hashes; when they differ it
// runs both again keeping the lines and names the first event where they part (whatever reached
// the runtime without going through the simulation shows up there). Imports testing/.
import { simulate, type SimulationReport } from './simulate.ts';
import type { Simulation, SimulationOptions } from './simulation.ts';
import { describeDivergence } from './trace.ts';

/** The outcome of an audit. */
export interface DeterminismAudit {
  readonly deterministic: boolean;
  readonly traceHash: string;
  /** The first differing event of the two runs, when they differ. */
  readonly divergence?: string;
  readonly first: SimulationReport;
}

/** Runs `scenario` twice on `options.seed`: the traces must be equal. */
export async function auditDeterminism(options: SimulationOptions, scenario: (sim: Simulation) => Promise<void> | void): Promise<DeterminismAudit> {
  const first = await simulate({ ...options, keepTrace: true }, scenario);
  const second = await simulate({ ...options, keepTrace: true }, scenario);
  if (first.traceHash === second.traceHash) return { deterministic: true, traceHash: first.traceHash, first };
  return { deterministic: false, traceHash: first.traceHash, divergence: describeDivergence(first.trace, second.trace), first };
}
