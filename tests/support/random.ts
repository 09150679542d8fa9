// Seeded randomness for tests: a reproducible PRNG whose seed is printed and can be forced with
// the environment variable SEED (or a test-specific one).
import { SimRandom } from '../../testing/sim-random.ts';

/**
 * The simulation's PRNG (mulberry32, testing/sim-random.ts): same seed, same sequence, on every
 * runtime. `chance` always draws, so a recorded seed replays the same sequence it always did.
 */
export class Random extends SimRandom {
  override chance(p: number): boolean { return this.next() < p; }
}

/** The seed for a randomized test: env SEED_<NAME>, else SEED, else random; always printed. */
export function testSeed(name: string): number {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const forced = env[`SEED_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] ?? env.SEED;
  const seed = forced !== undefined ? Number(forced) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}: seed ${seed} (rerun with SEED=${seed})`);
  return seed;
}
