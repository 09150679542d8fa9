// The word-count example against a plain loop over the same text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wordCount } from '../../examples/word-count.ts';

test('word-count example equals a plain loop, at several parallelisms', async () => {
  const lines = ['a b a', 'c a b', "it's a test", '', 'b b b'];
  const expected = new Map<string, number>();
  for (const line of lines) for (const w of line.toLowerCase().split(/[^a-z']+/)) if (w) expected.set(w, (expected.get(w) ?? 0) + 1);
  for (const p of [1, 2, 4]) assert.equal(await wordCount(lines, p), expected);
});

test.run();
