// The batch word-count example against a plain loop: one count per word, at several
// parallelisms and with a memory budget small enough to spill.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batchWordCount } from '../../examples/batch-word-count.ts';

test('batch word count equals a plain loop, one count per word, spilling or not', async () => {
  const letters = 'abcdefghijklmnopq';
  const lines = Array.from({ length: 400 }, (_, i) => `w${letters[i % 17]} v${letters[i % 5]} x${letters[i % 3]} it's`);
  const expected = new Map<string, number>();
  for (const line of lines) for (const w of line.toLowerCase().split(/[^a-z']+/)) if (w) expected.set(w, (expected.get(w) ?? 0) + 1);
  const ordered = (m: Map<string, number>) => new Map([...m].sort());
  for (const p of [1, 3]) assert.equal(ordered(await batchWordCount(lines, p)), ordered(expected));
  assert.equal(ordered(await batchWordCount(lines, 2, 512)), ordered(expected));
});

test.run();
