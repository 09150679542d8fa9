// The PageRank examples' independent expectation: a plain loop over link lists, for a fixed number
// of supersteps or until no rank moves by more than `epsilon`.

/** Ranks after at most `iterations` supersteps, and how many ran. */
export function plainPageRank(links: number[][], iterations: number, d: number, epsilon = -1): { ranks: number[]; supersteps: number } {
  const n = links.length;
  let ranks = new Array<number>(n).fill(1 / n), supersteps = 0;
  for (let s = 0; s < iterations; s++) {
    const sums = new Array<number>(n).fill(0);
    for (let p = 0; p < n; p++) for (const t of links[p]) sums[t] += ranks[p] / links[p].length;
    const next = sums.map((x) => (1 - d) / n + d * x);
    const moved = next.some((r, p) => Math.abs(r - ranks[p]) > epsilon);
    ranks = next;
    supersteps++;
    if (!moved) break;
  }
  return { ranks, supersteps };
}
