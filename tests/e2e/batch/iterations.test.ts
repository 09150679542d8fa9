// Bulk and delta iterations in batch mode, embedded, each compared with a plain loop: "add 1 until
// >= 10" with a termination criterion (ends early) and with maxIterations as the limit, PageRank
// and connected components (bulk, with a keyed exchange inside the body) and connected
// components by min-label propagation (delta, against union-find) over seeded random graphs, at
// parallelism 1 and 4 (in 2 slots); a failure inside a superstep re-runs it from the superstep's
// persisted input; bulk and delta iterations fail at submission in streaming mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RestartStrategies, StreamExecutionEnvironment, type DataStream } from '../../../api/index.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';

const batchEnv = (p: number, slots?: number) =>
  StreamExecutionEnvironment.getExecutionEnvironment(slots === undefined ? {} : { slotsPerTaskManager: slots }).setParallelism(p).setRuntimeMode('batch');
const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);
const rejects = async (fn: () => Promise<unknown>, pattern: RegExp) => {
  try { await fn(); } catch (error) { assert.match(String((error as Error)?.message ?? error), pattern); return; }
  assert.unreachable('expected a rejection');
};
const byFirst = <T extends [number, ...unknown[]]>(xs: T[]) => [...xs].sort((a, b) => a[0] - b[0]);

/** A random undirected graph on n vertices: adjacency lists (both directions) and the edge list. */
function randomGraph(rnd: Random, n: number, m: number): { adj: number[][]; edges: Array<[number, number]> } {
  const adj: number[][] = Array.from({ length: n }, () => []);
  const edges: Array<[number, number]> = [];
  for (let k = 0; k < m; k++) {
    const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1);
    if (u === v) continue;
    edges.push([u, v]);
    adj[u].push(v);
    adj[v].push(u);
  }
  return { adj, edges };
}

