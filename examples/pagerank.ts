// PageRank as a bulk iteration in BATCH mode: the ranks are the iteration's data set; each
// superstep sends every page's rank along its links (the link table is read by the step's
// function, as a broadcast set would be), sums what each page receives by a keyBy and applies the
// damping factor. The iteration ends after `iterations` supersteps, or earlier when no rank moved
// by more than `epsilon` (the termination criterion compares each page's new rank with the old,
// which travels along with it). Runs embedded: `npx tsx examples/pagerank.ts` (Node) or
// `npx deno run -A examples/pagerank.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

/** A page, its rank and its rank before the last superstep. */
type Rank = [page: number, rank: number, previous: number];

/** PageRank of pages 0..links.length-1 (`links[p]`: pages p links to; every page links somewhere). */
export async function pageRank(links: readonly number[][], iterations: number, parallelism = 2, damping = 0.85, epsilon = 0): Promise<Float64Array> {
  const n = links.length;
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const ranks = await env.fromCollection(Array.from({ length: n }, (_, p): Rank => [p, 1 / n, Infinity]))
    .iterate(iterations, (current) => current
      .flatMap<Rank>(([page, rank], out) => {
        // The page itself, carrying its current rank, so that every page appears and the criterion can compare.
        out.collect([page, 0, rank]);
        for (const target of links[page]) out.collect([target, rank / links[page].length, 0]);
      }).name('Contributions')
      .keyBy((r) => r[0])
      .reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]]).name('Sum')
      .map(([page, sum, previous]): Rank => [page, (1 - damping) / n + damping * sum, previous]).name('Damping'),
    { terminationCriterion: (next) => next.filter(([, rank, previous]) => Math.abs(rank - previous) > epsilon) })
    .executeAndCollect('PageRank');
  const result = new Float64Array(n);
  for (const [page, rank] of ranks) result[page] = rank;
  return result;
}

// Run when started as a program, not when imported (the test imports pageRank).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const links = [[1, 2], [2], [0], [0, 2]];
  const ranks = await pageRank(links, 50, 2, 0.85, 1e-9);
  ranks.forEach((r, p) => console.log(`page ${p}: ${r.toFixed(6)}`));
}
