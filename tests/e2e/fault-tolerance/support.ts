// Shared pieces of the fault-tolerance end-to-end tests: a keyed counting job whose user function
// fails on command and whose progress drives a ManualClock (so periodic checkpoints happen at
// points the records decide, never after wall time), and the plain-loop expectation.
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { RestartStrategies } from '../../../api/environment/restart-strategies.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { DataGeneratorSource } from '../../../api/sources/data-generator-source.ts';
import type { DataStream } from '../../../api/datastream/data-stream.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

/** True when the running job completed a checkpoint after the one it restored (progress, not wall time). */
function checkpointedSinceRestore(count = 1): boolean {
  const ck = embeddedExecutor.lastJobMaster?.checkpointing;
  return (ck?.latestCompletedId ?? 0) - (ck?.restoredCheckpointId ?? 0) >= count;
}

/** A [key, count] pair the counting job emits. */
export type Count = [number, number];

/** Where and how the job fails (once per failure point, on any attempt). */
export interface FailurePlan {
  /** Global record counts (over all attempts) at which the map function throws. */
  readonly throwAt: number[];
  /** Throw only once a checkpoint newer than the last restored one completed (default true). */
  readonly afterCheckpoint?: boolean;
  /** How many checkpoints must have completed since the restore (default 1). */
  readonly checkpointsBefore?: number;
}

/** Options of the counting job. */
export interface CountingJob {
  readonly records: number;
  readonly keys: number;
  readonly parallelism: number;
  readonly backend: 'memory' | 'kv' | object;
  readonly plan: FailurePlan;
  /**
   * Records per second of the source on the job's ManualClock, which `drive` moves 10 ms per
   * event-loop turn (the checkpoint interval is 100 ms); default 30,000.
   */
  readonly ratePerSecond?: number;
  readonly mode?: 'exactly-once' | 'at-least-once';
}

/** The counting job: numbers 1..records (rate-limited on the clock) -> map (may throw) -> keyBy(x % keys) -> running count. */
export function countingJob(job: CountingJob): { env: StreamExecutionEnvironment; stream: DataStream<Count>; clock: ManualClock; failures: () => number } {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(job.parallelism).enableCheckpointing(100, job.mode ?? 'exactly-once');
  env.setStateBackend(job.backend as 'memory').setRestartStrategy(RestartStrategies.fixedDelay(job.plan.throwAt.length + 2, 0));
  const pending = [...job.plan.throwAt].sort((a, b) => a - b);
  const shared = { seen: 0, failures: 0 };
  const keys = job.keys;
  const source = new DataGeneratorSource((i) => i + 1, job.records, { ratePerSecond: job.ratePerSecond ?? 30_000 });
  const stream = env.fromSource(source, undefined, 'numbers')
    .map((x: number): Count => {
      const n = ++shared.seen;
      if (pending.length > 0 && n >= pending[0] && (job.plan.afterCheckpoint === false || checkpointedSinceRestore(job.plan.checkpointsBefore))) {
        pending.shift();
        shared.failures++;
        throw new Error(`injected failure at record ${n}`);
      }
      return [x % keys, 1];
    })
    .keyBy((t) => t[0])
    .reduce((a, b): Count => [a[0], a[1] + b[1]]);
  return { env, stream, clock, failures: () => shared.failures };
}

/**
 * Runs the event loop, moving `clock` 10 ms per turn, until `result` settles: the job's own
 * progress paces it, never wall time; between turns checkpoint writes complete.
 */
export async function drive<T>(clock: ManualClock, result: Promise<T>): Promise<T> {
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  while (!settled) {
    clock.advance(10);
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  return done;
}

/** Expected final count per key of the counting job, computed with a plain loop. */
export function expectedCounts(records: number, keys: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let x = 1; x <= records; x++) out.set(x % keys, (out.get(x % keys) ?? 0) + 1);
  return out;
}

/** The final (largest) running count per key in `emitted`. */
export function finalCounts(emitted: Iterable<Count>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, c] of emitted) if (c > (out.get(k) ?? 0)) out.set(k, c);
  return out;
}

/** Sorted entries, for assert.equal. */
export function sorted(m: Map<number, number>): Array<[number, number]> {
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}
