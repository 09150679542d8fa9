// Pipelined regions at the subtask level, on job graphs built through the public API (chaining
// off, so that forward edges are network edges between vertices).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import type { JobGraph } from '../../../api/graph/job-graph.ts';
import { computePipelinedRegions } from '../../../actors/failover/pipelined-regions.ts';

/** Each region as sorted `vertexName[index]` strings, regions sorted: independent of traversal order. */
function describe(graph: JobGraph): string[][] {
  return computePipelinedRegions(graph).regions
    .map((r) => r.map((s) => `${s.vertex.name}[${s.subtaskIndex}]`).sort())
    .sort((a, b) => a[0].localeCompare(b[0]));
}

function env(parallelism: number): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).disableOperatorChaining();
}

test('two disconnected pipelines are two regions', () => {
  const e = env(1);
  e.fromSequence(1, 10).name('a').map((x: number) => x).name('ma').print();
  e.fromSequence(1, 10).name('b').map((x: number) => x).name('mb').print();
  const regions = describe(e.getJobGraph());
  assert.is(regions.length, 2);
  assert.equal(regions.map((r) => r.length), [3, 3]);
  assert.ok(regions[0].includes('a[0]') && regions[0].includes('ma[0]'));
  assert.ok(regions[1].includes('b[0]') && regions[1].includes('mb[0]'));
});

test('a forward-only chain at parallelism p is p regions, subtask i of every vertex in region i', () => {
  for (const p of [1, 2, 3]) {
    const e = env(p);
    e.fromSequence(1, 10).name('src').map((x: number) => x).name('m').filter(() => true).name('f').print();
    const regions = describe(e.getJobGraph());
    assert.is(regions.length, p, `parallelism ${p}`);
    for (const region of regions) {
      const indices = new Set(region.map((s) => s.replace(/.*\[(\d+)\]$/, '$1')));
      assert.is(indices.size, 1, `one subtask index per region: ${region.join(', ')}`);
      assert.is(region.length, 4, 'one subtask of each of the 4 vertices');
    }
  }
});

test('keyBy (and rebalance, broadcast) join every subtask of both vertices', () => {
  const keyed = env(3);
  keyed.fromSequence(1, 10).name('src').map((x: number) => x).name('m').keyBy((x) => x % 2).reduce((a, b) => a + b).name('r').print();
  const one = describe(keyed.getJobGraph());
  assert.is(one.length, 1);
  assert.is(one[0].length, 4 * 3);
  for (const route of ['rebalance', 'broadcast', 'shuffle'] as const) {
    const e = env(2);
    e.fromSequence(1, 10).name('src')[route]().map((x: number) => x).name('m').print();
    assert.is(describe(e.getJobGraph()).length, 1, route);
  }
});

test('a keyed pipeline beside a forward-only one: 1 + p regions, regionOf finds a subtask\'s region', () => {
  const e = env(2);
  e.fromSequence(1, 10).name('k').keyBy((x: number) => x % 3).reduce((a, b) => a + b).name('kr').print();
  e.fromSequence(1, 10).name('f').map((x: number) => x).name('fm').print();
  const graph = e.getJobGraph();
  const computed = computePipelinedRegions(graph);
  assert.is(computed.regions.length, 3);
  const fm = graph.vertices.find((v) => v.name === 'fm')!;
  const region = computed.regionOf(fm, 1);
  assert.equal(region.map((s) => `${s.vertex.name}[${s.subtaskIndex}]`).sort(), ['Print to Std. Out[1]', 'f[1]', 'fm[1]'].sort());
  const kr = graph.vertices.find((v) => v.name === 'kr')!;
  assert.is(computed.regionOf(kr, 0), computed.regionOf(kr, 1));
  assert.throws(() => computed.regionOf(fm, 2), /no subtask 2/);
});

test.run();
