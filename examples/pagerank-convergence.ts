// PageRank as a bulk iteration that stops on an aggregated convergence criterion (Flink's
// iteration aggregators): the damping step is a ProcessFunction that adds |new rank - old rank|
// of its pages to the iteration aggregator "change" (a DoubleSumAggregator, exact in any order);
// after each superstep's barrier the subtasks' sums are combined, and the iteration ends after
// the first superstep whose total change is below `epsilon` (or after `maxIterations`). The step
// also reads the superstep number and the previous superstep's total through its RuntimeContext.
// Runs embedded: `npx tsx examples/pagerank-convergence.ts` (Node) or
// `npx deno run -A examples/pagerank-convergence.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import {
  DoubleSumAggregator, ProcessFunction, StreamExecutionEnvironment, type Aggregator, type Collector, type RuntimeContext,
} from '../api/index.ts';

/** A page and its rank. */
type Rank = [page: number, rank: number];
/** A page, the rank it receives in this superstep, and its rank before it. */
type Sum = [page: number, received: number, previous: number];

/** What a converged run returns: the ranks, and the total change the step saw per superstep. */
export interface ConvergedRanks {
  ranks: Float64Array;
  /** changes[s - 1]: the total change of superstep s, as getPreviousIterationAggregate read it in s + 1. */
  changes: number[];
}

/** Applies damping and adds each page's change to the "change" aggregator. */
class Damping extends ProcessFunction<Sum, Rank> {
  private change!: Aggregator<number>;
  constructor(private readonly n: number, private readonly damping: number, private readonly changes: number[]) { super(); }

  override open(ctx: RuntimeContext): void {
    this.change = ctx.getIterationAggregator<number>('change');
    const superstep = ctx.getSuperstepNumber();
    const previous = ctx.getPreviousIterationAggregate<number>('change');
    // Every subtask reads the same combined value; the first to open records it.
    if (superstep > 1 && this.changes.length < superstep - 1) this.changes.push(previous!);
  }

  processElement([page, received, previous]: Sum, _ctx: unknown, out: Collector<Rank>): void {
    const rank = (1 - this.damping) / this.n + this.damping * received;
    this.change.aggregate(Math.abs(rank - previous));
    out.collect([page, rank]);
  }
}

/** PageRank of pages 0..links.length-1 until the total change falls under `epsilon`. */
export async function pageRankUntilConverged(
  links: readonly number[][], epsilon: number, maxIterations = 100, parallelism = 2, damping = 0.85,
): Promise<ConvergedRanks> {
  const n = links.length;
  const changes: number[] = [];
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const ranks = await env.fromCollection(Array.from({ length: n }, (_, p): Rank => [p, 1 / n]))
    .iterate(maxIterations, (current) => current
      .flatMap<Sum>(([page, rank], out) => {
        out.collect([page, 0, rank]);
        for (const target of links[page]) out.collect([target, rank / links[page].length, 0]);
      }).name('Contributions')
      .keyBy((s) => s[0])
      .reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]]).name('Sum')
      .process(new Damping(n, damping, changes)).name('Damping'),
    {
      aggregators: { change: new DoubleSumAggregator() },
      convergence: { aggregator: 'change', criterion: (change: number) => change < epsilon },
    })
    .executeAndCollect('PageRank until converged');
  const result = new Float64Array(n);
  for (const [page, rank] of ranks) result[page] = rank;
  return { ranks: result, changes };
}

// Run when started as a program, not when imported (the test imports pageRankUntilConverged).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const { ranks, changes } = await pageRankUntilConverged([[1, 2], [2], [0], [0, 2]], 1e-6);
  ranks.forEach((r, p) => console.log(`page ${p}: ${r.toFixed(6)}`));
  console.log(`converged after ${changes.length + 1} supersteps; total change per superstep: ${changes.map((c) => c.toExponential(2)).join(', ')}`);
}
