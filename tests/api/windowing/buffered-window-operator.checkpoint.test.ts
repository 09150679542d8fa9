// The buffered window operator across checkpoints: a snapshot copies buffered windows into keyed
// state and timers while they stay buffered, so a run fires every window exactly once, and a
// restore from any checkpoint (incremental snapshots replayed, at the same or another
// parallelism) fires with the run's earlier output exactly the windows a plain loop computes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import type { OperatorContext } from '../../../api/operators/stream-operator.ts';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../../api/functions/process-window-function.ts';
import { SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { SlidingEventTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { TumblingEventTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import type { TimeWindow } from '../../../api/windowing/time-window.ts';
import type { WindowAssigner } from '../../../api/windowing/window-assigner.ts';
import { BufferedWindowOperator } from '../../../api/windowing/buffered-window-operator.ts';
import { assignKeyToParallelOperator, keyGroupRangeForOperator } from '../../../state/key-groups.ts';
import type { KeyedStateSnapshot } from '../../../state/keyed-state-backend.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService, type TimersSnapshot } from '../../../state/heap/heap-timer-service.ts';
import { KeyGroupStateBuilder } from '../../../state/snapshot/key-group-delta.ts';
import { AggregatingStateDescriptor, ValueStateDescriptor, type AggregateFunction } from '../../../state/state-descriptors.ts';
import { Random, testSeed } from '../../support/random.ts';
import { CollectingOutput } from './collecting-output.ts';

type E = { key: string; v: number };
type Op = BufferedWindowOperator<E, string, string, string, TimeWindow>;
const MAX_PARALLELISM = 128;

/** Sum, count and the values in arrival order (an order-sensitive fold). */
const sumSeq: AggregateFunction<E, { sum: number; seq: number[] }, string> = {
  createAccumulator: () => ({ sum: 0, seq: [] }),
  add: (e, acc) => { acc.sum += e.v; acc.seq.push(e.v); return acc; },
  getResult: (acc) => `${acc.sum}/${acc.seq.join(',')}`,
  merge: (a, b) => ({ sum: a.sum + b.sum, seq: [...a.seq, ...b.seq] }),
};

/** key|start|contents, and how often the window fired (per-window state, cleared with it). */
class Describe extends ProcessWindowFunction<string, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: Iterable<string>, out: Collector<string>): void {
    const fired = ctx.windowState.getState(new ValueStateDescriptor<number>('fired'));
    fired.update((fired.value() ?? 0) + 1);
    out.collect(`${key}|${ctx.window.start}|${[...results].join(';')}|fired ${fired.value()}`);
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    ctx.windowState.getState(new ValueStateDescriptor<number>('fired')).clear();
  }
}

function windowOperator(assigner: WindowAssigner<E, TimeWindow>, bufferLimit: number): Op {
  return new BufferedWindowOperator({
    assigner, trigger: assigner.getDefaultTrigger(),
    contents: new AggregatingStateDescriptor('window-contents', sumSeq),
    windowFunction: new SingleValueWindowFunction<string, string, string, TimeWindow>(new Describe()),
  }, bufferLimit);
}

/** One subtask of a keyed window operator: its key-group range of a heap backend and timers. */
class Subtask {
  readonly output = new CollectingOutput<string>();
  readonly backend: HeapKeyedStateBackend;
  timers!: HeapTimerService;

  constructor(readonly op: Op, parallelism: number, index: number) {
    const clock = new ManualClock(0);
    const backend = new HeapKeyedStateBackend({ maxParallelism: MAX_PARALLELISM, keyGroupRange: keyGroupRangeForOperator(MAX_PARALLELISM, parallelism, index), clock: () => clock.now() });
    this.backend = backend;
    const context: OperatorContext = {
      operatorName: 'windows', uid: 'windows', subtaskIndex: index, parallelism, maxParallelism: MAX_PARALLELISM, attemptNumber: 0, clock,
      registerProcessingTimer: (timestamp, callback) => clock.schedule(timestamp - clock.now(), () => callback(timestamp)),
      keyedState: backend,
      getTimerService: (_name, triggerable) => (this.timers = new HeapTimerService(backend, triggerable, () => clock.now())),
      accumulators: new Map(),
    };
    op.setup(context, this.output);
  }

  element(e: E, ts: number): void {
    this.op.setKeyContext(e.key);
    this.op.processElement(e, ts);
  }

  /** What the runtime does at a barrier: the operator's snapshot, then keyed state and timers. */
  checkpoint(id: number): { keyed: ReturnType<HeapKeyedStateBackend['snapshotIncremental']>; full: KeyedStateSnapshot; timers: TimersSnapshot } {
    this.op.snapshotState(id, 0);
    return { keyed: this.backend.snapshotIncremental(), full: this.backend.snapshot(), timers: this.timers.snapshot() };
  }

  records(): string[] { return this.output.records().map((r) => `${r.value}@${r.timestamp}`); }
}

type Step = { kind: 'element'; e: E; ts: number } | { kind: 'watermark'; ts: number } | { kind: 'checkpoint' };

/**
 * Disordered elements (some late), advancing watermarks, and checkpoints much closer together
 * than a window is long. Each checkpoint is followed by the current watermark again: a restored
 * run starts from that watermark, as the original did.
 */
function randomSteps(rnd: Random, n: number): Step[] {
  const steps: Step[] = [];
  let maxTs = 0;
  let wm = -1;
  for (let i = 0; i < n; i++) {
    const ts = Math.max(0, maxTs + rnd.int(-30, 9));
    maxTs = Math.max(maxTs, ts);
    steps.push({ kind: 'element', e: { key: `k${rnd.int(0, 9)}`, v: i }, ts });
    if (rnd.chance(0.1)) { wm = Math.max(wm, maxTs - rnd.int(0, 25)); steps.push({ kind: 'watermark', ts: wm }); }
    if (rnd.chance(0.07)) steps.push({ kind: 'checkpoint' }, { kind: 'watermark', ts: wm });
  }
  steps.push({ kind: 'watermark', ts: Infinity });
  return steps;
}

/** Every window's result computed by a plain loop: windows by start, late elements dropped. */
function expectedResults(steps: readonly Step[], size: number, slide: number): string[] {
  const windows = new Map<string, { key: string; start: number; sum: number; seq: number[] }>();
  let wm = -Infinity;
  for (const step of steps) {
    if (step.kind === 'watermark') wm = Math.max(wm, step.ts);
    if (step.kind !== 'element') continue;
    const { e, ts } = step;
    for (let start = ts - (ts % slide); start > ts - size; start -= slide) {
      if (start + size - 1 <= wm) continue;
      const id = `${e.key}|${start}`;
      let w = windows.get(id);
      if (w === undefined) windows.set(id, w = { key: e.key, start, sum: 0, seq: [] });
      w.sum += e.v;
      w.seq.push(e.v);
    }
  }
  return [...windows.values()].map((w) => `${w.key}|${w.start}|${w.sum}/${w.seq.join(',')}|fired 1@${w.start + size - 1}`).sort();
}

/** Runs `steps` from `from` on subtasks at `parallelism` (restored from `restore` if given). */
async function run(
  make: () => Op, steps: readonly Step[], parallelism: number, from = 0,
  restore?: { keyed: KeyedStateSnapshot; timers: TimersSnapshot[] },
  onCheckpoint?: (step: number, subtasks: Subtask[], snapshots: ReturnType<Subtask['checkpoint']>[]) => void,
): Promise<Subtask[]> {
  const subtasks = Array.from({ length: parallelism }, (_, i) => new Subtask(make(), parallelism, i));
  for (const s of subtasks) {
    if (restore !== undefined) {
      s.backend.restore([structuredClone(restore.keyed)]);
      for (const t of restore.timers) s.timers.restore(t);
    }
    await s.op.open();
  }
  let checkpoint = 0;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i];
    if (step.kind === 'element') subtasks[assignKeyToParallelOperator(step.e.key, MAX_PARALLELISM, parallelism)].element(step.e, step.ts);
    else if (step.kind === 'watermark') for (const s of subtasks) s.op.processWatermark(step.ts);
    else {
      checkpoint++;
      const snapshots = subtasks.map((s) => s.checkpoint(checkpoint));
      onCheckpoint?.(i, subtasks, snapshots);
    }
  }
  return subtasks;
}

