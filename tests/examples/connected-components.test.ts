// The connected-components example (delta iteration) against union-find over seeded random
// graphs at parallelism 1 and 4, including isolated vertices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectedComponents } from '../../examples/connected-components.ts';
import { Random, testSeed } from '../support/random.ts';

test('connected components equal union-find over a seeded random graph', async () => {
  const rnd = new Random(testSeed('connected-components-example'));
  for (const p of [1, 4]) {
    const n = rnd.int(50, 150);
    const edges: Array<[number, number]> = [];
    for (let k = rnd.int(n / 2, n); k > 0; k--) edges.push([rnd.int(0, n - 1), rnd.int(0, n - 1)]);
    const parent = Array.from({ length: n }, (_, v) => v);
    const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
    for (const [u, v] of edges) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
    assert.equal(await connectedComponents(n, edges, p), Array.from({ length: n }, (_, v) => find(v)), `p=${p}, n=${n}`);
  }
});

test.run();
