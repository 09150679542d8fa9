// Seeded randomness for tests: a reproducible PRNG whose seed is printed and can be forced with
// the environment variable SEED (or a test-specific one).

/** A small fast PRNG (mulberry32): same seed, same sequence, on every runtime. */
export class Random {
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
  /** True with probability p. */
  chance(p: number): boolean { return this.next() < p; }
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
}

/** The seed for a randomized test: env SEED_<NAME>, else SEED, else random; always printed. */
export function testSeed(name: string): number {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const forced = env[`SEED_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] ?? env.SEED;
  const seed = forced !== undefined ? Number(forced) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}: seed ${seed} (rerun with SEED=${seed})`);
  return seed;
}
