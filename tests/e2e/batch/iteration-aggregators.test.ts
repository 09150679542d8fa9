// Iteration aggregators and convergence criteria in batch mode, embedded: PageRank stops when the
// aggregated change falls under epsilon at the same superstep as a plain loop; connected
// components (delta) counts improvements per superstep with a LongSumAggregator, reads the
// previous superstep's count and stops by a convergence criterion where the plain loop does;
// the combined values are the same at parallelism 1 and 4 (an exact double sum of values whose
// naive sum depends on the order); a subtask that fails and runs again is not counted twice;
// bad names are clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DoubleSumAggregator, LongSumAggregator, ProcessFunction, RestartStrategies, StreamExecutionEnvironment,
  type Aggregator, type Collector, type RuntimeContext,
} from '../../../api/index.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import { pageRankUntilConverged } from '../../../examples/pagerank-convergence.ts';
import { Random, testSeed } from '../../support/random.ts';

type Label = [number, number];
const batchEnv = (p: number) => StreamExecutionEnvironment.getExecutionEnvironment({ slotsPerTaskManager: 2 }).setParallelism(p).setRuntimeMode('batch');
const rejects = async (fn: () => Promise<unknown>, pattern: RegExp) => {
  try { await fn(); } catch (error) { assert.match(String((error as Error)?.message ?? error), pattern); return; }
  assert.unreachable('expected a rejection');
};

/** Passes records through, adding `amount(record)` to aggregator `name`; records what `previous` each superstep saw. */
class Aggregate<T> extends ProcessFunction<T, T> {
  private aggregator!: Aggregator<number>;
  constructor(private readonly name: string, private readonly amount: (t: T) => number, private readonly seen: Map<number, unknown[]>) { super(); }
  override open(ctx: RuntimeContext): void {
    this.aggregator = ctx.getIterationAggregator<number>(this.name);
    const s = ctx.getSuperstepNumber();
    const list = this.seen.get(s) ?? [];
    list.push(ctx.getPreviousIterationAggregate(this.name));
    this.seen.set(s, list);
  }
  processElement(value: T, _ctx: unknown, out: Collector<T>): void {
    this.aggregator.aggregate(this.amount(value));
    out.collect(value);
  }
}

for (const p of [1, 4]) {
  test(`PageRank stops when the aggregated change falls under epsilon, at the plain loop's superstep (p=${p})`, async () => {
    const rnd = new Random(testSeed(`aggregated-pagerank-${p}`));
    const n = 300;
    const links = Array.from({ length: n }, (_, page) => {
      const out = new Set<number>();
      const k = rnd.int(1, 5);
      while (out.size < k) { const t = rnd.int(0, n - 1); if (t !== page) out.add(t); }
      return [...out];
    });
    const epsilon = 1e-6, damping = 0.85;
    const { ranks, changes } = await pageRankUntilConverged(links, epsilon, 200, p, damping);
    const supersteps = embeddedBatchExecutor.lastRun!.stats.supersteps;
    // The plain loop: the same supersteps, stopping after the first whose total change is under epsilon.
    let rank = new Float64Array(n).fill(1 / n);
    const plainChanges: number[] = [];
    for (let s = 1; s <= 200; s++) {
      const received = new Float64Array(n);
      links.forEach((targets, page) => { for (const t of targets) received[t] += rank[page] / targets.length; });
      const next = received.map((r) => (1 - damping) / n + damping * r);
      let change = 0;
      for (let page = 0; page < n; page++) change += Math.abs(next[page] - rank[page]);
      rank = next;
      plainChanges.push(change);
      if (change < epsilon) break;
    }
    assert.is(supersteps, plainChanges.length, 'stops at the same superstep');
    assert.ok(supersteps > 5 && supersteps < 200, `${supersteps} supersteps`);
    assert.is(changes.length, supersteps - 1, 'every superstep after the first read the previous total');
    changes.forEach((c, i) => assert.ok(Math.abs(c - plainChanges[i]) <= 1e-12, `superstep ${i + 1}: ${c} vs ${plainChanges[i]}`));
    for (let page = 0; page < n; page++) assert.ok(Math.abs(ranks[page] - rank[page]) < 1e-12, `page ${page}`);
  });
}

