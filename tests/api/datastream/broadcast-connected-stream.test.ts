// BroadcastConnectedStream end to end: the broadcast state pattern on keyed and non-keyed
// streams at seeded random parallelism, compared with a plain loop; every subtask's copy of the
// broadcast state is the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BroadcastProcessFunction, BroadcastConnectedStream, CoBroadcastWithKeyedOperator, KeyedBroadcastProcessFunction,
  ListStateDescriptor, MapStateDescriptor, StreamExecutionEnvironment, ValueStateDescriptor,
  type BroadcastContext, type BroadcastReadOnlyContext, type Collector, type KeyedBroadcastContext,
  type KeyedBroadcastReadOnlyContext, type KeyedBroadcastOnTimerContext, type OperatorStateSnapshot, type BroadcastStateCopy,
  type RuntimeContext,
  WatermarkStrategy,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';
import { RestartStrategies } from '../../../api/environment/restart-strategies.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

const seed = testSeed('broadcast-connected-stream');

/** A rule: elements of `category` are multiplied by `factor`. */
type Rule = { category: number; factor: number };
/** An element: a key, its category and a value. */
type Item = { key: number; category: number; value: number };

const rulesDesc = new MapStateDescriptor<number, number>('rules');

/**
 * Applies rules to items whatever the arrival order of the two inputs: an item without its rule
 * waits in keyed state; a new rule releases the waiting items of its category (applyToKeyedState).
 */
class ApplyRules extends KeyedBroadcastProcessFunction<number, Item, Rule, string> {
  private readonly waiting = new ListStateDescriptor<Item>('waiting');
  private rc!: RuntimeContext;
  open(rc: RuntimeContext): void { this.rc = rc; }
  processElement(item: Item, ctx: KeyedBroadcastReadOnlyContext<number>, out: Collector<string>): void {
    const factor = ctx.getBroadcastState(rulesDesc).get(item.category);
    if (factor === undefined) this.rc.getListState(this.waiting).add(item);
    else out.collect(`${item.key}:${item.value * factor}`);
  }
  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    ctx.getBroadcastState(rulesDesc).put(rule.category, rule.factor);
    ctx.applyToKeyedState(this.waiting, (key, state) => {
      const keep: Item[] = [];
      for (const item of state.get()) {
        if (item.category === rule.category) out.collect(`${key}:${item.value * rule.factor}`);
        else keep.push(item);
      }
      if (keep.length === 0) state.clear(); else state.update(keep);
    });
  }
}

function workload(random: Random): { rules: Rule[]; items: Item[] } {
  const categories = random.int(1, 6);
  const rules: Rule[] = [];
  for (let c = 0; c < categories; c++) rules.push({ category: c, factor: random.int(2, 9) });
  const items: Item[] = [];
  const n = random.int(200, 1500);
  for (let i = 0; i < n; i++) items.push({ key: random.int(0, 40), category: random.int(0, categories - 1), value: random.int(1, 100) });
  return { rules, items };
}

test('keyed broadcast: rules reach every subtask, each item is emitted once with its rule (seeded parallelism)', async () => {
  const random = new Random(seed);
  for (let round = 0; round < 4; round++) {
    const { rules, items } = workload(random);
    const parallelism = random.int(1, 5);
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
    const copies: Array<[number, OperatorStateSnapshot]> = [];
    class Recording<K extends number> extends CoBroadcastWithKeyedOperator<K, Item, Rule, string> {
      override async close(): Promise<void> {
        copies.push([this.context.subtaskIndex, this.snapshotState()]);
        await super.close();
      }
    }
    const connected = env.fromCollection(items).keyBy((i) => i.key).connect(env.fromCollection(rules).broadcast(rulesDesc));
    assert.instance(connected, BroadcastConnectedStream);
    assert.ok(connected.isKeyed());
    const out = await connected.transform('Apply rules', () => new Recording(new ApplyRules(), [rulesDesc])).executeAndCollect();
    const factors = new Map(rules.map((r) => [r.category, r.factor]));
    const expected: string[] = [];
    for (const item of items) expected.push(`${item.key}:${item.value * factors.get(item.category)!}`);
    assert.equal(out.sort(), expected.sort(), `round ${round} parallelism ${parallelism}`);
    assert.is(copies.length, parallelism, 'one broadcast state copy per subtask');
    const expectedCopy = { states: { rules: [...factors.entries()].sort((a, b) => a[0] - b[0]) } };
    for (const [subtask, snapshot] of copies) {
      const copy = snapshot.union![0] as BroadcastStateCopy;
      assert.equal({ states: { rules: [...copy.states.rules].sort((a, b) => (a[0] as number) - (b[0] as number)) } }, expectedCopy, `subtask ${subtask}`);
    }
  }
});

