import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import { WatermarkStrategy } from '../../../api/time/watermark-strategy.ts';
import type { WatermarkOutput } from '../../../api/time/watermark-generator.ts';

function recorder(): WatermarkOutput & { log: string[] } {
  const log: string[] = [];
  return { log, emitWatermark: (t) => log.push(`wm ${t}`), markIdle: () => log.push('idle'), markActive: () => log.push('active') };
}

test('without an assigner, records keep their timestamp', () => {
  const assign = WatermarkStrategy.forMonotonousTimestamps<{ ts: number }>().createTimestampAssigner();
  assert.is(assign({ ts: 5 }, 42), 42);
});

test('withTimestampAssigner extracts timestamps and keeps the generator', () => {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<{ ts: number }>(10).withTimestampAssigner((e) => e.ts);
  assert.is(strategy.createTimestampAssigner()({ ts: 5 }, 42), 5);
  const gen = strategy.createWatermarkGenerator();
  const out = recorder();
  gen.onEvent({ ts: 100 }, 100, out);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, ['wm 89']);
});

test('forMonotonousTimestamps and noWatermarks', () => {
  const out = recorder();
  const mono = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator();
  mono.onEvent(1, 7, out);
  mono.onPeriodicEmit(out);
  const none = WatermarkStrategy.noWatermarks<number>().createWatermarkGenerator();
  none.onEvent(1, 7, out);
  none.onPeriodicEmit(out);
  assert.equal(out.log, ['wm 6']);
});

test('forGenerator gets the clock; strategies are immutable', () => {
  const clock = new ManualClock(123);
  let seen = -1;
  const base = WatermarkStrategy.forGenerator<number>((ctx) => {
    seen = ctx.clock.now();
    return { onEvent() {}, onPeriodicEmit(o) { o.emitWatermark(1); } };
  });
  const idle = base.withIdleness(50);
  assert.is(base.idlenessMs, undefined);
  assert.is(idle.idlenessMs, 50);
  base.createWatermarkGenerator({ clock });
  assert.is(seen, 123);
});

test('withIdleness wraps the generator with the given clock', () => {
  const clock = new ManualClock(0);
  const gen = WatermarkStrategy.forMonotonousTimestamps<number>().withIdleness(100).createWatermarkGenerator({ clock });
  const out = recorder();
  gen.onPeriodicEmit(out);
  clock.advance(100);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, ['idle']);
  assert.throws(() => WatermarkStrategy.noWatermarks().withIdleness(0), /must be > 0/);
});

test.run();
