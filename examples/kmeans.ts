// K-means as a bulk iteration in BATCH mode (Flink's example): the centroids are the iteration's
// data set. Each superstep gathers the current centroids into one list (a single-key reduce, as a
// broadcast set would deliver them), assigns every point to its nearest centroid, sums the points
// per centroid by a keyBy and moves each centroid to the mean of its points. A centroid that no
// point chose keeps its place. The iteration ends after `iterations` supersteps. Runs embedded:
// `npx tsx examples/kmeans.ts` (Node) or `npx deno run -A examples/kmeans.ts` (Deno).
// Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

/** A centroid: its id and position. */
export type Centroid = [id: number, x: number, y: number];
/** Per centroid: sum of x, sum of y and count of its points, and its old position (kept if count is 0). */
type Partial = [id: number, sx: number, sy: number, count: number, oldX: number, oldY: number];

/** The index of the centroid nearest to (x, y); ties go to the lower index. */
export function nearest(centroids: readonly Centroid[], x: number, y: number): number {
  let best = 0, bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const dx = centroids[c][1] - x, dy = centroids[c][2] - y, d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

/** Runs `iterations` k-means supersteps over `points` from `initial` centroids (ids 0..k-1); returns centroids by id. */
export async function kMeans(points: ReadonlyArray<readonly [number, number]>, initial: readonly Centroid[], iterations: number, parallelism = 2): Promise<Centroid[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const result = await env.fromCollection(initial.map((c): Centroid => [c[0], c[1], c[2]]))
    .iterate(iterations, (current) => current
      .map((c): [number, Centroid[]] => [0, [c]]).name('Wrap')
      .keyBy(() => 0)
      .reduce((a, b) => [0, a[1].concat(b[1])]).name('Gather Centroids')
      .flatMap<Partial>(([, list], out) => {
        const byId = [...list].sort((a, b) => a[0] - b[0]);
        for (const c of byId) out.collect([c[0], 0, 0, 0, c[1], c[2]]);
        for (const [x, y] of points) out.collect([byId[nearest(byId, x, y)][0], x, y, 1, 0, 0]);
      }).name('Assign')
      .keyBy((p) => p[0])
      .reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5]]).name('Sum')
      .map(([id, sx, sy, n, ox, oy]): Centroid => (n === 0 ? [id, ox, oy] : [id, sx / n, sy / n])).name('Mean'))
    .executeAndCollect('K-Means');
  return result.sort((a, b) => a[0] - b[0]);
}

// Run when started as a program, not when imported (the test imports kMeans).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const points: Array<[number, number]> = [[1, 1], [1.5, 2], [3, 4], [5, 7], [3.5, 5], [4.5, 5], [3.5, 4.5]];
  const centroids = await kMeans(points, [[0, 1, 1], [1, 5, 7]], 10);
  for (const [id, x, y] of centroids) console.log(`centroid ${id}: (${x.toFixed(4)}, ${y.toFixed(4)})`);
}
