// The PageRank-until-converged example against a plain loop over a small seeded graph: the same
// ranks, the same stopping superstep, and the total change of every superstep but the last as
// the step read it through getPreviousIterationAggregate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageRankUntilConverged } from '../../examples/pagerank-convergence.ts';
import { embeddedBatchExecutor } from '../../actors/runtime/register-embedded-executor.ts';
import { Random, testSeed } from '../support/random.ts';

test('PageRank stops where the plain loop\'s total change first falls under epsilon', async () => {
  const rnd = new Random(testSeed('pagerank-convergence-example'));
  const n = 50, d = 0.85, epsilon = 1e-5;
  const links = Array.from({ length: n }, (_, p) => [(p + 1 + rnd.int(0, n - 2)) % n]);
  for (let k = 0; k < 100; k++) { const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1); if (u !== v && !links[u].includes(v)) links[u].push(v); }
  let ranks = new Array<number>(n).fill(1 / n);
  const changes: number[] = [];
  for (let s = 0; s < 100; s++) {
    const sums = new Array<number>(n).fill(0);
    for (let p = 0; p < n; p++) for (const t of links[p]) sums[t] += ranks[p] / links[p].length;
    const next = sums.map((x) => (1 - d) / n + d * x);
    changes.push(next.reduce((acc, r, p) => acc + Math.abs(r - ranks[p]), 0));
    ranks = next;
    if (changes[changes.length - 1] < epsilon) break;
  }
  const result = await pageRankUntilConverged(links, epsilon, 100, 3, d);
  assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, changes.length);
  assert.is(result.changes.length, changes.length - 1);
  result.changes.forEach((c, i) => assert.ok(Math.abs(c - changes[i]) < 1e-12, `superstep ${i + 1}: ${c} vs ${changes[i]}`));
  for (let p = 0; p < n; p++) assert.ok(Math.abs(result.ranks[p] - ranks[p]) < 1e-12, `page ${p}`);
});

test.run();
