// PageRank as a bulk iteration whose records are blocks of pages, not pages: the pages are cut
// into blocks of `blockSize` consecutive ids, each record is one block's ranks in a Float64Array,
// and a superstep sends, from every block, one array of partial sums per block it links into
// (computed over that block's links grouped by target block, read by the step's function as a
// broadcast set would be), sums the partial arrays per target block by a keyBy, and applies the damping factor.
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

/**
 * The out-links of one block, grouped by the block they point into: for target block t, link i
 * goes from page src[t][i] of this block to page dst[t][i] of block t (both block-local).
 */
interface BlockLinks { readonly degree: Int32Array; readonly src: Array<Int32Array | undefined>; readonly dst: Array<Int32Array | undefined> }

/** A graph in CSR form: page p links to targets[offsets[p]..offsets[p+1]). */
export interface CsrGraph { readonly offsets: Int32Array; readonly targets: Int32Array }

/** The CSR form of `links` (links[p]: the pages p links to). */
export function csrOf(links: readonly (readonly number[])[]): CsrGraph {
  const offsets = new Int32Array(links.length + 1);
  for (let p = 0; p < links.length; p++) offsets[p + 1] = offsets[p] + links[p].length;
  const targets = new Int32Array(offsets[links.length]);
  for (let p = 0, e = 0; p < links.length; p++) for (const t of links[p]) targets[e++] = t;
  return { offsets, targets };
}

function blockLinks({ offsets, targets }: CsrGraph, first: number, size: number, blockSize: number, blocks: number): BlockLinks {
  const degree = new Int32Array(size);
  const counts = new Int32Array(blocks);
  for (let p = 0; p < size; p++) {
    degree[p] = offsets[first + p + 1] - offsets[first + p];
    for (let e = offsets[first + p]; e < offsets[first + p + 1]; e++) counts[(targets[e] / blockSize) | 0]++;
  }
  const src: Array<Int32Array | undefined> = [];
  const dst: Array<Int32Array | undefined> = [];
  for (let t = 0; t < blocks; t++) {
    src.push(counts[t] > 0 ? new Int32Array(counts[t]) : undefined);
    dst.push(counts[t] > 0 ? new Int32Array(counts[t]) : undefined);
  }
  const fill = new Int32Array(blocks);
  for (let p = 0; p < size; p++) {
    for (let e = offsets[first + p]; e < offsets[first + p + 1]; e++) {
      const t = targets[e];
      const tb = (t / blockSize) | 0;
      const i = fill[tb]++;
      src[tb]![i] = p;
      dst[tb]![i] = t - tb * blockSize;
    }
  }
  return { degree, src, dst };
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
 * PageRank of the pages of `graph` (every page links somewhere; build it from link lists with
 * csrOf), computed on blocks of `blockSize` pages (default: two blocks per parallel subtask).
 */
export async function pageRankBlocks(
  graph: CsrGraph, iterations: number, parallelism = 2, blockSize?: number, damping = 0.85, epsilon = 0,
): Promise<Float64Array> {
  const n = graph.offsets.length - 1;
  // Two blocks per parallel subtask by default: few partial-sum arrays, and work for every subtask.
  const size = Math.max(1, blockSize ?? Math.ceil(n / (2 * parallelism)));
  const blocks = Math.ceil(n / size);
  const sizeOf = (b: number): number => Math.min(size, n - b * size);
  const grouped = Array.from({ length: blocks }, (_, b) => blockLinks(graph, b * size, sizeOf(b), size, blocks));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  const initial = Array.from({ length: blocks }, (_, b): RankBlock => [b, new Float64Array(sizeOf(b)).fill(1 / n), Infinity]);
  const result = await env.fromCollection(initial)
    .iterate(iterations, (current) => current
      .flatMap<Received>(([block, ranks], out) => {
        // Partial sums per target block that this block links into.
        const { degree, src, dst } = grouped[block];
        const share = new Float64Array(ranks.length);
        for (let p = 0; p < ranks.length; p++) share[p] = ranks[p] / degree[p];
        for (let tb = 0; tb < blocks; tb++) {
          const from = src[tb], to = dst[tb];
          if (from === undefined || to === undefined) continue;
          const partial = new Float64Array(sizeOf(tb));
          for (let i = 0; i < from.length; i++) partial[to[i]] += share[from[i]];
          out.collect([tb, partial, null]);
        }
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
  for (const [block, values] of result) ranks.set(values, block * size);
  return ranks;
}

// Run when started as a program, not when imported (the test imports pageRankBlocks).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const links = [[1, 2], [2], [0], [0, 2]];
  const ranks = await pageRankBlocks(csrOf(links), 50, 2, 2, 0.85, 1e-9);
  ranks.forEach((r, p) => console.log(`page ${p}: ${r.toFixed(6)}`));
}
