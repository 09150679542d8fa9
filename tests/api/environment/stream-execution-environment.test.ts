// End-to-end through the public API: real jobs on the embedded mini cluster, each compared with
// an expectation computed by a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, JobCancellationError, JobExecutionError, KeyedProcessFunction, ManualClock, OutputTag, ProcessFunction,
  StreamExecutionEnvironment, ValueStateDescriptor, WatermarkStrategy, type Collector, type KeyedContext, type OnTimerContext,
  type RuntimeContext, type ValueState,
} from '../../../api/index.ts';

const LINES = ['to be or not to be', 'that is the question', 'whether tis nobler in the mind to suffer', 'to be'];

/** Awaits `promise`, which must reject with an error matching `check`; returns the error. */
async function rejects(promise: Promise<unknown>, check: RegExp | ((e: unknown) => boolean)): Promise<unknown> {
  try { await promise; } catch (e) {
    if (check instanceof RegExp) assert.match(String((e as Error)?.message ?? e), check);
    else assert.ok(check(e), `unexpected error: ${String(e)}`);
    return e;
  }
  throw new assert.Assertion({ message: 'expected a rejection', operator: 'rejects', generated: false, actual: 'resolved', expects: 'rejected' } as never);
}

function sortPairs<T>(xs: T[]): T[] { return [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)); }

test('word count equals a plain loop (rolling counts per word, parallelism 3)', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(3);
  const out = await env.fromCollection(LINES)
    .flatMap<[string, number]>((line, c) => { for (const w of line.split(/\s+/)) c.collect([w, 1]); })
    .keyBy((t) => t[0])
    .sum(1)
    .executeAndCollect();
  const expected: Array<[string, number]> = [];
  const counts = new Map<string, number>();
  for (const line of LINES) for (const w of line.split(/\s+/)) { counts.set(w, (counts.get(w) ?? 0) + 1); expected.push([w, counts.get(w)!]); }
  assert.equal(sortPairs(out), sortPairs(expected));
  const finals = new Map<string, number>();
  for (const [w, n] of out) finals.set(w, Math.max(finals.get(w) ?? 0, n));
  assert.equal(finals, counts);
});

test('keyed rolling reduce emits every update, per key in order', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const input = Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 7}`, value: i }));
  const out = await env.fromCollection(input).keyBy((r) => r.key).reduce((a, b) => ({ key: a.key, value: a.value + b.value })).executeAndCollect();
  const expected: Array<{ key: string; value: number }> = [];
  const sums = new Map<string, number>();
  for (const r of input) { sums.set(r.key, (sums.get(r.key) ?? 0) + r.value); expected.push({ key: r.key, value: sums.get(r.key)! }); }
  assert.equal(sortPairs(out), sortPairs(expected));
  // One source subtask: each key's updates arrive in input order.
  for (const key of sums.keys()) {
    assert.equal(out.filter((r) => r.key === key).map((r) => r.value), expected.filter((r) => r.key === key).map((r) => r.value));
  }
});

for (let p = 1; p <= 8; p++) {
  test(`fromSequence sum at parallelism ${p}`, async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(p);
    const out = await env.fromSequence(1, 20_000).map((x) => x * 2).executeAndCollect();
    let expected = 0;
    for (let i = 1; i <= 20_000; i++) expected += i * 2;
    assert.is(out.length, 20_000);
    assert.is(out.reduce((a, b) => a + b, 0), expected);
  });
}

test('field aggregations: sum, min, max keep the first element; minBy, maxBy keep the extreme element', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const input: Array<[string, number, string]> = [['a', 3, 'x'], ['a', 1, 'y'], ['a', 5, 'z'], ['b', 2, 'w']];
  const run = async (f: (s: ReturnType<typeof keyed>) => unknown) => (f(keyed()) as { executeAndCollect(): Promise<unknown[]> }).executeAndCollect();
  const keyed = () => env.fromCollection(input).keyBy((t) => t[0]);
  assert.equal(await run((s) => s.sum(1)), [['a', 3, 'x'], ['a', 4, 'x'], ['a', 9, 'x'], ['b', 2, 'w']]);
  assert.equal(await run((s) => s.min(1)), [['a', 3, 'x'], ['a', 1, 'x'], ['a', 1, 'x'], ['b', 2, 'w']]);
  assert.equal(await run((s) => s.max(1)), [['a', 3, 'x'], ['a', 3, 'x'], ['a', 5, 'x'], ['b', 2, 'w']]);
  assert.equal(await run((s) => s.minBy(1)), [['a', 3, 'x'], ['a', 1, 'y'], ['a', 1, 'y'], ['b', 2, 'w']]);
  assert.equal(await run((s) => s.maxBy(1)), [['a', 3, 'x'], ['a', 3, 'x'], ['a', 5, 'z'], ['b', 2, 'w']]);
  const objects = await env.fromElements({ k: 1, n: 2 }, { k: 1, n: 5 }).keyBy((o) => o.k).sum('n').executeAndCollect();
  assert.equal(objects, [{ k: 1, n: 2 }, { k: 1, n: 7 }]);
});

test('union, side outputs and ProcessFunction with the runtime context', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const odd = new OutputTag<number>('odd');
  class Split extends ProcessFunction<number, string> {
    subtasks = 0;
    open(ctx: RuntimeContext): void { this.subtasks = ctx.getNumberOfParallelSubtasks(); }
    processElement(v: number, ctx: { output<X>(t: OutputTag<X>, v: X): void }, out: Collector<string>): void {
      if (v % 2 === 0) out.collect(`even ${v} of ${this.subtasks}`);
      else ctx.output(odd, v);
    }
  }
  const main = env.fromSequence(0, 49).union(env.fromElements(100, 101)).process(new Split());
  const side = main.getSideOutput(odd);
  const sideValues: number[] = [];
  side.addSink((v) => { sideValues.push(v); });
  const evens = await main.executeAndCollect();
  const expectEven: string[] = [], expectOdd: number[] = [];
  for (const v of [...Array.from({ length: 50 }, (_, i) => i), 100, 101]) (v % 2 === 0 ? expectEven.push(`even ${v} of 2`) : expectOdd.push(v));
  assert.equal([...evens].sort(), expectEven.sort());
  assert.equal([...sideValues].sort((a, b) => a - b), expectOdd);
});

test('KeyedProcessFunction: value state and event-time timers fire at the final watermark', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  class CountThenFire extends KeyedProcessFunction<string, { key: string; ts: number }, string> {
    private count!: ValueState<number>;
    open(ctx: RuntimeContext): void { this.count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 })); }
    processElement(v: { key: string; ts: number }, ctx: KeyedContext<string>, _out: Collector<string>): void {
      this.count.update((this.count.value() ?? 0) + 1);
      ctx.timerService().registerEventTimeTimer(1000);
    }
    onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
      out.collect(`${ctx.getCurrentKey()}:${this.count.value()}@${ts}/${ctx.timeDomain()}`);
    }
  }
  const input = Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 5}`, ts: i }));
  const source = new DataGeneratorSource((i) => input[i], input.length);
  const out = await env.fromSource(source, WatermarkStrategy.forMonotonousTimestamps<{ key: string; ts: number }>().withTimestampAssigner((r) => r.ts), 'gen')
    .keyBy((r) => r.key).process(new CountThenFire()).executeAndCollect();
  assert.equal(out.sort(), ['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => `${k}:20@1000/event-time`));
});

