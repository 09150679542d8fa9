// Event time end to end: a generated stream of page clicks with timestamps, watermarks per
// source split (bounded out-of-orderness), clicks per user in 10-second tumbling event-time
// windows, and a KeyedProcessFunction that flags users who go quiet for 30 seconds of event
// time (a timer per user, reset on every click). Run: `npx tsx examples/windowed-clicks.ts`.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import {
  DataGeneratorSource, KeyedProcessFunction, StreamExecutionEnvironment, Time, TumblingEventTimeWindows,
  ValueStateDescriptor, WatermarkStrategy, type Collector, type KeyedContext, type OnTimerContext, type RuntimeContext,
  type TimeWindow, type ValueState,
} from '../api/index.ts';

/** One page click. */
export interface Click { user: string; page: string; ts: number }

/** The i-th generated click: 5 users, event time moving 1 s per click, some users stop early. */
export function click(i: number): Click {
  const user = `user-${i % 5}`;
  // user-4 stops clicking after 40 s of event time: the inactivity detector reports it.
  const ts = i * 1000;
  return { user: user === 'user-4' && ts > 40_000 ? 'user-3' : user, page: `/page/${i % 7}`, ts };
}

/** Emits "user went quiet at T" when a user has no click for `gapMs` of event time. */
class InactivityDetector extends KeyedProcessFunction<string, Click, string> {
  private lastSeen!: ValueState<number>;
  /** `endMs`: where the generated data ends; the final watermark then fires every timer, which is not inactivity. */
  constructor(private readonly gapMs: number, private readonly endMs: number) { super(); }
  open(ctx: RuntimeContext): void { this.lastSeen = ctx.getState(new ValueStateDescriptor<number>('last-seen')); }
  processElement(c: Click, ctx: KeyedContext<string>, _out: Collector<string>): void {
    this.lastSeen.update(c.ts);
    ctx.timerService().registerEventTimeTimer(c.ts + this.gapMs);
  }
  onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    // Only the timer of the latest click counts; earlier ones are stale.
    if (this.lastSeen.value()! + this.gapMs === ts && ts < this.endMs) out.collect(`${ctx.getCurrentKey()} went quiet at ${ts / 1000}s`);
  }
}

/** Runs the job over `count` clicks; returns per-window counts and inactivity alerts. */
export async function windowedClicks(count: number): Promise<{ windows: string[]; alerts: string[] }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const clicks = env.fromSource(
    new DataGeneratorSource(click, count),
    WatermarkStrategy.forBoundedOutOfOrderness<Click>(Time.seconds(2)).withTimestampAssigner((c) => c.ts),
    'clicks');
  const windows: string[] = [];
  clicks.keyBy((c) => c.user)
    .window(TumblingEventTimeWindows.of<Click>(Time.seconds(10)))
    .aggregate(
      { createAccumulator: () => 0, add: (_c: Click, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (user: string, window: TimeWindow, counts: Iterable<number>, out: Collector<string>) => {
        for (const n of counts) out.collect(`${user} [${window.start / 1000}s, ${window.end / 1000}s): ${n} clicks`);
      })
    .addSink((line) => { windows.push(line); });
  const alerts = await clicks.keyBy((c) => c.user).process(new InactivityDetector(30_000, count * 1000)).executeAndCollect('Windowed Clicks');
  return { windows: windows.sort(), alerts: alerts.sort() };
}

if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const { windows, alerts } = await windowedClicks(100);
  for (const line of windows) console.log(line);
  for (const line of alerts) console.log('ALERT', line);
}
