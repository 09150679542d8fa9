// W9 — PageRank: the bulk-iteration example (examples/pagerank.ts) for 10 supersteps in BATCH
// mode on the embedded mini cluster, against a plain-loop PageRank over the same graph in CSR
// typed arrays (target >= 0.3). Records are edge traversals (edges x supersteps). Size: W9_VERTICES
// (default 10k) with 10 out-edges each (the 100k/1M is too slow for a shared 2-core
// machine). A second line runs the same PageRank with records that are blocks of W9_BLOCK pages
// (default: two blocks per parallel subtask; examples/pagerank-blocks.ts): the same dataflow with the per-link work in typed
// arrays inside the user functions, which shows the runtime's cost when records carry real work.
// Imports the examples and the harness.
import { pageRank } from '../examples/pagerank.ts';
import { pageRankBlocks } from '../examples/pagerank-blocks.ts';
import { benchmark } from './harness.ts';

const VERTICES = Number(process.env.W9_VERTICES ?? 10_000);
const DEGREE = 10;
const SUPERSTEPS = 10;
const D = 0.85;
const BLOCK = process.env.W9_BLOCK === undefined ? undefined : Number(process.env.W9_BLOCK);
console.log(`w9: ${VERTICES} vertices, ${VERTICES * DEGREE} edges, ${SUPERSTEPS} supersteps`);

let links: number[][] = [];
let offsets = new Int32Array(0), targets = new Int32Array(0);
let expected: Float64Array = new Float64Array(0);

function plain(): Float64Array {
  const n = VERTICES;
  let ranks: Float64Array = new Float64Array(n).fill(1 / n), sums: Float64Array = new Float64Array(n);
  for (let s = 0; s < SUPERSTEPS; s++) {
    sums.fill(0);
    for (let p = 0; p < n; p++) {
      const share = ranks[p] / (offsets[p + 1] - offsets[p]);
      for (let e = offsets[p]; e < offsets[p + 1]; e++) sums[targets[e]] += share;
    }
    for (let p = 0; p < n; p++) sums[p] = (1 - D) / n + D * sums[p];
    [ranks, sums] = [sums, ranks];
  }
  return ranks;
}

/** The runtime sums contributions in another order than the loop: compared within 1e-12. */
function check(got: Float64Array, who: string): void {
  for (let p = 0; p < VERTICES; p++) if (!(Math.abs(got[p] - expected[p]) < 1e-12)) throw new Error(`${who}: page ${p} ${got[p]} vs ${expected[p]}`);
}

/** The graph (a fixed pseudo-random sequence) and the loop's ranks, once for both benchmarks. */
function setup(): void {
  if (links.length > 0) return;
  let s = 4242;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  links = Array.from({ length: VERTICES }, () => Array.from({ length: DEGREE }, () => next() % VERTICES));
  offsets = new Int32Array(VERTICES + 1);
  for (let p = 0; p < VERTICES; p++) offsets[p + 1] = offsets[p] + links[p].length;
  targets = Int32Array.from(links.flat());
  expected = plain();
}

benchmark('w9-pagerank', {
  records: VERTICES * DEGREE * SUPERSTEPS,
  setup,
  baseline() { check(plain(), 'loop'); return VERTICES * DEGREE * SUPERSTEPS; },
  async subject() { check(await pageRank(links, SUPERSTEPS, 2), 'batch'); return VERTICES * DEGREE * SUPERSTEPS; },
});

benchmark('w9-pagerank-blocks', {
  records: VERTICES * DEGREE * SUPERSTEPS,
  setup,
  baseline() { check(plain(), 'loop'); return VERTICES * DEGREE * SUPERSTEPS; },
  async subject() { check(await pageRankBlocks({ offsets, targets }, SUPERSTEPS, 2, BLOCK), 'batch (blocks)'); return VERTICES * DEGREE * SUPERSTEPS; },
});
