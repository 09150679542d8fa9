// Chaining rules (vertex counts) and the validation errors of job graph building, each naming
// the operator at fault.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildJobGraph, InvalidJobGraphError, OutputTag, StreamExecutionEnvironment, StreamGraph } from '../../../api/index.ts';

const env = (p = 1) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
const vertices = (e: StreamExecutionEnvironment) => e.getJobGraph().vertices.map((v) => v.name);

test('forward edges with equal parallelism chain into one vertex', () => {
  const e = env(2);
  e.fromSequence(1, 10).map((x) => x).filter(() => true).addSink(() => {});
  assert.equal(vertices(e), ['Sequence Source -> Map -> Filter -> Sink']);
});

test('a partitioner other than forward breaks the chain', () => {
  for (const part of ['rebalance', 'rescale', 'shuffle', 'broadcast', 'global'] as const) {
    const e = env(2);
    e.fromSequence(1, 10)[part]().map((x) => x).addSink(() => {});
    assert.equal(vertices(e), ['Sequence Source', 'Map -> Sink'], part);
  }
  const e = env(2);
  e.fromSequence(1, 10).keyBy((x) => x).reduce((a, b) => a + b).addSink(() => {});
  assert.equal(vertices(e), ['Sequence Source', 'Keyed Reduce -> Sink']);
});

test('different parallelism breaks the chain (and defaults to rebalance)', () => {
  const e = env(2);
  e.fromSequence(1, 10).map((x) => x).setParallelism(3).addSink(() => {}).setParallelism(3);
  const g = e.getJobGraph();
  assert.equal(g.vertices.map((v) => [v.name, v.parallelism]), [['Sequence Source', 2], ['Map -> Sink', 3]]);
  assert.is(g.edges[0].partitioner.kind, 'rebalance');
});

test('startNewChain and disableChaining', () => {
  let e = env();
  e.fromSequence(1, 10).map((x) => x).filter(() => true).startNewChain().addSink(() => {});
  assert.equal(vertices(e), ['Sequence Source -> Map', 'Filter -> Sink']);
  e = env();
  e.fromSequence(1, 10).map((x) => x).disableChaining().filter(() => true).addSink(() => {});
  assert.equal(vertices(e), ['Sequence Source', 'Map', 'Filter -> Sink']);
  e = env();
  e.fromSequence(1, 10).map((x) => x).filter(() => true).addSink(() => {}).disableChaining();
  assert.equal(vertices(e), ['Sequence Source -> Map -> Filter', 'Sink']);
});

test('slot sharing groups: different groups do not chain; slots per group add up', () => {
  const e = env(2);
  e.fromSequence(1, 10).map((x) => x).slotSharingGroup('heavy').setParallelism(3).filter(() => true).setParallelism(3).addSink(() => {}).setParallelism(3);
  const g = e.getJobGraph();
  assert.equal(g.vertices.map((v) => [v.name, v.slotSharingGroup]), [['Sequence Source', 'default'], ['Map -> Filter -> Sink', 'heavy']]);
});

test('union and two-input operators are never chained to their inputs', () => {
  const e = env();
  e.fromElements(1).union(e.fromElements(2)).map((x) => x).addSink(() => {});
  assert.equal(vertices(e), ['Collection Source', 'Collection Source', 'Map -> Sink']);
});

test('env.disableOperatorChaining puts every operator into its own vertex', () => {
  const e = env().disableOperatorChaining();
  e.fromSequence(1, 10).map((x) => x).filter(() => true).addSink(() => {});
  assert.is(e.getJobGraph().vertices.length, 4);
});

test('side outputs chain like main outputs', () => {
  const e = env();
  const main = e.fromSequence(1, 10).map((x) => x);
  main.getSideOutput(new OutputTag<number>('t')).addSink(() => {});
  main.addSink(() => {});
  assert.equal(vertices(e), ['Sequence Source -> Map -> Sink -> Sink']);
});

const invalid = (build: (e: StreamExecutionEnvironment) => void, message: RegExp, p = 1) => {
  const e = env(p);
  build(e);
  assert.throws(() => e.getJobGraph(), (err: Error) => err instanceof InvalidJobGraphError && message.test(err.message));
};

test('validation: empty topology and missing sink', () => {
  invalid(() => {}, /no operators defined/);
  invalid((e) => { e.fromElements(1).map((x) => x).name('Lonely Map'); }, /has no sink/);
});

test('validation: parallelism greater than maxParallelism names the operator', () => {
  invalid((e) => { e.fromSequence(1, 2).map((x) => x).name('Wide Map').setParallelism(8).setMaxParallelism(4).addSink(() => {}); },
    /"Wide Map": parallelism 8 is greater than its maxParallelism 4/);
});

test('validation: forward edge with different parallelism names both operators', () => {
  invalid((e) => { e.fromSequence(1, 2).name('Src').forward().map((x) => x).name('Fwd Map').setParallelism(2).addSink(() => {}); },
    /forward partitioning does not allow a change of parallelism: "Src" has parallelism 1, "Fwd Map" has 2/);
});

test('validation: a non-parallel source cannot have parallelism > 1', () => {
  invalid((e) => { e.fromElements(1, 2).name('Elements').setParallelism(2).addSink(() => {}); }, /"Elements" is not parallel: its parallelism must be at most 1, got 2/);
});

test('validation: cycles and half-keyed two-input operators', () => {
  const g = new StreamGraph();
  const a = g.addNode({ name: 'A', kind: 'one-input', operatorFactory: () => null });
  const b = g.addNode({ name: 'B', kind: 'one-input', operatorFactory: () => null, isSink: true });
  g.addEdge({ source: a, target: b, typeNumber: 1 });
  g.addEdge({ source: b, target: a, typeNumber: 1 });
  const defaults = { jobName: 'j', parallelism: 1, maxParallelism: 128, chainingEnabled: true, config: {} as never };
  assert.throws(() => buildJobGraph(g, defaults), /cycle through operator "A"/);
  invalid((e) => {
    e.fromElements(1).keyBy((x) => x).connect(e.fromElements(2)).transform('Half Keyed', () => null as never).addSink(() => {});
  }, /"Half Keyed": both inputs must be keyed or neither/);
});

test('a keyed input with a broadcast second input is the keyed broadcast pattern, not half keyed', () => {
  const e = env();
  e.fromElements(1).keyBy((x) => x).connect(e.fromElements(2).broadcast()).transform('Keyed Broadcast', () => null as never).addSink(() => {});
  const graph = e.getJobGraph();
  assert.ok(graph.vertices.some((v) => v.nodes.some((n) => n.name === 'Keyed Broadcast')));
  invalid((x) => {
    x.fromElements(1).broadcast().connect(x.fromElements(2).keyBy((y) => y)).transform('Broadcast First', () => null as never).addSink(() => {});
  }, /"Broadcast First": both inputs must be keyed or neither/);
});

test('validation: bad parallelism arguments fail at once', () => {
  const e = env();
  assert.throws(() => e.fromElements(1).map((x) => x).name('M').setParallelism(0), /"M": parallelism must be a positive integer, got 0/);
  assert.throws(() => e.setParallelism(-1), /positive integer/);
  assert.throws(() => e.setMaxParallelism(40000), /within 1\.\.32768/);
});

test.run();
