// The shortest-paths example (delta iteration) against Dijkstra over seeded random weighted
// directed graphs at parallelism 1 and 4, with unreachable vertices. Weights are integers, so
// every sum is exact and the distances are compared exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Edge, shortestPaths } from '../../examples/shortest-paths.ts';
import { Random, testSeed } from '../support/random.ts';

function dijkstra(n: number, edges: readonly Edge[], source: number): number[] {
  const dist = new Array<number>(n).fill(Infinity), done = new Array<boolean>(n).fill(false);
  dist[source] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) if (!done[v] && dist[v] < Infinity && (u < 0 || dist[v] < dist[u])) u = v;
    if (u < 0) return dist;
    done[u] = true;
    for (const [a, b, w] of edges) if (a === u && dist[u] + w < dist[b]) dist[b] = dist[u] + w;
  }
}

test('shortest paths equal Dijkstra over a seeded random weighted graph', async () => {
  const seed = testSeed('shortest-paths-example');
  const rnd = new Random(seed);
  for (const p of [1, 4]) {
    const n = rnd.int(50, 150);
    const edges: Edge[] = [];
    for (let k = rnd.int(n, 3 * n); k > 0; k--) edges.push([rnd.int(0, n - 1), rnd.int(0, n - 1), rnd.int(0, 20)]);
    const source = rnd.int(0, n - 1);
    // Vertex n has no edges: it must come out unreachable (Infinity).
    const expected = dijkstra(n + 1, edges, source);
    assert.is(expected[n], Infinity);
    assert.equal(await shortestPaths(n + 1, edges, source, p), expected, `seed ${seed}, p=${p}, n=${n}`);
  }
});

test('a negative weight or a source outside the graph is a clear error', async () => {
  const message = async (run: () => Promise<unknown>) => { try { await run(); return 'no error'; } catch (e) { return (e as Error).message; } };
  assert.match(await message(() => shortestPaths(3, [[0, 1, -1]], 0)), /non-negative/);
  assert.match(await message(() => shortestPaths(3, [[0, 1, 1]], 3)), /not a vertex/);
});

test.run();
