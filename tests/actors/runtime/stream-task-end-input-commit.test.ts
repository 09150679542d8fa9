// A sink's last transaction commits at the end of input when the job takes no checkpoints; that
// commit may be asynchronous (a broker or database round trip). The job must not report
// FINISHED before it settled, and a commit that fails must fail the job with its cause, not
// surface as an unhandled rejection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ManualClock, RestartStrategies, StreamExecutionEnvironment, type Clock } from '../../../api/index.ts';
import type { TwoPhaseCommitSink } from '../../../api/sinks/two-phase-commit-sink.ts';
import { drive } from '../../e2e/fault-tolerance/support.ts';

interface Txn { values: number[] }

/** A sink whose commit takes a few event-loop turns, like a network round trip. */
class SlowCommitSink implements TwoPhaseCommitSink<number, Txn> {
  readonly committed: number[] = [];
  constructor(private readonly failWith?: Error) {}
  beginTransaction(): Txn { return { values: [] }; }
  write(txn: Txn, value: number): void { txn.values.push(value); }
  preCommit(): void {}
  async commit(txn: Txn): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failWith) throw this.failWith;
    this.committed.push(...txn.values);
  }
  abort(): void {}
}

test('without checkpoints, the job finishes only after the last asynchronous commit settled', async () => {
  const sink = new SlowCommitSink();
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const input = Array.from({ length: 1000 }, (_, i) => i);
  env.fromCollection(input).map((x: number) => x * 2).sinkTo(sink);
  await env.execute('slow commit');
  assert.equal([...sink.committed].sort((a, b) => a - b), input.map((x) => x * 2), 'every record committed when execute() returned');
});

test('a failing asynchronous commit at the end of input fails the job with its cause', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const sink = new SlowCommitSink(new Error('broker refused the commit'));
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRestartStrategy(RestartStrategies.noRestart());
    env.fromElements(1, 2, 3).sinkTo(sink);
    let failure: unknown;
    try { await env.execute('failing commit'); } catch (error) { failure = error; }
    assert.ok(failure, 'the job failed');
    assert.match(String((failure as Error)?.message ?? failure) + String((failure as Error)?.cause ?? ''), /broker refused the commit/);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(unhandled, [], 'no unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

/** A sink whose commit takes `commitMs` on the job's clock: longer than the checkpoint interval. */
class ClockedCommitSink implements TwoPhaseCommitSink<number, Txn> {
  readonly committed: number[] = [];
  constructor(private readonly clock: Clock, private readonly commitMs: number) {}
  beginTransaction(): Txn { return { values: [] }; }
  write(txn: Txn, value: number): void { txn.values.push(value); }
  preCommit(): void {}
  async commit(txn: Txn): Promise<void> {
    await new Promise<void>((resolve) => { this.clock.schedule(this.commitMs, resolve); });
    this.committed.push(...txn.values);
  }
  abort(): void {}
}

test('with checkpoints, a later checkpoint never releases the final one before an earlier commit settled', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100);
  const sink = new ClockedCommitSink(clock, 250);
  const records = 3000;
  env.fromSource(new DataGeneratorSource((i) => i, records, { ratePerSecond: 10_000 }), undefined, 'numbers')
    .map((x: number) => x * 2).sinkTo(sink);
  await drive(clock, env.execute('slow commits with checkpoints'));
  assert.equal([...sink.committed].sort((a, b) => a - b), Array.from({ length: records }, (_, i) => i * 2),
    'every transaction committed, each once, when execute() returned');
});

test.run();
