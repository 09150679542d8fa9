// SimRandom: the simulation's one source of randomness, a seeded PRNG (mulberry32, the algorithm of
// the test suite's Random) that gives the same sequence on Node and on Deno. Imports nothing.

/** A small fast seeded PRNG: the same seed gives the same sequence on every runtime. */
export class SimRandom {
  private state: number;
  constructor(readonly seed: number) { this.state = seed >>> 0; }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] inclusive. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }

  /** True with probability `p`. */
  chance(p: number): boolean { return p > 0 && this.next() < p; }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }

  /** An independent generator derived from this one (so that one consumer's draws do not shift another's). */
  fork(): SimRandom { return new SimRandom(Math.floor(this.next() * 0x100000000)); }
}
