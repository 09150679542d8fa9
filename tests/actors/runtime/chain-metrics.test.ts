// ChainMetrics on its own: a chain head reading the subtask's input, a fused map/filter run built
// tail first (the longest run is the one records go through, so its counts stand for each fused
// operator; filters count only what they drop), a counting link, a network writer, and an operator with two consumers of its main
// output and one of a side output (each stream counted once, as Flink counts records emitted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StreamNode } from '../../../api/graph/stream-graph.ts';
import { FusedStatelessChain, type StatelessStep } from '../../../api/operators/fused-stateless-chain.ts';
import { ChainMetrics } from '../../../actors/runtime/chain-metrics.ts';
import { ChainingOutput } from '../../../actors/runtime/chain-outputs.ts';

const node = (id: number, name: string): StreamNode => ({ id, name }) as unknown as StreamNode;

test('head, fused run, link and writer: each operator\'s records in and out', () => {
  const [head, plus, odd, sink] = [node(1, 'head'), node(2, 'plus'), node(3, 'odd'), node(4, 'sink')];
  const metrics = new ChainMetrics([head, plus, odd, sink]);
  let taskIn = 0;
  const writer = { recordsOut: 0 };
  // Tail first, as the task builds it: the sink is fed through a counting link and writes to the network.
  const sinkLink = new ChainingOutput<unknown>({ processElement: () => { writer.recordsOut++; } } as never);
  metrics.network(sink, 'main', writer);
  metrics.link(sink, sinkLink);
  const oddStep: StatelessStep = { filter: true, fn: (x: number) => x % 2 === 1 };
  const plusStep: StatelessStep = { filter: false, fn: (x: number) => x + 1 };
  const oddRun = new FusedStatelessChain([oddStep], sinkLink);
  metrics.chained(odd, 'main', sink);
  metrics.fusedStep(odd, oddStep, oddRun);
  const run = oddRun.prepend(plusStep);
  metrics.chained(plus, 'main', odd);
  metrics.fusedStep(plus, plusStep, run);
  metrics.chained(head, 'main', plus);
  metrics.head(head, () => taskIn);

  for (let x = 0; x < 10; x++) { taskIn++; run.collect(x, 0); }
  assert.equal(metrics.sample().map((o) => [o.name, o.numRecordsIn, o.numRecordsOut]), [
    ['head', 10, 10], ['plus', 10, 10], ['odd', 10, 5], ['sink', 5, 5],
  ]);
  assert.equal(metrics.sample().map((o) => o.id), ['1', '2', '3', '4']);
});

test('a fused run of filter, map, filter: counts follow from what the filters dropped and what the consumer received', () => {
  const [head, even, plus, thirds, sink] = [node(1, 'head'), node(2, 'even'), node(3, 'plus'), node(4, 'thirds'), node(5, 'sink')];
  const metrics = new ChainMetrics([head, even, plus, thirds, sink]);
  const sinkLink = new ChainingOutput<unknown>({ processElement() {} } as never);
  metrics.link(sink, sinkLink);
  const steps: StatelessStep[] = [
    { filter: true, fn: (x: number) => x % 2 === 0 }, { filter: false, fn: (x: number) => x + 1 }, { filter: true, fn: (x: number) => x % 3 === 0 },
  ];
  let run = new FusedStatelessChain([steps[2]], sinkLink);
  metrics.chained(thirds, 'main', sink);
  metrics.fusedStep(thirds, steps[2], run);
  run = run.prepend(steps[1]);
  metrics.chained(plus, 'main', thirds);
  metrics.fusedStep(plus, steps[1], run);
  run = run.prepend(steps[0]);
  metrics.chained(even, 'main', plus);
  metrics.fusedStep(even, steps[0], run);
  metrics.chained(head, 'main', even);
  metrics.head(head, undefined);
  for (let x = 0; x < 12; x++) run.collect(x, 0);
  // 0..11: six even; plus one gives 1,3,5,7,9,11; of those 3 and 9 are divisible by 3.
  assert.equal(metrics.sample().map((o) => [o.name, o.numRecordsIn, o.numRecordsOut]), [
    ['head', 0, 12], ['even', 12, 6], ['plus', 6, 6], ['thirds', 6, 2], ['sink', 2, 0],
  ]);
  assert.equal(run.dropped, [6, 0, 4], 'filters count what they drop, maps nothing');
});

test('two consumers of the main output and one of a side output: each stream counts once', () => {
  const [source, split, a, b, side] = [node(1, 'source'), node(2, 'split'), node(3, 'a'), node(4, 'b'), node(5, 'side')];
  const metrics = new ChainMetrics([source, split, a, b, side]);
  const links = [a, b, side].map((n) => {
    const link = new ChainingOutput<unknown>({ processElement() {} } as never);
    metrics.link(n, link);
    return link;
  });
  metrics.chained(split, 'main', a);
  metrics.chained(split, 'main', b);
  metrics.chained(split, 'side:odd', side);
  const splitLink = new ChainingOutput<unknown>({ processElement() {} } as never);
  metrics.link(split, splitLink);
  metrics.chained(source, 'main', split);
  metrics.head(source, undefined);
  for (let x = 0; x < 9; x++) {
    splitLink.collect(x, 0);
    if (x % 2 === 0) { links[0].collect(x, 0); links[1].collect(x, 0); } else links[2].collect(x, 0);
  }
  assert.equal(metrics.sample().map((o) => [o.name, o.numRecordsIn, o.numRecordsOut]), [
    ['source', 0, 9], ['split', 9, 9], ['a', 5, 0], ['b', 5, 0], ['side', 4, 0],
  ]);
});

test.run();
