// The keyed-count job the cluster scenarios run, and its expected output computed by a plain loop:
// the numbers 1..records from a replayable, rate-limited generator, keyed by n % keys, a running
// count per key, written exactly-once into a CollectingStore as [key, count]. Its checks compare
// the committed records with the loop's as multisets. Imports api/ and testing/cluster.
import { DataGeneratorSource, RestartStrategies, type StreamExecutionEnvironment } from '../../api/index.ts';
import { CollectingSink, type CollectingStore } from './collecting-sink.ts';

/** Shape of a keyed-count job. */
export interface KeyedCountOptions {
  readonly records: number;
  readonly keys: number;
  /** Records per second over all source subtasks (virtual time): how long the job runs. */
  readonly ratePerSecond: number;
  /** Checkpoint interval (default 200 ms). */
  readonly checkpointIntervalMs?: number;
}

/** The job: builds its pipeline into `store`. */
export function keyedCountJob(store: CollectingStore<[number, number]>, options: KeyedCountOptions): (env: StreamExecutionEnvironment) => void {
  const { records, keys, ratePerSecond } = options;
  return (env) => {
    env.enableCheckpointing(options.checkpointIntervalMs ?? 200);
    env.setRestartStrategy(RestartStrategies.fixedDelay(1000, 200));
    env.fromSource(new DataGeneratorSource((i) => i + 1, records, { ratePerSecond }), undefined, 'numbers')
      .map((n: number): [number, number] => [n % keys, 1]).name('pair')
      .keyBy(([key]) => key)
      .sum(1).name('count')
      .sinkTo(new CollectingSink(store)).name('collect');
  };
}

/** What the job must write, by a plain loop: key k gets the counts 1..|{n <= records : n % keys = k}|. */
export function expectedKeyedCounts(records: number, keys: number): Array<[number, number]> {
  const totals = new Array<number>(keys).fill(0);
  for (let n = 1; n <= records; n++) totals[n % keys]++;
  const out: Array<[number, number]> = [];
  totals.forEach((total, key) => { for (let c = 1; c <= total; c++) out.push([key, c]); });
  return out;
}

/** Undefined when `actual` holds exactly the records of `expected` (as multisets), else the first difference. */
export function multisetDifference(actual: ReadonlyArray<readonly [number, number]>, expected: ReadonlyArray<readonly [number, number]>): string | undefined {
  const counts = new Map<string, number>();
  for (const [k, c] of expected) counts.set(`${k},${c}`, (counts.get(`${k},${c}`) ?? 0) + 1);
  for (const [k, c] of actual) {
    const id = `${k},${c}`;
    const n = counts.get(id) ?? 0;
    if (n === 0) return `record [${id}] was written ${expected.some(([a, b]) => a === k && b === c) ? 'more than once' : 'but is not expected'}`;
    counts.set(id, n - 1);
  }
  for (const [id, n] of counts) if (n > 0) return `record [${id}] is missing (${actual.length} of ${expected.length} records written)`;
  return undefined;
}
