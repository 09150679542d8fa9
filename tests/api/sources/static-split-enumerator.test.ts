// StaticSplitEnumerator: split ownership and hand-out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StaticSplitEnumerator } from '../../../api/sources/static-split-enumerator.ts';

test('assigns split i to reader i mod p as readers register, then signals no more splits', () => {
  const log: string[] = [];
  const e = new StaticSplitEnumerator({
    currentParallelism: () => 2, registeredReaders: () => [],
    assignSplit: (s, i) => log.push(`${s.splitId}->${i}`), signalNoMoreSplits: (i) => log.push(`done ${i}`),
  }, ['s0', 's1', 's2'].map((splitId) => ({ splitId })));
  e.addReader(1);
  assert.equal(log, ['s1->1', 'done 1']);
  assert.equal(e.snapshotState().map((s) => s.splitId), ['s0', 's2']);
  e.addReader(0);
  assert.equal(log.slice(2), ['s0->0', 's2->0', 'done 0']);
  e.addSplitsBack([{ splitId: 's1' }], 1);
  assert.equal(e.snapshotState().map((s) => s.splitId), ['s1']);
});

test.run();
