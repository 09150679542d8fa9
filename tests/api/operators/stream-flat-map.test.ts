// StreamFlatMap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamFlatMap } from '../../../api/operators/stream-flat-map.ts';
import { harness } from './operator-harness.ts';

test('emits any number of elements per element, stamped with the input timestamp', async () => {
  const h = await harness(new StreamFlatMap<string, string>((line, out) => { for (const w of line.split(' ')) if (w) out.collect(w); }));
  h.process('a b', 1); h.process('', 2); h.process('c', 3);
  assert.equal(h.recorded.records, [['a', 1], ['b', 1], ['c', 3]]);
});

test.run();
