import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import {
  AscendingTimestampsWatermarks, BoundedOutOfOrdernessWatermarks, IdlenessTimer, NoWatermarksGenerator,
  WatermarksWithIdleness, type WatermarkOutput,
} from '../../../api/time/watermark-generator.ts';

function recorder(): WatermarkOutput & { log: string[] } {
  const log: string[] = [];
  return { log, emitWatermark: (t) => log.push(`wm ${t}`), markIdle: () => log.push('idle'), markActive: () => log.push('active') };
}

test('bounded out-of-orderness: max timestamp - bound - 1, nothing before the first event', () => {
  const gen = new BoundedOutOfOrdernessWatermarks<number>(100);
  const out = recorder();
  gen.onPeriodicEmit(out);
  assert.equal(out.log, []);
  gen.onEvent(0, 1000, out);
  gen.onEvent(0, 900, out);
  gen.onPeriodicEmit(out);
  gen.onEvent(0, 1500, out);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, ['wm 899', 'wm 1399']);
});

test('ascending timestamps: max - 1', () => {
  const gen = new AscendingTimestampsWatermarks<number>();
  const out = recorder();
  gen.onEvent(0, 10, out);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, ['wm 9']);
});

test('negative bound is rejected', () => {
  assert.throws(() => new BoundedOutOfOrdernessWatermarks(-1), /must be >= 0/);
});

test('no watermarks emits nothing', () => {
  const gen = new NoWatermarksGenerator<number>();
  const out = recorder();
  gen.onEvent(1, 1, out);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, []);
});

test('idleness timer: idle only after the timeout without activity', () => {
  const clock = new ManualClock(0);
  const timer = new IdlenessTimer(clock, 1000);
  assert.not.ok(timer.checkIfIdle());
  clock.advance(999);
  assert.not.ok(timer.checkIfIdle());
  clock.advance(1);
  assert.ok(timer.checkIfIdle());
  timer.activity();
  assert.not.ok(timer.checkIfIdle());
  clock.advance(500);
  assert.not.ok(timer.checkIfIdle());
});

test('idleness wrapper marks idle, then active on the next event', () => {
  const clock = new ManualClock(0);
  const gen = new WatermarksWithIdleness(new BoundedOutOfOrdernessWatermarks<number>(0), 1000, clock);
  const out = recorder();
  gen.onEvent(0, 50, out);
  gen.onPeriodicEmit(out);
  clock.advance(600);
  gen.onPeriodicEmit(out);
  clock.advance(600);
  gen.onPeriodicEmit(out);
  gen.onPeriodicEmit(out);
  gen.onEvent(0, 70, out);
  gen.onPeriodicEmit(out);
  assert.equal(out.log, ['wm 49', 'wm 49', 'idle', 'active', 'wm 69']);
});

test.run();
