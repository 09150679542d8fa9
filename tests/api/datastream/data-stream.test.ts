// Randomized pipelines (seeded; the seed is printed and can be set with SEED=...): chains of
// map / filter / flatMap / keyBy+reduce with random parallelisms, partitioners and chaining
// switches must produce the same multiset as the same functions applied in a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, type DataStream } from '../../../api/index.ts';

const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
console.log('seed', seed);

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step =
  | { kind: 'map'; mul: number; add: number }
  | { kind: 'filter'; mod: number }
  | { kind: 'flatMap'; copies: number }
  | { kind: 'reduce'; keys: number };

/** The plain-loop meaning of a step. Rolling counts per key are order-independent as a multiset. */
function applyPlain(step: Step, input: number[]): number[] {
  switch (step.kind) {
    case 'map': return input.map((x) => (x * step.mul + step.add) % 100_003);
    case 'filter': return input.filter((x) => x % step.mod !== 0);
    case 'flatMap': return input.flatMap((x) => Array.from({ length: x % step.copies }, (_, i) => x + i));
    case 'reduce': {
      const counts = new Map<number, number>();
      return input.map((x) => { const k = x % step.keys; const n = (counts.get(k) ?? 0) + 1; counts.set(k, n); return k * 1_000_000 + n; });
    }
  }
}

function applyStream(step: Step, s: DataStream<number>): DataStream<number> {
  switch (step.kind) {
    case 'map': return s.map((x) => (x * step.mul + step.add) % 100_003);
    case 'filter': return s.filter((x) => x % step.mod !== 0);
    case 'flatMap': return s.flatMap<number>((x, out) => { for (let i = 0; i < x % step.copies; i++) out.collect(x + i); });
    case 'reduce':
      return s.map((x): [number, number] => [x % step.keys, 1])
        .keyBy((t) => t[0])
        .reduce((a, b) => [a[0], a[1] + b[1]])
        .map((t) => t[0] * 1_000_000 + t[1]);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

test('random pipelines equal the plain loop (multiset)', async () => {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  for (let round = 0; round < 25; round++) {
    const n = int(0, 3000);
    const steps: Step[] = Array.from({ length: int(1, 6) }, (): Step => {
      switch (int(0, 3)) {
        case 0: return { kind: 'map', mul: int(1, 97), add: int(0, 1000) };
        case 1: return { kind: 'filter', mod: int(2, 7) };
        case 2: return { kind: 'flatMap', copies: int(1, 4) };
        default: return { kind: 'reduce', keys: int(1, 40) };
      }
    });
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ batchSize: int(1, 300), channelCredits: int(1, 4), bufferTimeoutMs: int(0, 1) });
    env.setParallelism(int(1, 4));
    if (rand() < 0.15) env.disableOperatorChaining();
    let stream: DataStream<number> = env.fromSequence(0, n - 1).setParallelism(int(1, 4));
    let expected = Array.from({ length: n }, (_, i) => i);
    const plan: string[] = [];
    for (const step of steps) {
      const part = int(0, 5);
      if (part === 1) stream = stream.rebalance();
      else if (part === 2) stream = stream.shuffle();
      else if (part === 3) stream = stream.rescale();
      stream = applyStream(step, stream);
      const p = int(1, 4);
      stream.setParallelism(p);
      const chaining = int(0, 5);
      if (chaining === 1) stream.disableChaining();
      else if (chaining === 2) stream.startNewChain();
      plan.push(`${JSON.stringify(step)}/p${p}/part${part}/chain${chaining}`);
      expected = applyPlain(step, expected);
    }
    const out = await stream.executeAndCollect();
    assert.equal(sorted(out), sorted(expected), `seed ${seed} round ${round}: n=${n} ${plan.join(' | ')}`);
  }
});

test.run();