const sorted = (subtasks: readonly Subtask[]): string[] => subtasks.flatMap((s) => s.records()).sort();
const canonical = (keyGroups: KeyedStateSnapshot['keyGroups']): string[] =>
  Object.entries(keyGroups).flatMap(([kg, group]) => Object.entries(group).flatMap(([name, rows]) => rows.map((row) => `${kg}/${name}/${JSON.stringify(row)}`))).sort();

const shapes: Array<[string, () => WindowAssigner<E, TimeWindow>, number, number]> = [
  ['sliding 60/20', () => SlidingEventTimeWindows.of<E>(60, 20), 60, 20],
  ['tumbling 50', () => TumblingEventTimeWindows.of<E>(50), 50, 50],
  ['sliding 45/20', () => SlidingEventTimeWindows.of<E>(45, 20), 45, 20],
];

test('checkpoints mid-window: every window fires once, and restores from each checkpoint (p2 to p1, p2, p3) complete the run', async () => {
  const seed = testSeed('buffered-window-checkpoints');
  const rnd = new Random(seed);
  for (let round = 0; round < 6; round++) {
    const [name, assigner, size, slide] = shapes[round % shapes.length];
    const bufferLimit = round < 3 ? 1 << 20 : rnd.int(2, 25);
    const make = () => windowOperator(assigner(), bufferLimit);
    const steps = randomSteps(rnd, 350);
    const expected = expectedResults(steps, size, slide);
    const context = `seed ${seed}, round ${round} (${name}, buffer limit ${bufferLimit})`;
    // The incremental snapshots of each checkpoint, replayed into the whole state it stands for.
    const builder = new KeyGroupStateBuilder();
    const checkpoints: Array<{ step: number; keyed: KeyedStateSnapshot; timers: TimersSnapshot[]; emitted: string[] }> = [];
    const original = await run(make, steps, 2, 0, undefined, (step, subtasks, snapshots) => {
      for (const { keyed } of snapshots) {
        for (const [kg, states] of Object.entries(keyed.changes)) builder.apply(Number(kg), { full: keyed.full, states, deletions: keyed.deletions[Number(kg)] ?? {} });
        for (const [kg, deletions] of Object.entries(keyed.deletions)) if (keyed.changes[Number(kg)] === undefined) builder.apply(Number(kg), { full: keyed.full, states: {}, deletions });
      }
      const keyGroups = structuredClone(builder.build());
      const full = snapshots.flatMap((s) => canonical(s.full.keyGroups)).sort();
      assert.equal(canonical(keyGroups), full, `${context}: incremental snapshots replay to the full state at step ${step}`);
      checkpoints.push({ step, keyed: { maxParallelism: MAX_PARALLELISM, keyGroups }, timers: snapshots.map((s) => s.timers), emitted: sorted(subtasks) });
    });
    assert.ok(checkpoints.length >= 5, `${context}: ${checkpoints.length} checkpoints`);
    assert.ok(expected.length > 20, context);
    assert.equal(sorted(original), expected, `${context}: the run`);
    for (const s of original) {
      assert.equal(s.timers.numTimers().eventTime, 0, `${context}: no timer left`);
      assert.equal(s.backend.numEntries(), 0, `${context}: no state left`);
    }
    for (const c of checkpoints) {
      for (const parallelism of [1, 2, 3]) {
        const restored = await run(make, steps, parallelism, c.step + 1, c);
        assert.equal([...c.emitted, ...sorted(restored)].sort(), expected, `${context}: restored at p${parallelism} from the checkpoint at step ${c.step}`);
        for (const s of restored) assert.equal(s.backend.numEntries(), 0, `${context}: no state left after the restore at p${parallelism}`);
      }
    }
  }
});

