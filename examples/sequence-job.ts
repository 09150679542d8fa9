// A job file for the CLI: `npx actorflow run examples/sequence-job.ts --parallelism 4`.
// The default export builds the pipeline on the environment the CLI hands it; the CLI
// executes it (embedded by default) and reports the result.
import type { StreamExecutionEnvironment } from '../api/index.ts';

/** Squares of 1..1000 that are divisible by 3, summed per residue class mod 4. */
export default function build(env: StreamExecutionEnvironment): void {
  env.fromSequence(1, 1000)
    .map((n) => n * n)
    .filter((sq) => sq % 3 === 0)
    .map((sq): [number, number] => [sq % 4, sq])
    .keyBy(([residue]) => residue)
    .sum(1)
    .print('sum');
}
