// Scenario: a named chaos test over the simulation: the cluster it needs, how a seed turns into a
// schedule of faults, and what runs and is checked under that schedule. The schedule is plain
// data so that a failing one can be shrunk and replayed. Imports testing/ only.
import type { SimRandom } from './sim-random.ts';
import type { Simulation, SimulationOptions } from './simulation.ts';

/** One fault of a schedule, at `atMs` virtual ms after the run started. */
export type Fault =
  | { readonly atMs: number; readonly kind: 'kill-taskmanager'; readonly target: string; readonly restartAfterMs: number }
  | { readonly atMs: number; readonly kind: 'storage-failure'; readonly probability: number; readonly durationMs: number }
  | { readonly atMs: number; readonly kind: 'crash-actor'; readonly target: string }
  | { readonly atMs: number; readonly kind: 'kill-actor-system'; readonly target: string; readonly restartAfterMs: number }
  | { readonly atMs: number; readonly kind: 'kill-leader'; readonly restartAfterMs: number }
  | { readonly atMs: number; readonly kind: 'partition'; readonly side: readonly string[]; readonly other: readonly string[]; readonly durationMs: number };

/** A scenario the runner and `actorflow simulate` know by name. */
export interface Scenario {
  readonly name: string;
  /** One line for --list. */
  readonly description: string;
  /** Why it cannot run in this build, when it cannot (it is listed, and refuses to run with this reason). */
  readonly unavailable?: string;
  /** The simulated cluster's shape (the seed is added by the runner). */
  readonly cluster: Omit<SimulationOptions, 'seed'>;
  /** The fault schedule a seed gives. */
  plan(random: SimRandom): Fault[];
  /** Runs the workload under `faults` and records its checks on `sim`. */
  run(sim: Simulation, faults: readonly Fault[], random: SimRandom): Promise<void>;
}

/** A fault as one short line (reports, shrunk schedules). */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'kill-taskmanager': return `${f.atMs}ms kill ${f.target} (restart after ${f.restartAfterMs}ms)`;
    case 'storage-failure': return `${f.atMs}ms storage writes fail p=${f.probability} for ${f.durationMs}ms`;
    case 'crash-actor': return `${f.atMs}ms crash actor ${f.target}`;
    case 'kill-actor-system': return `${f.atMs}ms kill actor system ${f.target} (restart after ${f.restartAfterMs}ms)`;
    case 'kill-leader': return `${f.atMs}ms kill the JobManager leader (restart after ${f.restartAfterMs}ms)`;
    case 'partition': return `${f.atMs}ms partition [${f.side.join(', ')}] from [${f.other.join(', ')}] for ${f.durationMs}ms`;
  }
}

/** Schedules the cluster-level faults of `faults` on `sim` (TaskManager kills, storage failures); others are the workload's. */
export function scheduleClusterFaults(sim: Simulation, faults: readonly Fault[]): void {
  for (const f of faults) {
    if (f.kind === 'kill-taskmanager') {
      sim.at(f.atMs, () => {
        // A TaskManager already down (an overlapping kill) stays down until its own restart.
        if (sim.isAlive(f.target)) sim.kill(f.target, { restartAfterMs: f.restartAfterMs });
      });
    } else if (f.kind === 'storage-failure') {
      sim.at(f.atMs, () => sim.failStorageWrites({ probability: f.probability }));
      sim.at(f.atMs + f.durationMs, () => sim.failStorageWrites({ probability: 0 }));
    }
  }
}

/** When the last fault of `faults` ends (its restart or heal included), in virtual ms. */
export function lastFaultEnd(faults: readonly Fault[]): number {
  let end = 0;
  for (const f of faults) {
    const until = f.kind === 'storage-failure' || f.kind === 'partition' ? f.atMs + f.durationMs
      : f.kind === 'crash-actor' ? f.atMs : f.atMs + f.restartAfterMs;
    end = Math.max(end, until);
  }
  return end;
}
