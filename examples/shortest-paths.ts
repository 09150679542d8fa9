// Single-source shortest paths as a delta iteration in BATCH mode: the solution set holds each
// vertex's best known distance (Infinity at first, 0 at the source), the workset the distances
// offered to vertices along edges. Each superstep takes the smallest offer per vertex, joins it with
// the vertex's distance in the solution set and keeps only the improvements: they are the
// solution set's delta, and each is offered on along the vertex's out-edges as the next workset.
// The iteration ends when nothing improves (at most n supersteps, as in Bellman-Ford). Runs
// embedded: `npx tsx examples/shortest-paths.ts` (Node) or `npx deno run -A examples/shortest-paths.ts`
// (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

/** [vertex, distance] */
type Distance = [number, number];
/** A directed edge with a non-negative weight. */
export type Edge = readonly [from: number, to: number, weight: number];

/** Distances from `source` to vertices 0..n-1 over the directed `edges` (Infinity where unreachable). */
export async function shortestPaths(n: number, edges: readonly Edge[], source: number, parallelism = 2): Promise<number[]> {
  if (!(source >= 0 && source < n)) throw new RangeError(`shortestPaths: source ${source} is not a vertex of 0..${n - 1}`);
  const out: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  for (const [u, v, w] of edges) {
    if (!(w >= 0)) throw new RangeError(`shortestPaths: edge ${u}->${v} has weight ${w}; weights must be non-negative`);
    out[u].push([v, w]);
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const initial = env.fromCollection(Array.from({ length: n }, (_, v): Distance => [v, v === source ? 0 : Infinity]));
  const offers = env.fromCollection(out[source].map(([v, w]): Distance => [v, w]));
  const distances = await initial.iterateDelta(offers, n + 1, ([v]) => v, (solution, workset) => {
    const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a)).name('Smallest Offer');
    const improved = solution.join(best, ([v]) => v, (current, offer): Distance[] => (current === undefined || offer[1] < current[1] ? [offer] : []))
      .flatMap<Distance>((xs, o) => { for (const x of xs) o.collect(x); }).name('Improvements');
    const next = improved.flatMap<Distance>(([v, d], o) => { for (const [w, weight] of out[v]) o.collect([w, d + weight]); }).name('Relax');
    return [improved, next];
  }).executeAndCollect('Shortest Paths');
  const result = new Array<number>(n).fill(Infinity);
  for (const [v, d] of distances) result[v] = d;
  return result;
}

// Run when started as a program, not when imported (the test imports shortestPaths).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const d = await shortestPaths(5, [[0, 1, 4], [0, 2, 1], [2, 1, 2], [1, 3, 1], [2, 3, 5]], 0);
  d.forEach((x, v) => console.log(`vertex ${v}: ${x}`));
}
