// The job the cluster scenarios run: a seeded number of records from a rate-limited generator
// through one of three shapes, committed through an exactly-once sink, checkpointed (full or
// incremental snapshots) and restarted by a fixed-delay strategy: keyed running counts (keyBy +
// sum, one pipelined region), event-time tumbling window counts (timers and window state), or a
// forward pipeline (one region per subtask: region failover). Its checks: the job finishes within
// a virtual bound after the last fault (liveness) and the committed output equals a plain loop's
// (exactly-once). Imports api/ and testing/.
import { RestartStrategies, TumblingEventTimeWindows, WatermarkStrategy } from '../../api/index.ts';
import { ExactlyOnceCollectSink } from '../../api/sinks/collect-sink.ts';
import { DataGeneratorSource } from '../../api/sources/data-generator-source.ts';
import { compareMultisets, expectedRunningCounts, expectedWindowSums } from '../checkers.ts';
import { simulatedStateBackend } from '../sim-storage.ts';
import { lastFaultEnd, type Fault } from '../scenario.ts';
import type { SimRandom } from '../sim-random.ts';
import type { Simulation } from '../simulation.ts';

/** The shape of one run's job, drawn from the seed. */
export interface KeyedCountJob {
  readonly shape: 'keyed-count' | 'windows' | 'forward';
  /** Incremental (kv backend) instead of full (memory backend) snapshots. */
  readonly incremental: boolean;
  readonly parallelism: number;
  readonly records: number;
  readonly keys: number;
  readonly ratePerSecond: number;
  readonly checkpointIntervalMs: number;
}

/** A job shape from `random`. */
export function drawKeyedCountJob(random: SimRandom): KeyedCountJob {
  return {
    shape: random.pick(['keyed-count', 'windows', 'forward'] as const), incremental: random.chance(0.5),
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
  env.setStateBackend(simulatedStateBackend(sim.storage, { incremental: job.incremental }));
  const sink = new ExactlyOnceCollectSink<unknown>();
  const { keys, records } = job;
  const source = new DataGeneratorSource((i) => i + 1, records, { ratePerSecond: job.ratePerSecond });
  let expected: unknown[];
  if (job.shape === 'keyed-count') {
    env.fromSource(source, undefined, 'generator')
      .map((x: number): [number, number] => [x % keys, 1]).keyBy((t) => t[0]).sum(1).sinkTo(sink).name('exactly-once sink');
    expected = expectedRunningCounts(Array.from({ length: records }, (_, i) => (i + 1) % keys));
  } else if (job.shape === 'windows') {
    const size = 100;
    const count = { createAccumulator: () => 0, add: (_x: number, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b };
    env.fromSource(source, WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x), 'generator')
      .keyBy((x) => x % keys).window(TumblingEventTimeWindows.of(size))
      .aggregate(count, (key: number, w: { start: number }, counts: Iterable<number>, out: { collect(r: unknown): void }) => {
        for (const n of counts) out.collect([key, w.start, n]);
      }).sinkTo(sink).name('exactly-once sink');
    expected = expectedWindowSums(Array.from({ length: records }, (_, i) => ({ key: (i + 1) % keys, value: 1, timestamp: i + 1 })), size);
  } else {
    env.fromSource(source, undefined, 'generator').map((x: number) => x * 3).sinkTo(sink).name('exactly-once sink');
    expected = Array.from({ length: records }, (_, i) => (i + 1) * 3);
  }
  await env.executeAsync(job.shape);
  const jobMaster = sim.jobMasters()[sim.jobMasters().length - 1];
  return async () => {
    const last = lastFaultEnd(faults);
    if (sim.nowMs < last) await sim.advance(last - sim.nowMs);
    const finished = await sim.eventually('liveness: the job finishes within 30 s (virtual) after the last fault',
      () => jobMaster.getStatus() === 'FINISHED' || jobMaster.getStatus() === 'FAILED', jobDurationMs(job) + 30_000);
    if (!finished) {
      // What a stuck job looks like: its status, attempt and every subtask's state.
      const subtasks = [...jobMaster.taskHandles().values()].flat().map((t) => `${t.name} ${t.state}`);
      sim.check('the stuck job\'s state', false, `status ${jobMaster.getStatus()}, attempt ${jobMaster.attemptNumber}; ${subtasks.join(', ') || 'no subtasks deployed'}`);
      return;
    }
    if (!sim.check('the job finished (not failed)', jobMaster.getStatus() === 'FINISHED', `status ${jobMaster.getStatus()}`)) return;
    const result = compareMultisets(sink.results, expected);
    sim.check(`exactly-once: the committed output (${job.shape}) equals a plain loop's`, result.ok, result.detail);
  };
}
