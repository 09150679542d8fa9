// PageRank as a bulk iteration whose records are blocks of pages, not pages: the pages are cut
// into blocks of `blockSize` consecutive ids, each record is one block's ranks in a Float64Array,
// and a superstep sends, from every block, one array of partial sums per block it links into
// (computed over that block's links in CSR form, read by the step's function as a broadcast set
// would be), sums the partial arrays per target block by a keyBy, and applies the damping factor.
// The same dataflow as examples/pagerank.ts (contributions -> keyBy -> sum -> damping), with the
// per-link work in tight loops over typed arrays instead of one record per link: how a program
// makes the runtime's per-record cost small next to its work (blocked matrix-vector products, as
// graph systems run PageRank). Ends after `iterations` supersteps, or earlier when no rank moved by
// more than `epsilon`. Runs embedded: `npx tsx examples/pagerank-blocks.ts`. Imports the package
// entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

/** A block of pages: its index, the ranks of its pages, and the largest rank change of the last superstep. */
type RankBlock = [block: number, ranks: Float64Array, moved: number];

/** What a target block receives: partial sums of its pages' incoming shares, and its old ranks. */
type Received = [block: number, sums: Float64Array | null, old: Float64Array | null];

/** The out-links of one block in CSR form: page p of the block links to targets[offsets[p]..offsets[p+1]). */
interface BlockLinks { readonly offsets: Int32Array; readonly targets: Int32Array }

function blockLinks(links: readonly (readonly number[])[], first: number, size: number): BlockLinks {
  const offsets = new Int32Array(size + 1);
  for (let p = 0; p < size; p++) offsets[p + 1] = offsets[p] + links[first + p].length;
  const targets = new Int32Array(offsets[size]);
  for (let p = 0, e = 0; p < size; p++) for (const t of links[first + p]) targets[e++] = t;
  return { offsets, targets };
}

/** The elementwise sum of two partial-sum arrays (a fresh array: reduce inputs are not modified). */
function addArrays(a: Float64Array | null, b: Float64Array | null): Float64Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const sum = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) sum[i] = a[i] + b[i];
  return sum;
}

/**
 * PageRank of pages 0..links.length-1 (`links[p]`: the pages p links to; every page links
 * somewhere), computed on blocks of `blockSize` pages.
 */
export async function pageRankBlocks(
  links: readonly (readonly number[])[], iterations: number, parallelism = 2, blockSize = 4096, damping = 0.85, epsilon = 0,
): Promise<Float64Array> {
  const n = links.length;
  const blocks = Math.ceil(n / blockSize);
  const sizeOf = (b: number): number => Math.min(blockSize, n - b * blockSize);
  const csr = Array.from({ length: blocks }, (_, b) => blockLinks(links, b * blockSize, sizeOf(b)));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const initial = Array.from({ length: blocks }, (_, b): RankBlock => [b, new Float64Array(sizeOf(b)).fill(1 / n), Infinity]);
  const result = await env.fromCollection(initial)
    .iterate(iterations, (current) => current
      .flatMap<Received>(([block, ranks], out) => {
        // Partial sums per target block that this block links into.
        const { offsets, targets } = csr[block];
        const partial: Array<Float64Array | undefined> = new Array(blocks);
        for (let p = 0; p < ranks.length; p++) {
          const share = ranks[p] / (offsets[p + 1] - offsets[p]);
          for (let e = offsets[p]; e < offsets[p + 1]; e++) {
            const t = targets[e];
            const tb = (t / blockSize) | 0;
            (partial[tb] ??= new Float64Array(sizeOf(tb)))[t - tb * blockSize] += share;
          }
        }
        for (let tb = 0; tb < blocks; tb++) if (partial[tb] !== undefined) out.collect([tb, partial[tb]!, null]);
        // The block's own ranks travel along, so that every block appears and the criterion can compare.
        out.collect([block, null, ranks]);
      }).name('Contributions')
      .keyBy((r) => r[0])
      .reduce((a, b): Received => [a[0], addArrays(a[1], b[1]), a[2] ?? b[2]]).name('Sum')
      .map(([block, sums, old]): RankBlock => {
        const ranks = new Float64Array(sizeOf(block)).fill((1 - damping) / n);
        let moved = 0;
        for (let i = 0; i < ranks.length; i++) {
          if (sums !== null) ranks[i] += damping * sums[i];
          moved = Math.max(moved, Math.abs(ranks[i] - old![i]));
        }
        return [block, ranks, moved];
      }).name('Damping'),
    { terminationCriterion: (next) => next.filter(([, , moved]) => moved > epsilon) })
    .executeAndCollect('PageRank (blocks)');
  const ranks = new Float64Array(n);
  for (const [block, values] of result) ranks.set(values, block * blockSize);
  return ranks;
}

// Run when started as a program, not when imported (the test imports pageRankBlocks).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const links = [[1, 2], [2], [0], [0, 2]];
  const ranks = await pageRankBlocks(links, 50, 2, 2, 0.85, 1e-9);
  ranks.forEach((r, p) => console.log(`page ${p}: ${r.toFixed(6)}`));
}
