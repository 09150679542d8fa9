// Delta iterations whose solution set outgrows the batch memory budget: connected components and
// single-source shortest paths over seeded random graphs with a budget of a few KiB, at
// parallelism 1 and 3, equal plain loops (union-find, Dijkstra); the solution set spilled buckets
// and answered lookups from disk, the entries it held in memory stayed far below the number of
// vertices, and the job's spill directory is gone afterwards, also after a failed superstep;
// lookups in a later stage of a superstep still see the solution as the superstep started.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import type { SolutionSetStats } from '../../../actors/runtime/batch/solution-set-table.ts';
import type { JobGraph } from '../../../api/graph/job-graph.ts';
import { Random, testSeed } from '../../support/random.ts';

type Label = [number, number];
const BUDGET = 8 * 1024;

const env = (p: number) => {
  const e = StreamExecutionEnvironment.getExecutionEnvironment({ slotsPerTaskManager: 2 }).setParallelism(p).setRuntimeMode('batch');
  e.getConfig().setBatchMemoryBytes(BUDGET);
  return e;
};

/** What the solution set of the job's (only) delta iteration measured. */
function solutionStats(graph: JobGraph): SolutionSetStats {
  const vertex = graph.vertices.find((v) => v.head.iteration?.kind === 'delta')!;
  const spec = vertex.head.iteration!;
  return (spec.kind === 'delta' ? spec.solution.lastStats : undefined) as SolutionSetStats;
}

function assertSpilledAndBounded(n: number): void {
  const run = embeddedBatchExecutor.lastRun!;
  const s = solutionStats(run.graph);
  console.log(`solution set: ${JSON.stringify(s)}`);
  assert.ok(s.bucketSpills > 0, 'the solution set spilled');
  assert.ok(s.deferredProbes > 0 && s.bucketReads > 0, 'lookups were answered from spilled buckets');
  assert.ok(s.peakEntriesInMemory < n / 4, `at most ${s.peakEntriesInMemory} of ${n} entries in memory`);
  assert.not.ok(existsSync(run['directory'].location ?? '/nonexistent'), 'spill directory removed');
}

function randomEdges(rnd: Random, n: number, m: number): Array<[number, number]> {
  const edges: Array<[number, number]> = [];
  for (let k = 0; k < m; k++) {
    const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1);
    if (u !== v) edges.push([u, v]);
  }
  return edges;
}

for (const p of [1, 3]) {
  test(`connected components over a spilling solution set equal union-find (p=${p})`, async () => {
    const rnd = new Random(testSeed(`spilling-cc-${p}`));
    const n = 2000;
    const edges = randomEdges(rnd, n, 1600);
    const neighbours: number[][] = Array.from({ length: n }, () => []);
    for (const [u, v] of edges) { neighbours[u].push(v); neighbours[v].push(u); }
    const e = env(p);
    const labels = await e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v]))
      .iterateDelta(e.fromCollection(edges.flatMap(([u, v]): Label[] => [[v, u], [u, v]])), n + 1, ([v]) => v, (solution, workset) => {
        const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a));
        const improved = solution.join(best, ([v]) => v, (cur, offer): Label[] => (cur === undefined || offer[1] < cur[1] ? [offer] : []))
          .flatMap<Label>((xs, out) => { for (const x of xs) out.collect(x); });
        const next = improved.flatMap<Label>(([v, l], out) => { for (const w of neighbours[v]) if (l < w) out.collect([w, l]); });
        return [improved, next];
      }).executeAndCollect();
    const parent = Array.from({ length: n }, (_, v) => v);
    const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
    for (const [u, v] of edges) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
    assert.is(labels.length, n);
    assert.equal([...labels].sort((a, b) => a[0] - b[0]), Array.from({ length: n }, (_, v): Label => [v, find(v)]));
    assertSpilledAndBounded(n);
  });

  test(`shortest paths over a spilling solution set equal Dijkstra (p=${p})`, async () => {
    const rnd = new Random(testSeed(`spilling-sssp-${p}`));
    const n = 1500;
    const edges = randomEdges(rnd, n, 5000).map(([u, v]): [number, number, number] => [u, v, rnd.int(1, 20)]);
    const out: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
    for (const [u, v, w] of edges) out[u].push([v, w]);
    const e = env(p);
    const result = await e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v === 0 ? 0 : Infinity]))
      .iterateDelta(e.fromCollection(out[0].map(([v, w]): Label => [v, w])), n + 1, ([v]) => v, (solution, workset) => {
        const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a));
        const improved = solution.join(best, ([v]) => v, (cur, offer): Label[] => (cur === undefined || offer[1] < cur[1] ? [offer] : []))
          .flatMap<Label>((xs, o) => { for (const x of xs) o.collect(x); });
        const next = improved.flatMap<Label>(([v, d], o) => { for (const [w, weight] of out[v]) o.collect([w, d + weight]); });
        return [improved, next];
      }).executeAndCollect();
    // Dijkstra with a plain array scan (n is small).
    const dist = new Array<number>(n).fill(Infinity);
    const done = new Array<boolean>(n).fill(false);
    dist[0] = 0;
    for (;;) {
      let u = -1;
      for (let v = 0; v < n; v++) if (!done[v] && dist[v] < Infinity && (u < 0 || dist[v] < dist[u])) u = v;
      if (u < 0) break;
      done[u] = true;
      for (const [v, w] of out[u]) if (dist[u] + w < dist[v]) dist[v] = dist[u] + w;
    }
    assert.equal([...result].sort((a, b) => a[0] - b[0]), dist.map((d, v): Label => [v, d]));
    assertSpilledAndBounded(n);
  });
}

