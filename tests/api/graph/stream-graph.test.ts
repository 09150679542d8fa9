// StreamGraph construction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamGraph } from '../../../api/graph/stream-graph.ts';

test('nodes get increasing ids and default chaining strategies; edges link both ends', () => {
  const g = new StreamGraph();
  const s = g.addNode({ name: 'S', kind: 'source', operatorFactory: () => null });
  const m = g.addNode({ name: 'M', kind: 'one-input', operatorFactory: () => null, isSink: true });
  g.addEdge({ source: s, target: m, typeNumber: 1 });
  assert.equal([s.id, m.id, s.chainingStrategy, m.chainingStrategy, m.isSink], [1, 2, 'head', 'always', true]);
  assert.is(s.outEdges[0].target, m);
  assert.is(m.inEdges[0].source, s);
  g.clear();
  assert.is(g.nodes.length, 0);
});

test.run();