for (const p of [1, 4]) {
  test(`add 1 until >= 10 ends early through the termination criterion (p=${p})`, async () => {
    const rnd = new Random(testSeed(`add-one-${p}`));
    const input = Array.from({ length: 500 }, () => rnd.int(0, 14));
    const out = await batchEnv(p, 2).fromCollection(input)
      .iterate(100, (cur) => cur.map((v) => (v < 10 ? v + 1 : v)), { terminationCriterion: (next) => next.filter((v) => v < 10) })
      .executeAndCollect();
    // Plain loop: the same supersteps, ending after the first whose result has nothing below 10.
    let cur = input, supersteps = 0;
    for (;;) {
      cur = cur.map((v) => (v < 10 ? v + 1 : v));
      supersteps++;
      if (!cur.some((v) => v < 10)) break;
    }
    assert.equal(sortNum(out), sortNum(cur));
    assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, supersteps);
    assert.ok(supersteps < 100 && supersteps > 1, `supersteps ${supersteps}`);
  });

  test(`maxIterations bounds a bulk iteration whose criterion never empties (p=${p})`, async () => {
    const input = Array.from({ length: 300 }, (_, i) => i % 7);
    const out = await batchEnv(p).fromCollection(input)
      .iterate(3, (cur) => cur.map((v) => v + 1), { terminationCriterion: (next) => next })
      .map((v) => v * 10).executeAndCollect();
    assert.equal(sortNum(out), sortNum(input.map((v) => (v + 3) * 10)));
    assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, 3);
  });

  test(`bulk PageRank over a seeded random graph equals a plain loop (p=${p})`, async () => {
    const rnd = new Random(testSeed(`pagerank-${p}`));
    const n = 80;
    // Every vertex links somewhere (no dangling vertices), plus random extra links.
    const out: number[][] = Array.from({ length: n }, (_, v) => [(v + 1 + rnd.int(0, n - 2)) % n]);
    for (let k = 0; k < 150; k++) { const u = rnd.int(0, n - 1), v = rnd.int(0, n - 1); if (u !== v) out[u].push(v); }
    const d = 0.85, steps = 12;
    const result = await batchEnv(p, 2).fromCollection(Array.from({ length: n }, (_, v): [number, number] => [v, 1 / n]))
      .iterate(steps, (ranks) => ranks
        .flatMap<[number, number]>(([v, r], o) => { o.collect([v, 0]); for (const t of out[v]) o.collect([t, r / out[v].length]); })
        .keyBy((t) => t[0]).reduce((a, b) => [a[0], a[1] + b[1]])
        .map(([v, s]): [number, number] => [v, (1 - d) / n + d * s]))
      .executeAndCollect();
    let ranks = new Array<number>(n).fill(1 / n);
    for (let s = 0; s < steps; s++) {
      const sums = new Array<number>(n).fill(0);
      for (let v = 0; v < n; v++) for (const t of out[v]) sums[t] += ranks[v] / out[v].length;
      ranks = sums.map((x) => (1 - d) / n + d * x);
    }
    assert.is(result.length, n);
    for (const [v, r] of byFirst(result)) assert.ok(Math.abs(r - ranks[v]) < 1e-12, `vertex ${v}: ${r} vs ${ranks[v]}`);
    assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, steps);
  });

  test(`bulk connected components (min label, ends when nothing changes) equal a plain loop (p=${p})`, async () => {
    const rnd = new Random(testSeed(`bulk-cc-${p}`));
    const n = 70;
    const { adj } = randomGraph(rnd, n, 55);
    type L = [number, number, number]; // vertex, label, changed in this superstep (1) or not (0)
    const result = await batchEnv(p).fromCollection(Array.from({ length: n }, (_, v): L => [v, v, 1]))
      .iterate(n + 1, (labels) => labels
        .flatMap<L>(([v, l], o) => { o.collect([v, l, 0]); for (const t of adj[v]) o.collect([t, l, 1]); })
        .keyBy((t) => t[0])
        .reduce((a, b) => (b[1] < a[1] ? [a[0], b[1], 1] : a[1] < b[1] ? [a[0], a[1], a[2]] : [a[0], a[1], a[2] & b[2]])),
      { terminationCriterion: (next) => next.filter((t) => t[2] === 1) })
      .executeAndCollect();
    // Plain loop: propagate the smallest label until nothing changes.
    const label = Array.from({ length: n }, (_, v) => v);
    for (let changed = true; changed;) {
      changed = false;
      const next = [...label];
      for (let v = 0; v < n; v++) for (const t of adj[v]) if (label[v] < next[t]) { next[t] = label[v]; changed = true; }
      label.splice(0, n, ...next);
    }
    assert.equal(byFirst(result).map((t) => t[1]), label);
  });

  test(`delta connected components equal union-find over a seeded random graph (p=${p})`, async () => {
    const rnd = new Random(testSeed(`delta-cc-${p}`));
    const n = 120;
    const { adj, edges } = randomGraph(rnd, n, 100);
    const env = batchEnv(p, 2);
    const vertices = env.fromCollection(Array.from({ length: n }, (_, v): [number, number] => [v, v]));
    const initialWorkset = env.fromCollection(edges.flatMap(([u, v]): Array<[number, number]> => [[v, u], [u, v]]));
    const result = await vertices.iterateDelta(initialWorkset, 1000, (s) => s[0], (solution, workset) => {
      const candidates = workset.keyBy((w) => w[0]).reduce((a, b) => (b[1] < a[1] ? b : a));
      const changed = solution.join(candidates, (c) => c[0], (s, c): Array<[number, number]> => (s === undefined || c[1] < s[1] ? [c] : []))
        .flatMap<[number, number]>((xs, o) => { for (const x of xs) o.collect(x); });
      const next = changed.flatMap<[number, number]>(([v, l], o) => { for (const t of adj[v]) if (l < t) o.collect([t, l]); });
      return [changed, next];
    }).executeAndCollect();
    // Union-find: each component labelled with its smallest vertex.
    const parent = Array.from({ length: n }, (_, v) => v);
    const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
    for (const [u, v] of edges) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
    const expected = Array.from({ length: n }, (_, v): [number, number] => [v, find(v)]);
    assert.equal(byFirst(result), expected);
    const supersteps = embeddedBatchExecutor.lastRun!.stats.supersteps;
    assert.ok(supersteps >= 1 && supersteps < 1000, `ended when the workset emptied, after ${supersteps} supersteps`);
  });
}

