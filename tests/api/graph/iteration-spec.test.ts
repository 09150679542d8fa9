// Iteration nodes in the graph: a bulk or delta iteration is a stage of its own between forward
// neighbours (golden plans), its body is a separate graph, 'streaming' and an unbounded
// 'automatic' refuse it; the solution set partitions entries by key as keyBy does and replaces an
// entry by key; the body's head and tails refuse to run outside their iteration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, describeBatchPlan, ITERATION_NEEDS_BATCH, planBatchStages, resolveRuntimeMode, StreamExecutionEnvironment,
} from '../../../api/index.ts';
import { IterationInput, IterationOutput, SolutionSetPartitions } from '../../../api/graph/iteration-spec.ts';
import { assignKeyToParallelOperator, type Key } from '../../../state/key-groups.ts';

const env = (p = 2) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);

test('a bulk iteration is a stage of its own between forward neighbours; its body stays out of the job graph', () => {
  const e = env().setRuntimeMode('batch');
  e.fromSequence(1, 10).map((x) => x).iterate(5, (c) => c.map((x) => x + 1).keyBy((x) => x % 2).reduce((a, b) => a + b))
    .map((x) => x).addSink(() => {});
  assert.is(describeBatchPlan(planBatchStages(e.getJobGraph())), [
    'stage 0 (p=2): [Sequence Source -> Map]',
    'stage 1 (p=2): [Bulk Iteration] <- forward from "Sequence Source -> Map" after 0',
    'stage 2 (p=2): [Map -> Sink] <- forward from "Bulk Iteration" after 1',
  ].join('\n'));
});

test('a delta iteration reads the solution set on input 1 and the workset on input 2', () => {
  const e = env(3).setRuntimeMode('batch');
  const solution = e.fromSequence(1, 3).map((x): [number, number] => [x, x]);
  const out = solution.iterateDelta(e.fromSequence(1, 3).rebalance(), 4, (s) => s[0], (sol, ws) => {
    const d = sol.join(ws, (w) => w, (s, w): [number, number] => [w, s?.[1] ?? 0]);
    return [d, ws];
  });
  out.addSink(() => {});
  const graph = e.getJobGraph();
  const it = graph.vertices.find((v) => v.name === 'Delta Iteration')!;
  const inputs = graph.edges.filter((x) => x.target === it).map((x) => [x.typeNumber, x.partitioner.kind]);
  assert.equal(inputs, [[1, 'forward'], [2, 'rebalance']]);
  assert.is(it.head.iteration?.kind, 'delta');
  assert.ok(!graph.vertices.some((v) => v.name.includes('Solution Set Join')), 'the body is not in the job graph');
});

test("streaming refuses iterations; 'automatic' runs them in batch, or refuses them with an unbounded source", () => {
  const e = env();
  e.fromSequence(1, 3).iterate(2, (c) => c).addSink(() => {});
  assert.throws(() => resolveRuntimeMode('streaming', e.streamGraph.nodes), (err: Error) => err.message === ITERATION_NEEDS_BATCH);
  assert.is(resolveRuntimeMode('automatic', e.streamGraph.nodes), 'batch');
  const u = env();
  u.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'Endless').iterate(2, (c) => c).addSink(() => {});
  assert.throws(() => resolveRuntimeMode('automatic', u.streamGraph.nodes), /bulk iterations need batch execution mode.*"Endless" is unbounded/);
});

test('the solution set partitions by key as keyBy does and replaces entries by key', () => {
  const set = new SolutionSetPartitions<{ k: Key; v: number }>((s) => s.k);
  set.reset(4, 128);
  const keys: Key[] = [1, 2, 'a', 'b', [1, 'x'], 7n, true];
  keys.forEach((k, i) => set.put({ k, v: i }));
  set.put({ k: [1, 'x'], v: 99 });
  assert.is(set.size, keys.length);
  assert.is(set.get([1, 'x'])?.v, 99);
  assert.is(set.get('1'), undefined, 'the string "1" is not the number 1');
  for (const k of keys) {
    const index = assignKeyToParallelOperator(k, 128, 4);
    assert.ok([...set.values(index)].some((s) => JSON.stringify(s.k, (_x, v) => String(v)) === JSON.stringify(k, (_x, v) => String(v))), `key ${String(k)} in partition ${index}`);
  }
});

test('an iteration head or tail used outside its iteration is a clear error', () => {
  const head = new IterationInput('the bulk iteration head');
  assert.throws(() => head.createReader({} as never), /runs only inside its iteration, in batch mode/);
  const tail = new IterationOutput('the next data set');
  assert.throws(() => tail.create(), /the next data set runs only inside its iteration/);
});

test.run();
