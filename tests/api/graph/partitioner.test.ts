// Partitioners: the distribution property of each, checked on real jobs (which subtask received
// what) and on the channel selectors directly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assignKeyToParallelOperator, createChannelSelector, ProcessFunction, rescaleTargets, StreamExecutionEnvironment,
  type Collector, type DataStream, type RuntimeContext,
} from '../../../api/index.ts';

/** Tags each element with the index of the subtask that processes it. */
class TagSubtask<T> extends ProcessFunction<T, [number, T]> {
  private index = -1;
  open(ctx: RuntimeContext): void { this.index = ctx.getIndexOfThisSubtask(); }
  processElement(v: T, _ctx: unknown, out: Collector<[number, T]>): void { out.collect([this.index, v]); }
}

/** Runs `route` from a source of `n` numbers at `sourceP` into a tagging operator at `p`. */
async function received(n: number, sourceP: number, p: number, route: (s: DataStream<[number, number]>) => DataStream<[number, number]>) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tagged = env.fromSequence(0, n - 1).setParallelism(sourceP).process(new TagSubtask<number>()).setParallelism(sourceP);
  const out = await route(tagged).process(new TagSubtask<[number, number]>()).setParallelism(p).executeAndCollect();
  return out.map(([to, [from, v]]) => ({ from, to, v }));
}

const countBy = (xs: number[], n: number) => { const c = new Array(n).fill(0); for (const x of xs) c[x]++; return c; };

test('rebalance spreads evenly (round robin: counts differ by at most one per sender)', async () => {
  const r = await received(1001, 1, 4, (s) => s.rebalance());
  assert.is(r.length, 1001);
  const c = countBy(r.map((x) => x.to), 4);
  assert.ok(Math.max(...c) - Math.min(...c) <= 1, `counts ${c}`);
});

test('broadcast sends a copy of every element to every subtask', async () => {
  const r = await received(100, 2, 3, (s) => s.broadcast());
  assert.is(r.length, 300);
  for (let j = 0; j < 3; j++) assert.equal(r.filter((x) => x.to === j).map((x) => x.v).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
});

test('keyBy: each key goes to exactly one subtask, the one its key group names', async () => {
  for (const p of [1, 3, 4, 7]) {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const out = await env.fromSequence(0, 999).setParallelism(2).map((i) => `key-${i % 37}`).setParallelism(2)
      .keyBy((k) => k).process(new TagSubtask<string>()).setParallelism(p).executeAndCollect();
    const owner = new Map<string, number>();
    for (const [to, k] of out) {
      if (owner.has(k)) assert.is(owner.get(k), to, `key ${k} seen at two subtasks`);
      owner.set(k, to);
      assert.is(to, assignKeyToParallelOperator(k, 128, p));
    }
    assert.is(owner.size, 37);
    assert.is(out.length, 1000);
  }
});

test('global sends everything to subtask 0', async () => {
  const r = await received(200, 3, 4, (s) => s.global());
  assert.ok(r.every((x) => x.to === 0));
  assert.is(r.length, 200);
});

test('forward keeps subtask i -> subtask i', async () => {
  const r = await received(300, 3, 3, (s) => s.forward());
  assert.ok(r.every((x) => x.to === x.from));
  assert.is(r.length, 300);
});

test('rescale: each sender feeds only its local block of receivers, round robin', async () => {
  const r = await received(400, 2, 4, (s) => s.rescale());
  for (const x of r) assert.ok(rescaleTargets(x.from, 2, 4).includes(x.to), `${x.from} -> ${x.to}`);
  assert.equal(rescaleTargets(0, 2, 4), [0, 1]);
  assert.equal(rescaleTargets(1, 2, 4), [2, 3]);
  assert.equal(rescaleTargets(3, 4, 2), [1]);
  const c = countBy(r.map((x) => x.to), 4);
  assert.ok(c.every((n) => n > 0), `counts ${c}`);
});

test('shuffle reaches every subtask and loses nothing', async () => {
  const r = await received(2000, 1, 4, (s) => s.shuffle());
  assert.is(r.length, 2000);
  const c = countBy(r.map((x) => x.to), 4);
  assert.ok(c.every((n) => n > 300), `counts ${c}`);
});

test('partitionCustom uses the user partitioner; a bad index fails the job', async () => {
  const r = await received(100, 1, 4, (s) => s.partitionCustom((k: number, n) => k % n, ([, v]) => v));
  assert.ok(r.every((x) => x.to === x.v % 4));
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const job = env.fromElements(1).partitionCustom(() => 9, (v) => v).map((x) => x).name('After Custom').setParallelism(2).executeAndCollect();
  try { await job; assert.unreachable(); } catch (e) { assert.match(String(((e as Error).cause as Error).message), /"After Custom" returned 9/); }
});

test('channel selectors directly: hash uses the receiver maxParallelism; broadcast flag', () => {
  const base = { numChannels: 5, senderIndex: 0, senderParallelism: 1, maxParallelism: 64, targetName: 't' };
  const hash = createChannelSelector({ kind: 'hash', keySelector: (v: string) => v }, base);
  for (const k of ['a', 'b', 'zz', 'key-9']) assert.is(hash.select(k), assignKeyToParallelOperator(k, 64, 5));
  assert.ok(createChannelSelector({ kind: 'broadcast' }, base).broadcast);
  const rr = createChannelSelector({ kind: 'rebalance' }, { ...base, senderIndex: 2 });
  assert.equal([rr.select(0), rr.select(0), rr.select(0), rr.select(0)], [2, 3, 4, 0]);
  assert.throws(() => hash.select(undefined), /keyBy selector feeding "t" returned undefined/);
});

test.run();
