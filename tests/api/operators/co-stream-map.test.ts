// CoStreamMap: map1/map2 per input, timestamps kept, watermarks forwarded, open/close called.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoStreamMap } from '../../../api/operators/co-stream-map.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import { TwoInputHarness } from '../windowing/operator-harness.ts';

test('map1 for input 1, map2 for input 2, each with its element\'s timestamp', async () => {
  const calls: string[] = [];
  const op = new CoStreamMap<number, string, string>({
    open: (ctx: RuntimeContext) => { calls.push(`open ${ctx.getIndexOfThisSubtask()}`); },
    map1: (n) => `n${n + 1}`,
    map2: (s) => s.toUpperCase(),
    close: () => { calls.push('close'); },
  });
  const h = await new TwoInputHarness<number, string, string>(op, undefined, undefined, { keyed: false }).open();
  h.processElement1(1, 10);
  h.processElement2('x', 20);
  h.processWatermark(15);
  h.processElement1(5, -Infinity);
  await h.close();
  assert.equal(h.output.records(), [{ value: 'n2', timestamp: 10 }, { value: 'X', timestamp: 20 }, { value: 'n6', timestamp: -Infinity }]);
  assert.equal(h.output.watermarks(), [15]);
  assert.equal(calls, ['open 0', 'close']);
});

test.run();
