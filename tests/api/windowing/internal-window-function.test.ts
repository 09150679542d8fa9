import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../../api/functions/process-window-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import {
  AggregateIterableWindowFunction, IterableWindowFunction, ReduceIterableWindowFunction, SingleValueWindowFunction,
} from '../../../api/windowing/internal-window-function.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';

const w = new TimeWindow(0, 10);
const ctx = { window: w } as unknown as ProcessWindowContext<TimeWindow>;
const sink = () => { const out: unknown[] = []; return { out, c: { collect: (v: unknown) => out.push(v) } as Collector<any> }; };

test('single value: emitted as is, or through a window function as a one-element input', () => {
  const a = sink();
  new SingleValueWindowFunction<number, number, string, TimeWindow>(undefined).process('k', w, ctx, 7, a.c);
  const b = sink();
  new SingleValueWindowFunction<number, string, string, TimeWindow>((key, win, input, out) => out.collect(`${key}${win.start}${[...input]}`)).process('k', w, ctx, 7, b.c);
  assert.equal([a.out, b.out], [[7], ['k07']]);
});

test('iterable: process window functions get open/clear/close; each instance owns a copy', async () => {
  const log: string[] = [];
  class Fn extends ProcessWindowFunction<number, number, string, TimeWindow> {
    seen = 0;
    override open(_rc: RuntimeContext): void { log.push('open'); }
    process(_k: string, _c: ProcessWindowContext<TimeWindow>, els: Iterable<number>, out: Collector<number>): void {
      this.seen++;
      for (const e of els) out.collect(e * 2);
    }
    override clear(): void { log.push('clear'); }
    override close(): void { log.push('close'); }
  }
  const user = new Fn();
  const f1 = new IterableWindowFunction<number, number, string, TimeWindow>(user);
  const f2 = new IterableWindowFunction<number, number, string, TimeWindow>(user);
  await f1.open({} as RuntimeContext);
  const s = sink();
  f1.process('k', w, ctx, [1, 2], s.c);
  f1.clear(w, ctx);
  await f1.close();
  f2.process('k', w, ctx, [3], s.c);
  assert.equal(s.out, [2, 4, 6]);
  assert.equal(log, ['open', 'clear', 'close']);
  assert.is(user.seen, 0);
});

test('reduce and aggregate over buffered elements', () => {
  const r = sink();
  new ReduceIterableWindowFunction<number, number, string, TimeWindow>((a, b) => a + b, undefined).process('k', w, ctx, [1, 2, 3], r.c);
  new ReduceIterableWindowFunction<number, number, string, TimeWindow>((a, b) => a + b, undefined).process('k', w, ctx, [], r.c);
  const avg = { createAccumulator: () => [0, 0], add: (v: number, a: number[]) => [a[0] + v, a[1] + 1], getResult: (a: number[]) => a[0] / a[1], merge: (a: number[]) => a };
  new AggregateIterableWindowFunction<number, number[], number, number, string, TimeWindow>(avg, undefined).process('k', w, ctx, [2, 4], r.c);
  assert.equal(r.out, [6, 3]);
});

test.run();
