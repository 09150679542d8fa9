// The PageRank example against a plain loop over a seeded random graph: a fixed number of
// supersteps at parallelism 1 and 3, and ending early by its convergence criterion.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageRank } from '../../examples/pagerank.ts';
import { Random, testSeed } from '../support/random.ts';
import { plainPageRank } from './support/plain-pagerank.ts';

test('PageRank equals a plain loop, for a fixed number of supersteps and until converged', async () => {
  const rnd = new Random(testSeed('pagerank-example'));
  const n = 60;
  const links = Array.from({ length: n }, (_, p) => [(p + 1 + rnd.int(0, n - 2)) % n]);
  for (let k = 0; k < 120; k++) { const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1); if (u !== v) links[u].push(v); }
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
    for (let p = 0; p < n; p++) assert.ok(Math.abs(a[p] - b[p]) < tol, `page ${p}: ${a[p]} vs ${b[p]}`);
  };
  for (const p of [1, 3]) close(await pageRank(links, 8, p), plainPageRank(links, 8, 0.85).ranks, 1e-12);
  // Until no rank moves by more than 1e-6: fewer supersteps than the limit, the plain loop's result.
  const plain = plainPageRank(links, 500, 0.85, 1e-6);
  assert.ok(plain.supersteps < 500);
  close(await pageRank(links, 500, 2, 0.85, 1e-6), plain.ranks, 1e-9);
});

test.run();
