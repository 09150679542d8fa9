import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StatusWatermarkValve } from '../../../api/time/status-watermark-valve.ts';
import { Random, testSeed } from '../../support/random.ts';

function valve(n: number) {
  const log: string[] = [];
  const v = new StatusWatermarkValve(n, { emitWatermark: (t) => log.push(`wm ${t}`), emitWatermarkStatus: (idle) => log.push(idle ? 'idle' : 'active') });
  return { v, log };
}

test('emits the minimum over channels, only when it advances', () => {
  const { v, log } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 5);
  assert.equal(log, []);
  v.inputWatermark(2, 7);
  v.inputWatermark(1, 8);
  v.inputWatermark(1, 9);
  v.inputWatermark(2, 20);
  v.inputWatermark(0, 3);
  assert.equal(log, ['wm 5', 'wm 7', 'wm 9']);
  assert.is(v.currentWatermark, 9);
});

test('an idle channel is excluded; when it returns behind it waits until it catches up', () => {
  const { v, log } = valve(2);
  v.inputWatermark(0, 10);
  v.inputWatermarkStatus(1, true);
  assert.equal(log, ['wm 10']);
  v.inputWatermark(0, 20);
  v.inputWatermarkStatus(1, false);
  v.inputWatermark(0, 30);
  assert.equal(log, ['wm 10', 'wm 20', 'wm 30']);
  v.inputWatermark(1, 25);
  assert.equal(log.length, 3);
  v.inputWatermark(1, 40);
  v.inputWatermark(0, 50);
  assert.equal(log, ['wm 10', 'wm 20', 'wm 30', 'wm 40']);
});

test('all channels idle: flushes the max watermark, then idle; first active channel makes it active', () => {
  const { v, log } = valve(2);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 4);
  v.inputWatermarkStatus(0, true);
  v.inputWatermarkStatus(1, true);
  assert.equal(log, ['wm 4', 'wm 10', 'idle']);
  assert.ok(v.idle);
  v.inputWatermark(0, 99);
  assert.equal(log.length, 3);
  v.inputWatermarkStatus(1, false);
  assert.equal(log.slice(3), ['active']);
  v.inputWatermark(1, 12);
  assert.equal(log.slice(4), ['wm 12']);
});

test('end of input releases the channel', () => {
  const { v, log } = valve(2);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 3);
  v.inputEnded(1);
  v.inputEnded(0);
  assert.equal(log, ['wm 3', 'wm 10', 'wm Infinity']);
});

test('randomized: monotone, bounded by the channels, equal to the active minimum without idleness', () => {
  const seed = testSeed('valve');
  const rnd = new Random(seed);
  for (let round = 0; round < 300; round++) {
    const n = rnd.int(1, 5);
    const withIdle = rnd.chance(0.5);
    const out: number[] = [];
    let idleOut = false;
    const v = new StatusWatermarkValve(n, { emitWatermark: (t) => out.push(t), emitWatermarkStatus: (i) => { idleOut = i; } });
    const wm = new Array<number>(n).fill(-Infinity);
    const idle = new Array<boolean>(n).fill(false);
    for (let step = 0; step < 60; step++) {
      const ch = rnd.int(0, n - 1);
      if (withIdle && rnd.chance(0.2)) {
        idle[ch] = !idle[ch];
        v.inputWatermarkStatus(ch, idle[ch]);
      } else if (!idle[ch]) {
        const t = wm[ch] === -Infinity ? rnd.int(0, 20) : wm[ch] + rnd.int(-3, 10);
        if (t > wm[ch]) wm[ch] = t;
        v.inputWatermark(ch, t);
      }
      for (let i = 1; i < out.length; i++) assert.ok(out[i] > out[i - 1], `seed ${seed}: not monotone ${out}`);
      const last = out.length ? out[out.length - 1] : -Infinity;
      assert.ok(last <= Math.max(...wm), `seed ${seed}: output above every channel`);
      assert.is(idleOut, idle.every((i) => i), `seed ${seed}: idle status`);
      if (!withIdle && wm.every((w) => w > -Infinity)) assert.is(last, Math.min(...wm), `seed ${seed}: not the minimum`);
    }
  }
});

test.run();
