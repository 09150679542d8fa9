// StreamMap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamMap } from '../../../api/operators/stream-map.ts';
import { harness } from './operator-harness.ts';

test('maps every element, keeps its timestamp, forwards watermarks and idleness', async () => {
  const h = await harness(new StreamMap<number, string>((x) => `v${x}`));
  h.process(1, 10); h.process(2, -Infinity);
  h.watermark(5);
  assert.equal(h.recorded.records, [['v1', 10], ['v2', -Infinity]]);
  assert.equal(h.recorded.watermarks, [5]);
});

test.run();