test('keyed broadcast through process(): keyed state, read-only broadcast state, event-time timers', async () => {
  const thresholds = new MapStateDescriptor<string, number>('thresholds');
  class Alert extends KeyedBroadcastProcessFunction<string, [string, number], [string, number], string> {
    private readonly sum = new ValueStateDescriptor<number>('sum');
    private rc!: RuntimeContext;
    open(rc: RuntimeContext): void { this.rc = rc; }
    processElement(v: [string, number], ctx: KeyedBroadcastReadOnlyContext<string>): void {
      const s = this.rc.getState(this.sum);
      s.update((s.value() ?? 0) + v[1]);
      ctx.timerService().registerEventTimeTimer(1000);
      assert.not.ok('put' in ctx.getBroadcastState(thresholds), 'read-only on the keyed side');
    }
    processBroadcastElement(t: [string, number], ctx: KeyedBroadcastContext): void { ctx.getBroadcastState(thresholds).put(t[0], t[1]); }
    onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
      const limit = ctx.getBroadcastState(thresholds).get('limit') ?? Infinity;
      const sum = this.rc.getState(this.sum).value()!;
      out.collect(`${ctx.getCurrentKey()}@${ts}:${sum > limit ? 'over' : 'ok'}`);
    }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  // Timers fire at the final watermark, after both inputs ended: the rule is in place by then.
  const values = env.fromElements<[string, number]>(['a', 5], ['b', 50], ['a', 7], ['c', 1], ['b', 1])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<[string, number]>().withTimestampAssigner(() => 10));
  const out = await values.keyBy((v) => v[0])
    .connect(env.fromElements<[string, number]>(['limit', 10]).broadcast(thresholds))
    .process(new Alert())
    .executeAndCollect();
  assert.equal(out.sort(), ['a@1000:over', 'b@1000:over', 'c@1000:ok']);
});

test('non-keyed broadcast: BroadcastProcessFunction, read-only and writable faces', async () => {
  const words = new MapStateDescriptor<string, boolean>('stop-words');
  class Filter extends BroadcastProcessFunction<string, string, string> {
    processElement(w: string, ctx: BroadcastReadOnlyContext, out: Collector<string>): void {
      const state = ctx.getBroadcastState(words);
      assert.not.ok('put' in state);
      out.collect(state.contains(w) ? `-${w}` : `+${w}`);
    }
    processBroadcastElement(w: string, ctx: BroadcastContext, out: Collector<string>): void {
      ctx.getBroadcastState(words).put(w, true);
      out.collect(`rule ${w}`);
    }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const out = await env.fromElements('x').connect(env.fromElements('the', 'a').broadcast(words)).process(new Filter()).executeAndCollect();
  // Every one of the 3 subtasks receives both broadcast elements.
  assert.is(out.filter((s) => s.startsWith('rule ')).length, 6);
  assert.equal(out.filter((s) => !s.startsWith('rule ')), ['+x']);
});

test('Flink\'s checks: function kind must match the keyedness; unknown descriptors; at least one descriptor', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  class P extends BroadcastProcessFunction<number, number, number> { processElement(): void {} processBroadcastElement(): void {} }
  class K extends KeyedBroadcastProcessFunction<number, number, number, number> { processElement(): void {} processBroadcastElement(): void {} }
  const b = env.fromElements(1).broadcast(rulesDesc);
  assert.throws(() => env.fromElements(1).keyBy((x) => x).connect(b).process(new P()), /non-keyed stream/);
  assert.throws(() => env.fromElements(1).connect(b).process(new K()), /keyed stream/);
  assert.instance(env.fromElements(1).broadcast(), Object.getPrototypeOf(env.fromElements(1)).constructor);
});


test('broadcast state survives a restart: restored from the checkpoint, not replayed', async () => {
  const random = new Random(seed + 7);
  const { rules, items } = workload(random);
  // Enough records for checkpoints to complete on either runtime while records flow.
  const records = 30000;
  const all: Item[] = Array.from({ length: records }, (_, i) => items[i % items.length]);
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const shared = { seen: 0, failed: false, broadcastPerAttempt: [0, 0, 0, 0] };
  const throwAt = random.int(1000, 10000);
  console.log(`  throw at record ${throwAt}`);
  const checkpointed = (): boolean => (embeddedExecutor.lastJobMaster?.checkpointing?.latestCompletedId ?? 0) > 0;
  class Counting extends ApplyRules {
    private attempt = 0;
    override open(rc: RuntimeContext): void { super.open(rc); this.attempt = rc.getAttemptNumber(); }
    override processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext, out: Collector<string>): void {
      shared.broadcastPerAttempt[this.attempt]++;
      super.processBroadcastElement(rule, ctx, out);
    }
  }
  const stream = env.fromSequence(0, records - 1).map((i: number): Item => {
    const n = ++shared.seen;
    if (!shared.failed && n >= throwAt && checkpointed()) { shared.failed = true; throw new Error(`injected failure at record ${n}`); }
    if (n % 100 === 0) clock.advance(50);
    return all[i];
  });
  const out = await stream.keyBy((i) => i.key)
    .connect(env.fromCollection(rules).broadcast(rulesDesc))
    .process(new Counting())
    .executeAndCollect();
  const jobMaster = embeddedExecutor.lastJobMaster!;
  assert.ok(shared.failed, 'the failure happened');
  assert.is(jobMaster.failover.attemptNumber, 1, 'restarted once');
  assert.ok((jobMaster.checkpointing.restoredCheckpointId ?? 0) > 0, 'restored from a checkpoint');
  assert.is(shared.broadcastPerAttempt[1], 0, 'the rules source was not replayed after the restart');
  const factors = new Map(rules.map((r) => [r.category, r.factor]));
  const expected = all.map((item) => `${item.key}:${item.value * factors.get(item.category)!}`);
  assert.equal(out.sort(), expected.sort());
});

test.run();
