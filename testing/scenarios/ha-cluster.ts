// The scenarios of a standalone HA cluster: JobManager candidates (a leader and a standby) and
// TaskManagers as actor systems on the simulated network (testing/cluster), run by the kernel of
// the simulation. The keyed-count job runs while the leader is killed and restarted, or while a
// partition cuts processes apart and heals. Checks: the job finishes within a virtual bound after
// the last fault (liveness) and its committed counts equal a plain loop's (exactly-once).
// Imports testing/.
import { CollectingStore, createSimulatedCluster, expectedKeyedCounts, keyedCountJob, multisetDifference } from '../cluster/index.ts';
import { describeFault, lastFaultEnd, type Fault } from '../scenario.ts';
import type { SimRandom } from '../sim-random.ts';
import type { Simulation } from '../simulation.ts';

const JOB_MANAGERS = 2;
const TASK_MANAGERS = 3;

/** The job's shape from the seed (drawn first by plan and by run alike). */
function drawJob(random: SimRandom): { records: number; keys: number; parallelism: number } {
  return { records: random.int(300, 1500), keys: random.int(1, 9), parallelism: random.int(1, 3) };
}
const RATE = 500;

/** Leader kills: 1-2, restarting after 0.5-5 s. */
export function planLeaderKills(random: SimRandom): Fault[] {
  const job = drawJob(random);
  const d = (job.records / RATE) * 1000;
  return Array.from({ length: random.int(1, 2) }, () => ({ atMs: random.int(200, Math.max(300, d)), kind: 'kill-leader' as const, restartAfterMs: random.int(500, 5000) }))
    .sort((a, b) => a.atMs - b.atMs);
}

/** Partitions: 1-2, of one process (a JobManager or a TaskManager) from the others, for 0.2-6 s. */
export function planPartitions(random: SimRandom): Fault[] {
  const job = drawJob(random);
  const d = (job.records / RATE) * 1000;
  const names = [...Array.from({ length: JOB_MANAGERS }, (_, i) => `jobmanager-${i}`), ...Array.from({ length: TASK_MANAGERS }, (_, i) => `taskmanager-${i}`)];
  return Array.from({ length: random.int(1, 2) }, () => {
    const cut = random.pick(names);
    return { atMs: random.int(200, Math.max(300, d)), kind: 'partition' as const, side: [cut], other: names.filter((n) => n !== cut), durationMs: random.int(200, 6000) };
  }).sort((a, b) => a.atMs - b.atMs);
}

/** Runs the job on a simulated HA cluster under `faults` and checks it. */
export async function runHaScenario(sim: Simulation, faults: readonly Fault[], random: SimRandom): Promise<void> {
  const job = drawJob(random);
  const { kernel } = sim;
  const cluster = createSimulatedCluster({
    clock: kernel.clock, random: () => kernel.random.next(), trace: (e) => kernel.note(e), turns: kernel.host,
    jobManagers: JOB_MANAGERS, taskManagers: TASK_MANAGERS, slotsPerTaskManager: 2,
  });
  try {
    await cluster.start();
    const store = new CollectingStore<[number, number]>();
    const started = sim.nowMs;
    const jobId = await cluster.submit('keyed-count', keyedCountJob(store, { records: job.records, keys: job.keys, ratePerSecond: RATE }), { parallelism: job.parallelism });
    for (const f of faults) {
      sim.at(started + f.atMs, () => {
        if (f.kind === 'kill-leader') {
          void cluster.leader().then((leader) => {
            if (leader === undefined || !cluster.isAlive(leader)) return;
            sim.recordFault(`kill ${leader} (the leader)`);
            cluster.kill(leader);
            sim.at(sim.nowMs + f.restartAfterMs, () => { sim.recordFault(`restart ${leader}`); void cluster.restart(leader); });
          });
        } else if (f.kind === 'partition') {
          sim.recordFault(describeFault(f));
          cluster.partition(f.side, f.other);
          sim.at(started + f.atMs + f.durationMs, () => { sim.recordFault('heal'); cluster.heal(); });
        }
      });
    }
    const last = started + lastFaultEnd(faults);
    if (sim.nowMs < last) await sim.advance(last - sim.nowMs);
    let status: string | undefined;
    const bound = (job.records / RATE) * 1000 + 60_000;
    for (let waited = 0; waited <= bound; waited += 100) {
      status = (await cluster.job(jobId))?.status;
      if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED') break;
      await sim.advance(100);
    }
    if (!sim.check('liveness: the job finishes within 60 s (virtual) after the last fault', status === 'FINISHED', `status ${status ?? 'unknown'}`)) return;
    const difference = multisetDifference(store.committed, expectedKeyedCounts(job.records, job.keys));
    sim.check('exactly-once: committed keyed counts equal a plain loop\'s', difference === undefined, difference);
  } finally {
    await cluster.close();
  }
}