test('a window copied by several snapshots fires once from the buffer, with all its elements, and leaves no state or timer', async () => {
  const op = windowOperator(TumblingEventTimeWindows.of<E>(100), 1 << 20);
  const s = new Subtask(op, 1, 0);
  await op.open();
  s.element({ key: 'a', v: 1 }, 10);
  s.element({ key: 'b', v: 2 }, 20);
  const first = s.checkpoint(1);
  assert.equal(s.timers.numTimers().eventTime, 2, 'a timer per copied (key, window)');
  assert.equal(canonical(first.full.keyGroups).filter((r) => r.includes('window-contents')).length, 2);
  // Later elements stay in the buffer: no state entry or timer for the new (key, window) until the next snapshot.
  s.element({ key: 'a', v: 3 }, 30);
  s.element({ key: 'c', v: 4 }, 40);
  assert.equal(s.timers.numTimers().eventTime, 2, 'no timer for an element after the snapshot');
  assert.equal(s.backend.numEntries(), 2, 'no state entry for an element after the snapshot');
  const contents = () => canonical(s.backend.snapshot().keyGroups).filter((r) => r.includes('window-contents')).map((r) => r.slice(r.indexOf('['))).sort();
  const second = s.checkpoint(2);
  assert.equal(contents(), ['["a",0,{"sum":4,"seq":[1,3]}]', '["b",0,{"sum":2,"seq":[2]}]', '["c",0,{"sum":4,"seq":[4]}]']);
  assert.equal(s.timers.numTimers().eventTime, 3);
  const changed = canonical(second.keyed.changes).map((r) => r.slice(r.indexOf('['))).sort();
  assert.equal(changed, ['["a",0,{"sum":4,"seq":[1,3]}]', '["c",0,{"sum":4,"seq":[4]}]'], 'changed copies are written, the unchanged one (b) is left as it was');
  s.element({ key: 'a', v: 5 }, 50);
  op.processWatermark(99);
  assert.equal(s.records(), ['a|0|9/1,3,5|fired 1@99', 'b|0|2/2|fired 1@99', 'c|0|4/4|fired 1@99']);
  assert.equal(s.timers.numTimers().eventTime, 0, 'the copies\' timers are deleted');
  assert.equal(s.backend.numEntries(), 0, 'the copies are removed');
  const third = s.checkpoint(3);
  assert.equal(Object.values(third.keyed.deletions).flatMap((g) => Object.values(g).flat()).length, 3, 'the removed copies are deletions of the next incremental snapshot');
  op.processWatermark(Infinity);
  assert.equal(s.records().length, 3, 'nothing fires twice');
});

test('a full buffer moves a copied window into state: its copy is overwritten, not added to, and it fires once', async () => {
  const op = windowOperator(TumblingEventTimeWindows.of<E>(100), 3);
  const s = new Subtask(op, 1, 0);
  await op.open();
  s.element({ key: 'a', v: 1 }, 10);
  s.element({ key: 'b', v: 2 }, 20);
  s.checkpoint(1);
  s.element({ key: 'a', v: 3 }, 30);
  s.element({ key: 'c', v: 4 }, 40);
  s.element({ key: 'd', v: 5 }, 150); // a fourth (key, window): the buffer flushes
  s.element({ key: 'a', v: 6 }, 60); // into state now
  op.processWatermark(Infinity);
  assert.equal(s.records(), ['a|0|10/1,3,6|fired 1@99', 'b|0|2/2|fired 1@99', 'c|0|4/4|fired 1@99', 'd|100|5/5|fired 1@199']);
  assert.equal(s.timers.numTimers().eventTime, 0);
  assert.equal(s.backend.numEntries(), 0);
});

test.run();