test('connected components counts improvements per superstep and stops by a convergence criterion, equal at p=1 and p=4', async () => {
  const rnd = new Random(testSeed('aggregated-cc'));
  const n = 600;
  const edges: Label[] = [];
  for (let k = 0; k < 500; k++) { const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1); if (u !== v) edges.push([u, v]); }
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of edges) { neighbours[u].push(v); neighbours[v].push(u); }
  // The plain loop: min-label propagation, one superstep at a time, counting improvements.
  const labels = Array.from({ length: n }, (_, v) => v);
  let offers: Label[] = edges.flatMap(([u, v]): Label[] => [[v, u], [u, v]]);
  const counts: number[] = [];
  const threshold = 20;
  while (offers.length > 0) {
    const best = new Map<number, number>();
    for (const [v, l] of offers) best.set(v, Math.min(best.get(v) ?? Infinity, l));
    const improved = [...best].filter(([v, l]) => l < labels[v]);
    for (const [v, l] of improved) labels[v] = l;
    counts.push(improved.length);
    offers = improved.flatMap(([v, l]) => neighbours[v].filter((w) => l < w).map((w): Label => [w, l]));
    if (improved.length < threshold) break;
  }
  assert.ok(counts.length >= 3, `the plain loop ran ${counts.length} supersteps`);
  const results: Array<{ seen: Map<number, unknown[]>; out: Label[]; supersteps: number }> = [];
  for (const p of [1, 4]) {
    const seen = new Map<number, unknown[]>();
    const env = batchEnv(p);
    const out = await env.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v]))
      .iterateDelta(env.fromCollection(edges.flatMap(([u, v]): Label[] => [[v, u], [u, v]])), n + 1, ([v]) => v, (solution, workset) => {
        const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a));
        const improved = solution.join(best, ([v]) => v, (cur, offer): Label[] => (cur === undefined || offer[1] < cur[1] ? [offer] : []))
          .flatMap<Label>((xs, o) => { for (const x of xs) o.collect(x); })
          .process(new Aggregate<Label>('improvements', () => 1, seen));
        const next = improved.flatMap<Label>(([v, l], o) => { for (const w of neighbours[v]) if (l < w) o.collect([w, l]); });
        return [improved, next];
      }, {
        aggregators: { improvements: new LongSumAggregator() },
        convergence: { aggregator: 'improvements', criterion: (count: number, superstep) => { assert.ok(superstep >= 1); return count < threshold; } },
      }).executeAndCollect();
    results.push({ seen, out: out.sort((a, b) => a[0] - b[0]), supersteps: embeddedBatchExecutor.lastRun!.stats.supersteps });
  }
  for (const { seen, out, supersteps } of results) {
    assert.is(supersteps, counts.length, 'stops where the plain loop does');
    assert.equal(out, labels.map((l, v): Label => [v, l]));
    for (const [s, values] of seen) {
      for (const v of values) assert.is(v, s === 1 ? undefined : counts[s - 2], `superstep ${s} read the previous count`);
    }
  }
});

test('a double sum is the same at any parallelism and after a subtask ran again', async () => {
  const rnd = new Random(testSeed('aggregated-double-sum'));
  // Values whose naive sum depends on the order (magnitudes far apart).
  const input = Array.from({ length: 2000 }, () => (rnd.int(0, 1) === 0 ? 1e16 : 1) * (rnd.int(1, 1000) / 7) * (rnd.int(0, 1) === 0 ? -1 : 1));
  const exact = new DoubleSumAggregator();
  for (const v of input) exact.aggregate(v);
  const sums: unknown[] = [];
  for (const [p, failOnce] of [[1, false], [4, false], [3, true]] as const) {
    const seen = new Map<number, unknown[]>();
    let failed = !failOnce;
    const env = batchEnv(p).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
    await env.fromCollection(input)
      // The failing map is chained to the aggregating function: the slice that runs again aggregates again.
      .iterate(2, (cur) => cur.process(new Aggregate<number>('sum', (v) => v, seen)).map((v) => {
        if (!failed && v === input[1500]) { failed = true; throw new Error('injected failure'); }
        return v;
      }).rebalance().map((v) => v), { aggregators: { sum: new DoubleSumAggregator() } })
      .executeAndCollect();
    assert.ok(failed);
    if (failOnce) assert.ok(embeddedBatchExecutor.lastRun!.stats.sliceRestarts >= 1, 'a slice ran again');
    sums.push(...seen.get(2)!);
  }
  for (const s of sums) assert.is(s, exact.getAggregate());
  // Naive sums in two orders differ: the equality above is not the order's luck.
  let forward = 0, backward = 0;
  for (const v of input) forward += v;
  for (let i = input.length - 1; i >= 0; i--) backward += input[i];
  assert.ok(forward !== backward, 'naive sums depend on the order');
});

test('unknown aggregators and iteration calls outside an iteration are clear errors', async () => {
  const env = batchEnv(1);
  assert.throws(() => env.fromCollection([1]).iterate(2, (c) => c, { aggregators: {}, convergence: { aggregator: 'x', criterion: () => true } }),
    /the convergence criterion reads aggregator "x", which is not among the iteration's aggregators/);
  assert.throws(() => env.fromCollection([1]).iterate(2, (c) => c, { aggregators: { x: {} as never } }), /aggregator "x" must have aggregate/);
  const seen = new Map<number, unknown[]>();
  const e1 = batchEnv(1);
  const job = e1.fromCollection([1, 2]).iterate(2, (c) => c.process(new Aggregate<number>('nope', (v) => v, seen)), { aggregators: { sum: new LongSumAggregator() } })
    .executeAndCollect();
  await rejects(() => job, /getIterationAggregator\("nope"\): iterate\(\) registers only "sum"/);
  const e2 = batchEnv(1);
  const outside = e2.fromCollection([1]).process(new Aggregate<number>('sum', (v) => v, seen)).executeAndCollect();
  await rejects(() => outside, /runs outside an iteration/);
  const e3 = batchEnv(1);
  const notBool = e3.fromCollection([1]).iterate(3, (c) => c.process(new Aggregate<number>('sum', (v) => v, seen)),
    { aggregators: { sum: new LongSumAggregator() }, convergence: { aggregator: 'sum', criterion: () => 1 as unknown as boolean } }).executeAndCollect();
  await rejects(() => notBool, /the convergence criterion returned 1, not a boolean/);
});

test.run();
