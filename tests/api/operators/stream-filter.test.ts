// StreamFilter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamFilter } from '../../../api/operators/stream-filter.ts';
import { harness } from './operator-harness.ts';

test('keeps the elements the predicate accepts, with their timestamps', async () => {
  const h = await harness(new StreamFilter<number>((x) => x % 2 === 0));
  for (let i = 0; i < 6; i++) h.process(i, i * 10);
  assert.equal(h.recorded.records, [[0, 0], [2, 20], [4, 40]]);
});

test.run();
