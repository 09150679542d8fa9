// The window operator replayed through the scenarios of Flink's own window operator tests: the
// same elements, watermarks and processing times, the results Flink expects. Each scenario runs
// with window contents as a reducing state and as a list of elements, and, where the windows
// qualify, through the buffered operator that WindowedStream picks for them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputTag } from '../../../api/output-tag.ts';
import { BufferedWindowOperator, canBufferWindows } from '../../../api/windowing/buffered-window-operator.ts';
import { ContinuousEventTimeTrigger } from '../../../api/windowing/continuous-event-time-trigger.ts';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { EventTimeTrigger } from '../../../api/windowing/event-time-trigger.ts';
import { GlobalWindows } from '../../../api/windowing/global-windows.ts';
import { IterableWindowFunction, SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { PurgingTrigger } from '../../../api/windowing/purging-trigger.ts';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../../../api/windowing/session-windows.ts';
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { TimeWindow, type Window } from '../../../api/windowing/time-window.ts';
import type { Trigger } from '../../../api/windowing/trigger.ts';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import type { WindowAssigner } from '../../../api/windowing/window-assigner.ts';
import { WindowOperator, type WindowOperatorOptions } from '../../../api/windowing/window-operator.ts';
import { ListStateDescriptor, ReducingStateDescriptor } from '../../../state/state-descriptors.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };
const LATE = new OutputTag<E>('late');

/** One step: an element, a watermark, a processing time, or the results expected since the last check. */
type Step =
  | { e: [key: string, v: number, ts: number] }
  | { wm: number }
  | { pt: number }
  | { out: string[]; late?: string[] };
const e = (key: string, v: number, ts: number): Step => ({ e: [key, v, ts] });
const wm = (t: number): Step => ({ wm: t });
const pt = (t: number): Step => ({ pt: t });
const out = (records: string[], late?: string[]): Step => ({ out: records, late });

interface Scenario<W extends Window> {
  assigner: WindowAssigner<E, W>;
  trigger?: Trigger<E, W>;
  lateness?: number;
  /** Results show the window's start too (sessions): "key=sum@maxTimestamp/start". */
  showStart?: boolean;
  steps: Step[];
}

/** "key=sum@timestamp" (and "/start" for sessions) for every fired window. */
function describe<W extends Window>(showStart: boolean) {
  return (key: string, window: W, input: Iterable<E>, o: { collect(s: string): void }) => {
    let sum = 0;
    for (const x of input) sum += x.v;
    o.collect(`${key}=${sum}@${window.maxTimestamp()}${showStart ? `/${(window as unknown as TimeWindow).start}` : ''}`);
  };
}

type Mode = 'reduce' | 'list' | 'buffered';

async function replay<W extends Window>(name: string, s: Scenario<W>, mode: Mode): Promise<void> {
  const fn = describe<W>(s.showStart ?? false);
  const options: WindowOperatorOptions<E, any, string, string, W> = {
    assigner: s.assigner, trigger: s.trigger ?? s.assigner.getDefaultTrigger(), allowedLateness: s.lateness, lateDataOutputTag: LATE,
    ...(mode === 'list'
      ? { contents: new ListStateDescriptor<E>('window-contents'), windowFunction: new IterableWindowFunction<E, string, string, W>(fn) }
      : { contents: new ReducingStateDescriptor<E>('window-contents', (a, b) => ({ key: a.key, v: a.v + b.v })), windowFunction: new SingleValueWindowFunction<E, string, string, W>(fn) }),
  };
  const op = mode === 'buffered' ? new BufferedWindowOperator(options) : new WindowOperator(options);
  const h = await new OneInputHarness<E, string>(op, (x) => x.key).open();
  let seen = 0;
  let seenLate = 0;
  for (const [i, step] of s.steps.entries()) {
    if ('e' in step) h.processElement({ key: step.e[0], v: step.e[1] }, step.e[2]);
    else if ('wm' in step) h.processWatermark(step.wm);
    else if ('pt' in step) h.advanceProcessingTimeTo(step.pt);
    else {
      const records = h.output.records().map((r) => `${r.value}`);
      // The timestamp of each result is its window's maxTimestamp, as in Flink.
      for (const r of h.output.records().slice(seen)) assert.is(r.timestamp, Number(r.value.split('@')[1].split('/')[0]), `${name} (${mode}): result timestamp`);
      assert.equal(records.slice(seen).sort(), [...step.out].sort(), `${name} (${mode}), check at step ${i}`);
      seen = records.length;
      const late = h.output.emitted.flatMap((x) => (x.kind === 'side' ? [`${(x.value as E).key}=${(x.value as E).v}@${x.timestamp}`] : []));
      assert.equal(late.slice(seenLate).sort(), [...(step.late ?? [])].sort(), `${name} (${mode}), late data at step ${i}`);
      seenLate = late.length;
    }
  }
  await h.close();
}

async function run<W extends Window>(name: string, s: Scenario<W>): Promise<void> {
  await replay(name, s, 'reduce');
  await replay(name, s, 'list');
  const bufferable = { assigner: s.assigner, trigger: s.trigger ?? s.assigner.getDefaultTrigger(), allowedLateness: s.lateness, contents: new ReducingStateDescriptor<E>('c', (a) => a) };
  if (canBufferWindows(bufferable as WindowOperatorOptions<E, any, any, any, any>)) await replay(name, s, 'buffered');
}

/** Flink's common input: two keys, out of order. */
const OUT_OF_ORDER: Step[] = [
  e('key2', 1, 3999), e('key2', 1, 3000), e('key1', 1, 20), e('key1', 1, 0), e('key1', 1, 999),
  e('key2', 1, 1998), e('key2', 1, 1999), e('key2', 1, 1000),
];

test('sliding event-time windows', async () => {
  await run('sliding', {
    assigner: SlidingEventTimeWindows.of<E>(3000, 1000),
    steps: [
      ...OUT_OF_ORDER,
      wm(999), out(['key1=3@999']),
      wm(1999), out(['key1=3@1999', 'key2=3@1999']),
      wm(2999), out(['key1=3@2999', 'key2=3@2999']),
      wm(3999), out(['key2=5@3999']),
      wm(4999), out(['key2=2@4999']),
      wm(5999), out(['key2=2@5999']),
      wm(6999), wm(7999), out([]),
    ],
  });
});

test('tumbling event-time windows', async () => {
  await run('tumbling', {
    assigner: TumblingEventTimeWindows.of<E>(3000),
    steps: [
      ...OUT_OF_ORDER,
      wm(999), wm(1999), out([]),
      wm(2999), out(['key1=3@2999', 'key2=3@2999']),
      wm(3999), wm(4999), out([]),
      wm(5999), out(['key2=2@5999']),
      wm(6999), wm(7999), out([]),
    ],
  });
});

test('event-time session windows, with the event-time, purging count and continuous triggers', async () => {
  await run('sessions', {
    assigner: EventTimeSessionWindows.withGap<E>(3000), showStart: true,
    steps: [
      e('key2', 1, 0), e('key2', 2, 1000), e('key2', 3, 2500), e('key1', 1, 10), e('key1', 2, 1000), out([]),
      e('key1', 3, 2500), e('key2', 4, 5501), e('key2', 5, 6000), e('key2', 5, 6000), e('key2', 6, 6050),
      wm(12000), out(['key1=6@5499/10', 'key2=6@5499/0', 'key2=20@9049/5501']),
      e('key2', 10, 15000), e('key2', 20, 15000), wm(17999), out(['key2=30@17999/15000']),
    ],
  });
  await run('sessions with a purging count trigger', {
    assigner: EventTimeSessionWindows.withGap<E>(3000), showStart: true, trigger: PurgingTrigger.of(CountTrigger.of<E, TimeWindow>(4)),
    steps: [
      e('key2', 1, 0), e('key2', 2, 1000), e('key2', 3, 2500), e('key2', 4, 3500), e('key1', 1, 10), e('key1', 2, 1000),
      out(['key2=10@6499/0']),
      e('key1', 3, 2500), e('key1', 1, 6000), e('key1', 2, 6500), e('key1', 3, 7000), out([]),
      // Merges the two sessions of key1: their counts add up past 4.
      e('key1', 10, 4500), out(['key1=22@9999/10']),
    ],
  });
  await run('sessions with a continuous event-time trigger', {
    assigner: EventTimeSessionWindows.withGap<E>(3000), showStart: true, trigger: ContinuousEventTimeTrigger.of<E, TimeWindow>(2000),
    steps: [
      e('key1', 1, 1500), e('key2', 1, 0), e('key2', 3, 2500), e('key2', 2, 1000),
      wm(2500), out(['key1=1@4499/1500', 'key2=6@5499/0']),
      e('key2', 5, 4000), wm(3000), out([]),
      e('key1', 2, 4000), e('key2', 4, 3500), wm(4000), out(['key1=3@6999/1500', 'key2=15@6999/0']),
    ],
  });
});

test('dynamic-gap event-time sessions', async () => {
  const gap = (x: E) => (x.key === 'key1' ? 3000 : x.v === 10 ? 1000 : 2000);
  await run('dynamic sessions', {
    assigner: EventTimeSessionWindows.withDynamicGap<E>(gap), showStart: true,
    steps: [
      e('key1', 3, 10), e('key2', 4, 5000), e('key2', 5, 6000), wm(8999), out(['key1=3@3009/10', 'key2=9@7999/5000']),
      // A gap that ends before the session's end does not shorten it.
      e('key2', 1, 9000), e('key2', 2, 10000), e('key2', 10, 10500), wm(12999), out(['key2=13@11999/9000']),
      e('key2', 10, 13000), e('key2', 10, 13500), e('key2', 1, 14000), wm(16999), out(['key2=21@15999/13000']),
    ],
  });
});

test('global windows with a continuous event-time trigger, and a purging count trigger', async () => {
  await run('continuous on global windows', {
    assigner: GlobalWindows.create<E>(), trigger: ContinuousEventTimeTrigger.of(3000) as Trigger<E, any>,
    steps: [
      e('key1', 1, 0), e('key2', 1, 3000), e('key2', 1, 3999), e('key1', 1, 20), e('key1', 1, 999),
      e('key2', 1, 1998), e('key2', 1, 1999), e('key2', 1, 1000),
      wm(1000), wm(2000), out([]),
      wm(3000), out(['key1=3@Infinity']),
      wm(4000), wm(5000), out([]),
      wm(6000), out(['key1=3@Infinity', 'key2=5@Infinity']),
      wm(7000), wm(8000), out([]),
    ],
  });
  await run('purging count on global windows', {
    assigner: GlobalWindows.create<E>(), trigger: PurgingTrigger.of(CountTrigger.of(4)) as Trigger<E, any>,
    steps: [
      e('key2', 1, 3000), e('key2', 1, 3999), e('key1', 1, 20), e('key1', 1, 0), e('key1', 1, 999), e('key2', 1, 1998), e('key2', 1, 1999),
      out(['key2=4@Infinity']),
      e('key2', 1, 1000), out([]),
      e('key1', 1, 10999), e('key2', 1, 1000), e('key2', 1, 1000), e('key2', 1, 1000), out(['key1=4@Infinity', 'key2=4@Infinity']),
    ],
  });
});

test('processing-time tumbling, sliding and session windows', async () => {
  await run('processing-time tumbling', {
    assigner: TumblingProcessingTimeWindows.of<E>(3000),
    steps: [
      pt(3), e('key2', 1, Infinity), e('key2', 1, 7000), e('key2', 1, 7000), e('key1', 1, 7000), e('key1', 1, 7000),
      pt(5000), out(['key2=3@2999', 'key1=2@2999']),
      e('key1', 1, 7000), e('key1', 1, 7000), e('key1', 1, 7000), pt(7000), out(['key1=3@5999']),
    ],
  });
  await run('processing-time sliding', {
    assigner: SlidingProcessingTimeWindows.of<E>(3000, 1000),
    steps: [
      pt(3), e('key2', 1, Infinity), pt(1000), out(['key2=1@999']),
      e('key2', 1, Infinity), e('key2', 1, Infinity), pt(2000), out(['key2=3@1999']),
      e('key1', 1, Infinity), e('key1', 1, Infinity), pt(3000), out(['key2=3@2999', 'key1=2@2999']),
      e('key1', 1, Infinity), e('key1', 1, Infinity), e('key1', 1, Infinity), pt(7000),
      out(['key2=2@3999', 'key1=5@3999', 'key1=5@4999', 'key1=3@5999']),
    ],
  });
  await run('processing-time sessions', {
    assigner: ProcessingTimeSessionWindows.withGap<E>(3000),
    steps: [
      pt(3), e('key2', 1, 1), pt(1000), e('key2', 1, 1002), pt(5000), out(['key2=2@3999']),
      e('key2', 1, 5000), e('key2', 1, 5000), e('key1', 1, 5000), e('key1', 1, 5000), e('key1', 1, 5000),
      pt(10000), out(['key2=2@7999', 'key1=3@7999']),
    ],
  });
});

test('allowed lateness and late data: tumbling with a purging trigger, tumbling, sliding', async () => {
  await run('lateness with a purging trigger', {
    assigner: TumblingEventTimeWindows.of<E>(2000), trigger: PurgingTrigger.of(EventTimeTrigger.create<E>()), lateness: 500,
    steps: [
      e('key2', 1, 500), wm(1500), out([]),
      e('key2', 1, 1300), wm(2300), out(['key2=2@1999']),
      // Within the lateness: the window fires again, with only the new element (it purged).
      e('key2', 1, 1997), wm(6000), out(['key2=1@1999']),
      e('key2', 1, 1998), wm(7000), out([], ['key2=1@1998']),
    ],
  });
  await run('late data of tumbling windows', {
    assigner: TumblingEventTimeWindows.of<E>(2000),
    steps: [
      e('key2', 1, 1000), wm(1985), out([]),
      e('key2', 1, 1980), wm(1999), out(['key2=2@1999']),
      e('key2', 1, 1998), out([], ['key2=1@1998']),
      e('key2', 1, 2001), wm(2999), out([]),
      wm(3999), out(['key2=1@3999']),
    ],
  });
  await run('late data of sliding windows', {
    assigner: SlidingEventTimeWindows.of<E>(3000, 1000),
    steps: [
      e('key2', 1, 1000), wm(1999), out(['key2=1@1999']),
      e('key2', 1, 2000), wm(3000), out(['key2=2@2999']),
      // 2400 belongs to the windows ending at 2999 (late: dropped), 3999 and 4999 (kept).
      e('key1', 1, 3001), e('key2', 1, 2400), e('key2', 1, 2400), e('key1', 1, 3001), e('key2', 1, 3900),
      wm(6000), out(['key2=5@3999', 'key1=2@3999', 'key2=4@4999', 'key1=2@4999', 'key2=1@5999', 'key1=2@5999']),
      e('key1', 1, 3001), out([], ['key1=1@3001']),
      wm(25000), out([]),
    ],
  });
});

/** Flink's session lateness input up to the second session; `then` continues it. */
const sessionLateness = (then: Step[]): Step[] => [
  e('key2', 1, 1000), wm(1999), out([]),
  e('key2', 1, 2000), wm(4998), out([]),
  // Joins a session whose end is still ahead of the watermark: not late.
  e('key2', 1, 4500),
  e('key2', 1, 8500), wm(7400), out([]),
  // Merges the two sessions.
  e('key2', 1, 7000), wm(11501), out(['key2=5@11499/1000']),
  e('key2', 1, 11600), wm(14600), out(['key2=1@14599/11600']),
  ...then,
];

test('late data of session windows, with and without allowed lateness and purging', async () => {
  const sessions = EventTimeSessionWindows.withGap<E>(3000);
  const purging = PurgingTrigger.of(EventTimeTrigger.create<E>());
  await run('sessions, no lateness, purging', {
    assigner: sessions, trigger: purging, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), e('key2', 1, 10100), out([], ['key2=1@10000', 'key2=1@10100']),
      e('key2', 1, 14500), wm(20000), out(['key2=1@17499/14500']),
      wm(100000), out([]),
    ]),
  });
  await run('sessions, no lateness', {
    assigner: sessions, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), out([], ['key2=1@10000']),
      e('key2', 1, 14500), wm(20000), out(['key2=1@17499/14500']),
      wm(100000), out([]),
    ]),
  });
  await run('sessions, small lateness, purging', {
    assigner: sessions, trigger: purging, lateness: 10, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), out(['key2=1@14599/10000']),
      e('key2', 1, 14500), wm(20000), out(['key2=1@17499/10000']),
      wm(100000), out([]),
    ]),
  });
  await run('sessions, small lateness, accumulating', {
    assigner: sessions, lateness: 10, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), e('key2', 1, 14500), out(['key2=2@14599/10000']),
      wm(20000), out(['key2=3@17499/10000']),
      wm(100000), out([]),
    ]),
  });
  await run('sessions, huge lateness, purging', {
    assigner: sessions, trigger: purging, lateness: 10000, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), out(['key2=1@14599/1000']),
      e('key2', 1, 14500), wm(20000), out(['key2=1@17499/1000']),
      wm(100000), out([]),
    ]),
  });
  await run('sessions, huge lateness, accumulating', {
    assigner: sessions, lateness: 10000, showStart: true,
    steps: sessionLateness([
      e('key2', 1, 10000), out(['key2=7@14599/1000']),
      e('key2', 1, 14500), wm(20000), out(['key2=8@17499/1000']),
      wm(100000), out([]),
    ]),
  });
});

test('cleanup timers of windows that fired: nothing fires twice', async () => {
  await run('tumbling, lateness 1', {
    assigner: TumblingEventTimeWindows.of<E>(2000), lateness: 1,
    steps: [e('key2', 1, 1000), wm(1599), out([]), wm(1999), out(['key2=1@1999']), wm(2000), wm(5000), out([])],
  });
  await run('sessions, lateness 10', {
    assigner: EventTimeSessionWindows.withGap<E>(3000), lateness: 10, showStart: true,
    steps: [e('key2', 1, 1000), wm(4998), out(['key2=1@3999/1000']), wm(14600), out([])],
  });
});

test.run();