test('a throwing user function fails the job: FAILED, cause is the user error, message names operator and subtask', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const boom = new Error('boom at 77');
  env.fromSequence(0, 1000).map((x) => { if (x === 77) throw boom; return x; }).name('Exploding Map').addSink(() => {});
  const client = await env.executeAsync('failing job');
  try {
    await client.getJobExecutionResult();
    assert.unreachable('job should fail');
  } catch (e) {
    assert.instance(e, JobExecutionError);
    assert.is((e as Error).cause, boom);
    assert.match((e as Error).message, /Exploding Map/);
    assert.match((e as Error).message, /\([12]\/2\)/);
    assert.match((e as Error).message, /boom at 77/);
  }
  assert.is(await client.getJobStatus(), 'FAILED');
  await rejects(env.fromElements(1).map(() => { throw new Error('x'); }).executeAndCollect(), /x/);
});

test('a key selector returning a non-key fails the job naming the keyed operator', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const run = env.fromElements({ a: 1 }).keyBy((v) => ({ nested: v }) as unknown as string).reduce((a) => a).name('Bad Keyed Reduce').executeAndCollect();
  try { await run; assert.unreachable('should fail'); } catch (e) {
    assert.match((e as Error).message, /Bad Keyed Reduce/);
    assert.match(String(((e as Error).cause as Error).message), /not a valid key/);
  }
});

test('an unbounded job runs until cancelled; execute() rejects with a cancellation', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock() });
  let seen = 0;
  let reached!: () => void;
  const enough = new Promise<void>((r) => { reached = r; });
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'endless').addSink(() => { if (++seen === 50_000) reached(); });
  const client = await env.executeAsync('endless');
  await enough;
  assert.is(await client.getJobStatus(), 'RUNNING');
  await client.cancel();
  assert.is(await client.getJobStatus(), 'CANCELED');
  await rejects(client.getJobExecutionResult(), (e: unknown) => e instanceof JobCancellationError);
  await rejects(client.triggerSavepoint(), /savepoint/);
});

test('too few slots: the job fails after the slot request timeout, saying what it needed and had', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, taskManagers: 1, slotsPerTaskManager: 2, slotRequestTimeoutMs: 5000 });
  env.setParallelism(3);
  env.fromSequence(1, 10).print();
  const client = await env.executeAsync();
  const result = client.getJobExecutionResult();
  let settled = false;
  result.catch(() => { settled = true; });
  clock.advance(4999);
  await new Promise((r) => setTimeout(r, 0));
  assert.is(settled, false);
  clock.advance(1);
  await rejects(result, /needs 3 slots, the cluster has 2 free of 2/);
  assert.is(await client.getJobStatus(), 'FAILED');
});

test('execute returns a JobExecutionResult and the environment is reusable', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1, 2).addSink(() => {});
  const result = await env.execute('first');
  assert.is(result.jobName, 'first');
  assert.match(result.jobId, /^[0-9a-f]{32}$/);
  assert.equal(await env.fromElements(3).executeAndCollect(), [3]);
});

test.run();
