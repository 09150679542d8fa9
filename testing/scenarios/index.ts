// The scenarios `actorflow simulate` and the test suite run, by name. The cluster scenarios run the
// keyed-count job (exactly-once, liveness); the actor ones run the supervised counter program
// (lifecycle, no lost acknowledged state); `mixed` runs both under every fault kind at once.
// `leader-kill` and `partition` run the job on a standalone HA cluster (JobManager candidates and
// TaskManagers on the simulated network, testing/cluster). Imports testing/.
import { lastFaultEnd, scheduleClusterFaults, type Fault, type Scenario } from '../scenario.ts';
import type { SimRandom } from '../sim-random.ts';
import { planProgramFaults, startCounterProgram } from './counter-program.ts';
import { drawKeyedCountJob, jobDurationMs, startKeyedCountJob } from './keyed-count-job.ts';
import { planLeaderKills, planPartitions, runHaScenario } from './ha-cluster.ts';

const TASK_MANAGERS = 3;

function killPlan(random: SimRandom, count: number, withinMs: number): Fault[] {
  return Array.from({ length: count }, () => ({
    atMs: random.int(0, withinMs), kind: 'kill-taskmanager' as const, target: `taskmanager-${random.int(0, TASK_MANAGERS - 1)}`,
    restartAfterMs: random.int(100, 3000),
  }));
}

function storagePlan(random: SimRandom, count: number, withinMs: number): Fault[] {
  return Array.from({ length: count }, () => ({
    atMs: random.int(0, withinMs), kind: 'storage-failure' as const, probability: random.pick([0.2, 0.5, 1]), durationMs: random.int(100, 2000),
  }));
}

/** A cluster scenario: the keyed-count job under the faults `plan` draws. */
function jobScenario(name: string, description: string, plan: (random: SimRandom, durationMs: number) => Fault[]): Scenario {
  return {
    name, description,
    cluster: { taskManagers: TASK_MANAGERS, slotsPerTaskManager: 2 },
    // The job's shape is drawn first, from the same stream, so a plan always fits its job.
    plan: (random) => { const job = drawKeyedCountJob(random); return plan(random, jobDurationMs(job)).sort((a, b) => a.atMs - b.atMs); },
    async run(sim, faults, random) {
      const job = drawKeyedCountJob(random);
      const finish = await startKeyedCountJob(sim, job, faults);
      scheduleClusterFaults(sim, faults);
      await finish();
    },
  };
}

/** Every scenario, in --list order. */
export const scenarios: readonly Scenario[] = [
  jobScenario('taskmanager-kill', 'TaskManagers killed and restarted while the keyed-count job runs (exactly-once, liveness)',
    (random, d) => killPlan(random, random.int(1, 3), d)),
  jobScenario('storage-failure', 'checkpoint storage writes fail for a while (exactly-once, liveness)',
    (random, d) => storagePlan(random, random.int(1, 3), d)),
  {
    name: 'actor-supervision',
    description: 'a supervised persistent counter crashed and its actor system killed (lifecycle states, no lost acknowledged state)',
    cluster: { taskManagers: 1, slotsPerTaskManager: 1 },
    plan: (random) => planProgramFaults(random, 3_000, { crashes: [1, 6], kills: [0, 2] }),
    async run(sim, faults, random) {
      const finish = startCounterProgram(sim, faults, random, 3_000);
      await finish();
    },
  },
  {
    name: 'mixed',
    description: 'the job and the actor program together under TaskManager kills, storage failures, crashes and system kills',
    cluster: { taskManagers: TASK_MANAGERS, slotsPerTaskManager: 2 },
    plan(random) {
      const job = drawKeyedCountJob(random);
      const d = jobDurationMs(job);
      return [...killPlan(random, random.int(0, 2), d), ...storagePlan(random, random.int(0, 2), d),
        ...planProgramFaults(random, Math.max(d, 1000), { crashes: [0, 4], kills: [0, 1] })].sort((a, b) => a.atMs - b.atMs);
    },
    async run(sim, faults, random) {
      const job = drawKeyedCountJob(random);
      const finishJob = await startKeyedCountJob(sim, job, faults);
      scheduleClusterFaults(sim, faults);
      const finishProgram = startCounterProgram(sim, faults, random, Math.max(jobDurationMs(job), 1000));
      await finishProgram();
      await finishJob();
    },
  },
  {
    name: 'leader-kill', description: 'on an HA cluster (2 JobManagers, 3 TaskManagers, simulated network): the leader killed, a standby takes over (exactly-once, liveness)',
    cluster: { taskManagers: 1, slotsPerTaskManager: 1 }, plan: planLeaderKills, run: runHaScenario,
  },
  {
    name: 'partition', description: 'on an HA cluster: a JobManager or TaskManager cut from the others by a partition, healed later (exactly-once, liveness)',
    cluster: { taskManagers: 1, slotsPerTaskManager: 1 }, plan: planPartitions, run: runHaScenario,
  },
];

/** The scenario named `name`; a clear error naming the known ones otherwise. */
export function findScenario(name: string, catalogue: readonly Scenario[] = scenarios): Scenario {
  const s = catalogue.find((x) => x.name === name);
  if (s === undefined) throw new Error(`unknown scenario "${name}" (known: ${catalogue.map((x) => x.name).join(', ')})`);
  if (s.unavailable !== undefined) throw new Error(`scenario ${name} ${s.unavailable}`);
  return s;
}

export { lastFaultEnd };
