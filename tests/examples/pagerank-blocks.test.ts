// The block PageRank example against a plain loop over a seeded random graph: block sizes that do
// and do not divide the page count, parallelism 1 and 3, and ending early by its convergence
// criterion at the same superstep as the loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { csrOf, pageRankBlocks } from '../../examples/pagerank-blocks.ts';
import { Random, testSeed } from '../support/random.ts';
import { plainPageRank } from './support/plain-pagerank.ts';

function randomLinks(seed: number, n: number): number[][] {
  const rnd = new Random(seed);
  const links = Array.from({ length: n }, (_, p) => [(p + 1 + rnd.int(0, n - 2)) % n]);
  for (let k = 0; k < 3 * n; k++) { const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1); if (u !== v) links[u].push(v); }
  return links;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void => {
  assert.is(a.length, b.length);
  for (let p = 0; p < a.length; p++) assert.ok(Math.abs(a[p] - b[p]) < tol, `page ${p}: ${a[p]} vs ${b[p]}`);
};

test('block PageRank equals a plain loop for any block size and parallelism', async () => {
  const links = randomLinks(testSeed('pagerank-blocks'), 250);
  const expected = plainPageRank(links, 8, 0.85).ranks;
  for (const [parallelism, blockSize] of [[1, 64], [3, 7], [2, 250], [2, 1]]) {
    close(await pageRankBlocks(csrOf(links), 8, parallelism, blockSize), expected, 1e-12);
  }
});

test('block PageRank stops when no rank moved by more than epsilon, as the loop does', async () => {
  const links = randomLinks(testSeed('pagerank-blocks-converge'), 120);
  const plain = plainPageRank(links, 500, 0.85, 1e-6);
  assert.ok(plain.supersteps < 500);
  close(await pageRankBlocks(csrOf(links), 500, 2, 16, 0.85, 1e-6), plain.ranks, 1e-9);
  // One superstep fewer than the loop needed is a different (unconverged) result.
  const early = plainPageRank(links, plain.supersteps - 1, 0.85).ranks;
  assert.ok(early.some((r, p) => Math.abs(r - plain.ranks[p]) > 1e-12), 'the last superstep changed something');
});

test.run();
