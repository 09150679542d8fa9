import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sqlWordCount } from '../../examples/sql-word-count.ts';

test('the SQL word count gives the plain-loop counts, most frequent first, and its plan', async () => {
  const lines = ['a b a', 'c a b', '', 'b'];
  const { rows, plan } = await sqlWordCount(lines, 2);
  const expected = new Map<string, number>();
  for (const w of lines.join(' ').split(' ').filter(Boolean)) expected.set(w, (expected.get(w) ?? 0) + 1);
  assert.equal(rows, [...expected].filter(([, n]) => n >= 2).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([word, cnt]) => ({ word, cnt, len: word.length })));
  assert.match(plan, /GroupAggregate\(groupBy=\[word\]/);
});

test.run();
