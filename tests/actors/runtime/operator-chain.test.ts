// The operator chain a subtask builds from its vertex: operators head first, keyed state only
// where a key selector feeds the operator, side outputs routed. Checked on the chains of a
// finished embedded job, and by its output against a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedProcessFunction, ManualClock, OutputTag, ProcessFunction, StreamExecutionEnvironment, type Collector, type KeyedContext } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

class RunningSum extends KeyedProcessFunction<number, number, [number, number]> {
  private sums = new Map<number, number>();
  processElement(n: number, ctx: KeyedContext<number>, out: Collector<[number, number]>): void {
    const key = ctx.getCurrentKey();
    const sum = (this.sums.get(key) ?? 0) + n;
    this.sums.set(key, sum);
    out.collect([key, sum]);
  }
}

const odd = new OutputTag<number>('odd');

/** Even numbers go on, odd ones to the side output. */
class SplitOdd extends ProcessFunction<number, number> {
  processElement(n: number, ctx: { output<X>(tag: OutputTag<X>, value: X): void }, out: Collector<number>): void {
    if (n % 2 === 0) out.collect(n); else ctx.output(odd, n);
  }
}

test('chains: head first, keyed state only where keyed, side outputs routed', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  env.setParallelism(1);
  const sums: Array<[number, number]> = [];
  const odds: number[] = [];
  const split = env.fromSequence(1, 200).name('numbers')
    .map((n: number) => n * 3).name('triple')
    .filter((n: number) => n % 5 !== 0).name('no fives')
    .process(new SplitOdd()).name('split');
  split.getSideOutput(odd).addSink((n) => { odds.push(n); }).name('odd sink');
  split.keyBy((n) => n % 4).process(new RunningSum()).name('sum')
    .map(([k, s]): [number, number] => [k, s]).name('copy')
    .addSink((r) => { sums.push(r); }).name('sum sink');
  const client = await env.executeAsync('chains');
  await client.getJobExecutionResult();

  const chains = [...embeddedExecutor.lastJobMaster!.subtasks().values()].map((tasks) => tasks[0].chainedOperators());
  const names = chains.map((c) => c.map((e) => e.node.name));
  const head = names.find((n) => n[0] === 'numbers')!;
  assert.equal(head.slice(0, 4), ['numbers', 'triple', 'no fives', 'split'], 'the source chain, head first');
  const keyedChain = chains.find((c) => c[0].node.name === 'sum')!;
  assert.equal(keyedChain.map((e) => e.node.name), ['sum', 'copy', 'sum sink']);
  assert.ok(keyedChain[0].context.keyedState !== undefined, 'the keyed head has a state backend');
  assert.is(keyedChain[1].context.keyedState, undefined, 'an operator without a key selector has none');
  for (const entry of chains.flat()) assert.is(entry.context.subtaskIndex, 0);

  // The output, against a plain loop.
  const expectedSums: Array<[number, number]> = [];
  const expectedOdds: number[] = [];
  const running = new Map<number, number>();
  for (let i = 1; i <= 200; i++) {
    const n = i * 3;
    if (n % 5 === 0) continue;
    if (n % 2 !== 0) { expectedOdds.push(n); continue; }
    const s = (running.get(n % 4) ?? 0) + n;
    running.set(n % 4, s);
    expectedSums.push([n % 4, s]);
  }
  assert.equal(odds, expectedOdds);
  assert.equal(sums, expectedSums);
});

test.run();
