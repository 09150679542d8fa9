// CoBroadcastWithKeyedOperator: keyed state and timers on the keyed input, read-only broadcast
// state there and in onTimer, applyToKeyedState over every key with state on the broadcast input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  KeyedBroadcastProcessFunction, type KeyedBroadcastContext, type KeyedBroadcastOnTimerContext, type KeyedBroadcastReadOnlyContext,
} from '../../../api/functions/broadcast-process-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import { CoBroadcastWithKeyedOperator } from '../../../api/operators/co-broadcast-with-keyed-operator.ts';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { TwoInputHarness } from '../windowing/operator-harness.ts';

type Reading = { sensor: string; v: number };
const limits = new MapStateDescriptor<string, number>('limits');
const total = new ValueStateDescriptor<number>('total');

class Totals extends KeyedBroadcastProcessFunction<string, Reading, number | 'reset', string> {
  private rc!: RuntimeContext;
  override open(rc: RuntimeContext): void { this.rc = rc; }
  processElement(r: Reading, ctx: KeyedBroadcastReadOnlyContext<string>): void {
    const s = this.rc.getState(total);
    s.update((s.value() ?? 0) + r.v);
    ctx.timerService().registerEventTimeTimer(100);
    assert.is(ctx.getCurrentKey(), r.sensor);
  }
  processBroadcastElement(cmd: number | 'reset', ctx: KeyedBroadcastContext, out: Collector<string>): void {
    if (cmd === 'reset') {
      ctx.applyToKeyedState(total, (key, state) => { out.collect(`reset ${key} from ${state.value()}`); state.clear(); });
    } else {
      ctx.getBroadcastState(limits).put('max', cmd);
    }
  }
  override onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    const max = ctx.getBroadcastState(limits).get('max') ?? Infinity;
    const t = this.rc.getState(total).value() ?? 0;
    out.collect(`${ctx.getCurrentKey()}@${ts} ${ctx.timeDomain()} ${t > max ? 'over' : 'ok'}`);
  }
}

function harness() {
  return new TwoInputHarness<Reading, number | 'reset', string>(new CoBroadcastWithKeyedOperator(new Totals(), [limits]), (r) => r.sensor).open();
}

test('keyed state per key, timers per key reading the broadcast state in onTimer', async () => {
  const h = await harness();
  h.processElement1({ sensor: 'a', v: 5 }, 1);
  h.processElement1({ sensor: 'b', v: 50 }, 2);
  h.processElement2(10, 3);
  h.processElement1({ sensor: 'a', v: 1 }, 4);
  h.processWatermark(100);
  assert.equal(h.output.records().map((r) => r.value).sort(), ['a@100 event-time ok', 'b@100 event-time over']);
  assert.equal(h.output.watermarks(), [100]);
});

test('applyToKeyedState visits every key with state, that key current; clearing inside is safe', async () => {
  const h = await harness();
  for (const [sensor, v] of [['a', 1], ['b', 2], ['a', 3], ['c', 4]] as const) h.processElement1({ sensor, v }, 0);
  h.processElement2('reset', 0);
  assert.equal(h.output.records().map((r) => r.value).sort(), ['reset a from 4', 'reset b from 2', 'reset c from 4']);
  h.processElement2('reset', 0);
  assert.is(h.output.records().length, 3, 'no state left after the first reset');
});

test('broadcast state snapshot restores into a new instance; keyed-side access stays read-only', async () => {
  const h = await harness();
  h.processElement2(7, 0);
  const snapshot = h.operator.snapshotState!(1, 0)!;
  const op = new CoBroadcastWithKeyedOperator(new Totals(), [limits]);
  const h2 = new TwoInputHarness<Reading, number | 'reset', string>(op, (r) => r.sensor);
  await op.initializeState!({ isRestored: true, list: [], union: snapshot.union! });
  await h2.open();
  h2.processElement1({ sensor: 'z', v: 8 }, 0);
  h2.processWatermark(100);
  assert.equal(h2.output.records().map((r) => r.value), ['z@100 event-time over']);
  assert.equal(op.broadcastStates.getReadOnlyBroadcastState(limits).get('max'), 7);
});

test.run();
