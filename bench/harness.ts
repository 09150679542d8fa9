// The benchmark harness. A workload file `bench/w<N>-<name>.ts` registers itself on import:
//
//   benchmark('w6-actor-messaging', {
//     records: 1_000_000,                       // units of work per run (for the per-second figures)
//     setup?: () => void | Promise<void>,       // once, before the warm-up
//     teardown?: () => void | Promise<void>,    // once, after the last run (also after a failure)
//     baseline: () => number | Promise<number>, // the reference implementation; returns records done
//     subject: () => number | Promise<number>,  // the code under test; returns records done
//     runs?: 5, warmup?: 1,
//   });
//
// `bench/run.ts` imports every `bench/w*.ts`, then runs each benchmark: warm-up, then `runs`
// measured runs of baseline and subject alternately (gc() between runs when --expose-gc), and
// prints one line: `name: subject X/s, baseline Y/s, ratio R (median of N runs)`. A run that
// returns a record count other than `records` is an error: a benchmark must not measure a wrong
// answer fast. Imports nothing from the runtime.

/** One registered workload. */
export interface BenchmarkSpec {
  /** Units of work one run performs (records, messages, events). */
  readonly records: number;
  /** Runs once before the warm-up (e.g. to build input data). */
  readonly setup?: () => void | Promise<void>;
  /** Runs once after the last run, also when a run failed (e.g. to stop worker threads). */
  readonly teardown?: () => void | Promise<void>;
  /** The same work done by the reference implementation; returns the records it processed. */
  readonly baseline: () => number | Promise<number>;
  /** The work through the code under test; returns the records it processed. */
  readonly subject: () => number | Promise<number>;
  /** Measured runs (at least 5). */
  readonly runs?: number;
  /** Unmeasured runs first. */
  readonly warmup?: number;
}

/** A benchmark's measured figures. */
export interface BenchmarkResult {
  readonly name: string;
  readonly subjectPerSecond: number;
  readonly baselinePerSecond: number;
  readonly ratio: number;
  readonly runs: number;
}

const registry = new Map<string, BenchmarkSpec>();

/** Registers a workload under `name` (called at module load by bench/w*.ts files). */
export function benchmark(name: string, spec: BenchmarkSpec): void {
  if (registry.has(name)) throw new Error(`benchmark '${name}' is registered twice`);
  registry.set(name, spec);
}

/** A workload that measures and prints its own figures, one line each (e.g. one per Nexmark query). */
export type ReportingBenchmark = () => Promise<void>;

const reporting = new Map<string, ReportingBenchmark>();

/** Registers a workload that prints its own lines; `bench/run.ts` runs it after the others. */
export function reportingBenchmark(name: string, run: ReportingBenchmark): void {
  if (registry.has(name) || reporting.has(name)) throw new Error(`benchmark '${name}' is registered twice`);
  reporting.set(name, run);
}

/** Every registered reporting workload, by name. */
export function registeredReportingBenchmarks(): ReadonlyMap<string, ReportingBenchmark> {
  return reporting;
}

/** Every registered benchmark, by name. */
export function registeredBenchmarks(): ReadonlyMap<string, BenchmarkSpec> {
  return registry;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function timeOnce(name: string, which: string, fn: () => number | Promise<number>, records: number): Promise<number> {
  collectGarbage();
  const start = performance.now();
  const done = await fn();
  const elapsedMs = performance.now() - start;
  if (done !== records) throw new Error(`${name} ${which}: processed ${done} records, expected ${records}`);
  return records / (elapsedMs / 1000);
}

/** Runs one benchmark: warm-up, then alternating measured runs; returns the medians. */
export async function runBenchmark(name: string, spec: BenchmarkSpec): Promise<BenchmarkResult> {
  const runs = Math.max(5, spec.runs ?? 5);
  const subject: number[] = [];
  const baseline: number[] = [];
  try {
    await spec.setup?.();
    for (let i = 0; i < (spec.warmup ?? 1); i++) {
      await timeOnce(name, 'baseline', spec.baseline, spec.records);
      await timeOnce(name, 'subject', spec.subject, spec.records);
    }
    for (let i = 0; i < runs; i++) {
      baseline.push(await timeOnce(name, 'baseline', spec.baseline, spec.records));
      subject.push(await timeOnce(name, 'subject', spec.subject, spec.records));
    }
  } finally {
    await spec.teardown?.();
  }
  const subjectPerSecond = median(subject);
  const baselinePerSecond = median(baseline);
  return { name, subjectPerSecond, baselinePerSecond, ratio: subjectPerSecond / baselinePerSecond, runs };
}

/** Formats a rate: 1234567 -> '1.23 M/s'. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** The one line printed per benchmark. */
export function formatResult(r: BenchmarkResult): string {
  return `${r.name}: subject ${formatRate(r.subjectPerSecond)}, baseline ${formatRate(r.baselinePerSecond)}, ratio ${r.ratio.toFixed(2)} (median of ${r.runs} runs)`;
}