test('every lookup of a superstep, in any of its stages, sees the solution set as the superstep started', async () => {
  const n = 800, supersteps = 4;
  for (const budget of [BUDGET, 64 * 1024 * 1024]) {
    const e = env(3);
    e.getConfig().setBatchMemoryBytes(budget);
    type Seen = [vertex: number, superstep: number, first: number, second: number];
    const seen: Seen[] = [];
    await e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, 0]))
      .iterateDelta(e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, 1])), supersteps, ([v]) => v, (solution, workset) => {
        // The first join's result is the delta (each value + 1); a second join, after a keyBy
        // (so in a later stage of the same superstep), must still read the old value.
        const first = solution.join(workset, ([v]) => v, (cur, [v, round]): [number, number, number] => [v, round, cur![1]]);
        const second = solution.join(first.keyBy(([v]) => v).map((x) => x), ([v]) => v, (cur, [v, round, old]): Seen => [v, round, old, cur![1]]);
        const recorded = second.map((x) => { seen.push(x); return x; });
        return [first.map(([v, , old]): Label => [v, old + 1]), recorded.map(([v, round]): Label => [v, round + 1])];
      }).executeAndCollect();
    assert.is(seen.length, n * supersteps);
    for (const [v, round, first, second] of seen) {
      assert.is(first, round - 1, `vertex ${v} in superstep ${round}: the first join read ${first}`);
      assert.is(second, first, `vertex ${v} in superstep ${round}: the second join read the merged delta`);
    }
    if (budget === BUDGET) assert.ok(solutionStats(embeddedBatchExecutor.lastRun!.graph).deferredProbes > 0, 'lookups waited for spilled buckets');
  }
});

test('a join subtask that fails after lookups waited for spilled buckets runs again with exact results', async () => {
  const rnd = new Random(testSeed('spilling-retry'));
  const n = 1500;
  const edges = randomEdges(rnd, n, 1200);
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of edges) { neighbours[u].push(v); neighbours[v].push(u); }
  let answers = 0, failed = false;
  const e = env(3).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const labels = await e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v]))
    .iterateDelta(e.fromCollection(edges.flatMap(([u, v]): Label[] => [[v, u], [u, v]])), n + 1, ([v]) => v, (solution, workset) => {
      const best = workset.keyBy(([v]) => v).reduce((a, b) => (b[1] < a[1] ? b : a));
      const improved = solution.join(best, ([v]) => v, (cur, offer): Label[] => (cur === undefined || offer[1] < cur[1] ? [offer] : []))
        .flatMap<Label>((xs, out) => {
          // Fails once, late in the run: answers from spilled buckets come at the end of the input.
          if (!failed && ++answers === 2500) { failed = true; throw new Error('injected failure after the join'); }
          for (const x of xs) out.collect(x);
        });
      const next = improved.flatMap<Label>(([v, l], out) => { for (const w of neighbours[v]) if (l < w) out.collect([w, l]); });
      return [improved, next];
    }).executeAndCollect();
  assert.ok(failed, 'the failure was injected');
  assert.ok(embeddedBatchExecutor.lastRun!.stats.sliceRestarts >= 1);
  const parent = Array.from({ length: n }, (_, v) => v);
  const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
  for (const [u, v] of edges) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
  assert.equal([...labels].sort((a, b) => a[0] - b[0]), Array.from({ length: n }, (_, v): Label => [v, find(v)]));
  assertSpilledAndBounded(n);
});

test('a failed superstep of a spilling delta iteration fails the job and leaves no spill files', async () => {
  const n = 1000;
  const e = env(2);
  e.setRestartStrategy(RestartStrategies.noRestart());
  const job = e.fromCollection(Array.from({ length: n }, (_, v): Label => [v, v]))
    .iterateDelta(e.fromCollection(Array.from({ length: n }, (_, v): Label => [(v + 1) % n, v])), 10, ([v]) => v, (solution, workset) => {
      const joined = solution.join(workset, ([v]) => v, (cur, offer): Label => {
        if (offer[1] === 7) throw new Error('injected failure in the join');
        return cur ?? offer;
      });
      return [joined, joined.filter(() => false)];
    }).executeAndCollect();
  try {
    await job;
    assert.unreachable('the job should fail');
  } catch (error) {
    assert.match(String((error as Error).message), /injected failure in the join/);
  }
  const run = embeddedBatchExecutor.lastRun!;
  assert.ok(solutionStats(run.graph).bucketSpills > 0, 'it had spilled');
  assert.not.ok(existsSync(run['directory'].location ?? '/nonexistent'), 'spill directory removed');
});

test.run();