test('a delta iteration ends after maxIterations even when the workset never empties', async () => {
  const env = batchEnv(2);
  const solution = env.fromCollection([[0, 0], [1, 0]] as Array<[number, number]>);
  const out = await solution.iterateDelta(env.fromCollection([0, 1]), 5, (s) => s[0], (sol, ws) => {
    const delta = sol.join(ws, (w) => w, (s, w): [number, number] => [w, (s?.[1] ?? 0) + 1]);
    return [delta, ws.map((w) => w)];
  }).executeAndCollect();
  assert.equal(byFirst(out), [[0, 5], [1, 5]]);
  assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, 5);
});

test('under a tiny memory budget the data set between supersteps spills in full chunks, with exact results', async () => {
  const env = batchEnv(2);
  env.getConfig().setBatchMemoryBytes(16 * 1024);
  const n = 20_000;
  const out = await env.fromSequence(1, n).map((v) => ({ v, pad: 'x'.repeat(40) }))
    .iterate(3, (cur) => cur.map((r) => ({ v: r.v * 2, pad: r.pad })).keyBy((r) => r.v % 5).map((r) => r))
    .map((r) => r.v).executeAndCollect();
  assert.equal(sortNum(out), Array.from({ length: n }, (_, i) => (i + 1) * 8));
  const stats = embeddedBatchExecutor.lastRun!.stats;
  assert.ok(stats.partitionChunksSpilled > 0, `spilled ${stats.partitionChunksSpilled} chunks`);
  // Spilled frames are full chunks (1024 records), not a record or two each.
  assert.ok(stats.partitionChunksSpilled * 1024 <= stats.partitionRecords, `${stats.partitionChunksSpilled} chunks for ${stats.partitionRecords} records`);
  assert.is(stats.supersteps, 3);
});

test("nested bulk iterations, in 'automatic' mode over bounded sources", async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2).setRuntimeMode('automatic');
  const out = await env.fromSequence(1, 100)
    .iterate(3, (outer) => outer.iterate(2, (inner) => inner.map((v) => v + 1)).map((v) => v * 2))
    .executeAndCollect();
  const expected = Array.from({ length: 100 }, (_, i) => { let v = i + 1; for (let k = 0; k < 3; k++) v = (v + 2) * 2; return v; });
  assert.equal(sortNum(out), sortNum(expected));
  assert.is(embeddedBatchExecutor.lastRun!.stats.supersteps, 3 + 3 * 2);
});

test('a delta key selector returning no valid key fails the job naming the value', async () => {
  const env = batchEnv(1);
  const job = env.fromCollection([{ id: 1 }, { id: undefined as unknown as number }])
    .iterateDelta(env.fromCollection([1]), 3, (s) => s.id, (_sol, ws) => [ws.map((w) => ({ id: w })), ws.filter(() => false)])
    .executeAndCollect();
  await rejects(() => job, /the delta iteration's key selector returned undefined for \{\}/);
});

test('a failure inside a superstep re-runs it from its persisted input with exact results', async () => {
  let failed = false;
  const env = batchEnv(2).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const out = await env.fromSequence(1, 1000)
    .iterate(4, (cur) => cur.map((v) => {
      if (!failed && v === 502) { failed = true; throw new Error('injected failure'); }
      return v + 1;
    }).rebalance().map((v) => v))
    .executeAndCollect();
  assert.ok(failed);
  assert.equal(sortNum(out), Array.from({ length: 1000 }, (_, i) => i + 5));
  assert.is(embeddedBatchExecutor.lastRun!.stats.sliceRestarts, 1);
});

test('bulk and delta iterations fail at submission in streaming mode; bad arguments are clear errors', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.fromCollection([1, 2]).iterate(3, (cur) => cur.map((v) => v + 1)).addSink(() => {});
  await rejects(() => env.execute('bulk in streaming'), /bulk iterations need batch execution mode: env\.setRuntimeMode\('batch'\)/);
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env2.fromCollection([[1, 1]] as Array<[number, number]>).iterateDelta(env2.fromCollection([1]), 3, (s) => s[0], (_s, w) => [w.map((x): [number, number] => [x, x]), w])
    .addSink(() => {});
  await rejects(() => env2.execute('delta in streaming'), /need batch execution mode/);
  const env3 = batchEnv(1);
  const outside: DataStream<number> = env3.fromCollection([1]);
  assert.throws(() => env3.fromCollection([1]).iterate(3, () => outside), /built from the step function's arguments/);
  assert.throws(() => env3.fromCollection([1]).iterate(0, (c) => c), /maxIterations must be a positive integer/);
});

test.run();
