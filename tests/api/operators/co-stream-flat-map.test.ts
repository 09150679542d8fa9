// CoStreamFlatMap: flatMap1/flatMap2 per input; everything emitted carries the input's timestamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoStreamFlatMap } from '../../../api/operators/co-stream-flat-map.ts';
import { TwoInputHarness } from '../windowing/operator-harness.ts';

test('zero, one or many records per element, stamped with that element\'s timestamp', async () => {
  const op = new CoStreamFlatMap<number, string, string>({
    flatMap1: (n, out) => { for (let i = 0; i < n; i++) out.collect(`n${i}`); },
    flatMap2: (s, out) => { for (const c of s) out.collect(c); },
  });
  const h = await new TwoInputHarness<number, string, string>(op, undefined, undefined, { keyed: false }).open();
  h.processElement1(2, 7);
  h.processElement1(0, 8);
  h.processElement2('ab', 9);
  assert.equal(h.output.records().map((r) => `${r.value}@${r.timestamp}`), ['n0@7', 'n1@7', 'a@9', 'b@9']);
});

test.run();
