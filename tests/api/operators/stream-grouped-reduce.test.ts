// StreamGroupedReduce: rolling reduce per key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamGroupedReduce } from '../../../api/operators/stream-grouped-reduce.ts';
import { harness } from './operator-harness.ts';

test('rolling reduce per key emits every update with the input timestamp', async () => {
  const h = await harness(new StreamGroupedReduce<[string, number]>((a, b) => [a[0], a[1] + b[1]]), { keyBy: (v: [string, number]) => v[0] });
  h.process(['x', 1], 1); h.process(['y', 5], 2); h.process(['x', 2], 3); h.process(['x', 3], 4);
  assert.equal(h.recorded.records, [[['x', 1], 1], [['y', 5], 2], [['x', 3], 3], [['x', 6], 4]]);
});

test.run();
