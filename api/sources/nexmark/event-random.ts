// EventRandom: the generator's randomness, reseeded for every event from its id (as Beam's first
// Nexmark seeded `new Random(eventId)`), so an event's content depends only on its id and the
// configured seed: the same at every parallelism and after every replay. A mulberry32 stream:
// one 32-bit state, no allocation per draw. Imports nothing.

/** A reseedable 32-bit PRNG. */
export class EventRandom {
  private state = 0;

  /** Starts the draws of event `eventId` (a safe integer) under `seed`. */
  reseed(eventId: number, seed: number): void {
    const lo = eventId >>> 0;
    const hi = Math.floor(eventId / 4294967296) >>> 0;
    let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ hi, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h ^ seed, 0x27d4eb2f);
    h ^= h >>> 15;
    this.state = h >>> 0;
  }

  /** A double in [0, 1). */
  nextDouble(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound) (bound >= 1). */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }
}
