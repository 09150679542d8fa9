// Connected components as a delta iteration in BATCH mode (Flink's example): the solution set
// holds each vertex's component label (initially its own id), the workset the labels offered to
// vertices. Each superstep takes the smallest offer per vertex, joins it with the vertex's current
// label in the solution set, and keeps only the improvements: they are the solution set's delta,
// and they are offered to the neighbours as the next workset. The iteration ends when nothing
// improves. Runs embedded: `npx tsx examples/connected-components.ts` (Node) or
// `npx deno run -A examples/connected-components.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

/** [vertex, label] */
type Label = [number, number];

/** The component of each vertex 0..n-1 of the undirected graph `edges`: its smallest vertex id. */
export async function connectedComponents(n: number, edges: ReadonlyArray<readonly [number, number]>, parallelism = 2): Promise<number[]> {
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of edges) { neighbours[u].push(v); neighbours[v].push(u); }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const vertices = env.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v]));
  const offers = env.fromCollection(edges.flatMap(([u, v]): Label[] => [[v, u], [u, v]]));
  const labels = await vertices.iterateDelta(offers, n + 1, ([v]) => v, (solution, workset) => {
    const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a)).name('Smallest Offer');
    const improved = solution.join(best, ([v]) => v, (current, offer): Label[] => (current === undefined || offer[1] < current[1] ? [offer] : []))
      .flatMap<Label>((xs, out) => { for (const x of xs) out.collect(x); }).name('Improvements');
    const next = improved.flatMap<Label>(([v, label], out) => { for (const w of neighbours[v]) if (label < w) out.collect([w, label]); }).name('Offers');
    return [improved, next];
  }).executeAndCollect('Connected Components');
  const result = new Array<number>(n);
  for (const [v, label] of labels) result[v] = label;
  return result;
}

// Run when started as a program, not when imported (the test imports connectedComponents).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const labels = await connectedComponents(8, [[0, 1], [1, 2], [3, 4], [5, 6], [6, 7], [7, 5]]);
  labels.forEach((label, v) => console.log(`vertex ${v}: component ${label}`));
}
