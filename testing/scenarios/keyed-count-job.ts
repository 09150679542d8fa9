// The job the cluster scenarios run: a seeded number of records from a rate-limited generator,
// keyed running counts (keyBy + sum), committed through an exactly-once sink, checkpointed and
// restarted by a fixed-delay strategy. Its checks: the job finishes within a virtual bound after
// the last fault (liveness) and the committed output equals a plain loop's (exactly-once).
// Imports api/ and testing/.
import { RestartStrategies } from '../../api/index.ts';
import { ExactlyOnceCollectSink } from '../../api/sinks/collect-sink.ts';
import { DataGeneratorSource } from '../../api/sources/data-generator-source.ts';
import { compareMultisets, expectedRunningCounts } from '../checkers.ts';
import { lastFaultEnd, type Fault } from '../scenario.ts';
import type { SimRandom } from '../sim-random.ts';
import type { Simulation } from '../simulation.ts';

/** The shape of one run's job, drawn from the seed. */
export interface KeyedCountJob {
  readonly parallelism: number;
  readonly records: number;
  readonly keys: number;
  readonly ratePerSecond: number;
  readonly checkpointIntervalMs: number;
}

/** A job shape from `random`. */
export function drawKeyedCountJob(random: SimRandom): KeyedCountJob {
  return {
    parallelism: random.int(1, 3), records: random.int(300, 2000), keys: random.int(1, 13), ratePerSecond: 1000,
    checkpointIntervalMs: random.pick([100, 200, 500]),
  };
}

/** Virtual ms the job needs without faults (at its rate). */
export function jobDurationMs(job: KeyedCountJob): number { return Math.ceil((job.records / job.ratePerSecond) * 1000); }

/**
 * Submits the job; returns a function that (after the faults) waits for it to finish and checks it.
 * Liveness bound: what the job needs without faults plus 30 virtual seconds after the last fault.
 */
export async function startKeyedCountJob(sim: Simulation, job: KeyedCountJob, faults: readonly Fault[]): Promise<() => Promise<void>> {
  const env = sim.environment();
  env.setParallelism(job.parallelism).enableCheckpointing(job.checkpointIntervalMs);
  env.setRestartStrategy(RestartStrategies.fixedDelay(10_000, 100));
  const sink = new ExactlyOnceCollectSink<[number, number]>();
  const keys = job.keys;
  env.fromSource(new DataGeneratorSource((i) => i, job.records, { ratePerSecond: job.ratePerSecond }), undefined, 'generator')
    .map((i: number): [number, number] => [i % keys, 1]).keyBy((t) => t[0]).sum(1).sinkTo(sink).name('exactly-once sink');
  await env.executeAsync('keyed-count');
  const jobMaster = sim.jobMasters()[sim.jobMasters().length - 1];
  return async () => {
    const last = lastFaultEnd(faults);
    if (sim.nowMs < last) await sim.advance(last - sim.nowMs);
    const finished = await sim.eventually('liveness: the job finishes within 30 s (virtual) after the last fault',
      () => jobMaster.getStatus() === 'FINISHED' || jobMaster.getStatus() === 'FAILED', jobDurationMs(job) + 30_000);
    if (!finished) return;
    if (!sim.check('the job finished (not failed)', jobMaster.getStatus() === 'FINISHED', `status ${jobMaster.getStatus()}`)) return;
    const expected = expectedRunningCounts(Array.from({ length: job.records }, (_, i) => i % keys));
    const result = compareMultisets(sink.results, expected);
    sim.check('exactly-once: committed keyed counts equal a plain loop\'s', result.ok, result.detail);
  };
}
