import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment, type SinkWriterContext, type TwoPhaseCommitSink } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { subtaskKey } from '../../../actors/checkpoint/subtask-checkpointer.ts';

interface Txn { id: number; records: number[] }

/** A transactional sink that logs its calls; committed records are what a reader sees. */
class LoggingSink implements TwoPhaseCommitSink<number, Txn> {
  readonly log: string[] = [];
  readonly committed: number[] = [];
  private next = 0;
  private readonly byId = new Map<number, number[]>();
  beginTransaction(_: SinkWriterContext): Txn { const t = { id: this.next++, records: [] }; this.byId.set(t.id, t.records); return t; }
  write(txn: Txn, value: number): void { txn.records.push(value); }
  preCommit(txn: Txn): void { this.log.push(`pre ${txn.id}`); }
  commit(txn: Txn): void {
    const records = this.byId.get(txn.id);
    if (!records) return;
    this.byId.delete(txn.id);
    this.log.push(`commit ${txn.id}`);
    this.committed.push(...records);
  }
  abort(txn: Txn): void { this.byId.delete(txn.id); this.log.push(`abort ${txn.id}`); }
}

test('subtask keys name the vertex head and the subtask index', () => {
  assert.is(subtaskKey(3, 1), '3#1');
});

test('a bounded job commits its last transaction at the final checkpoint, taken after the end of input', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  // No periodic checkpoint ever falls due: only the final one runs.
  env.setParallelism(2).enableCheckpointing(1_000_000_000);
  const sink = new LoggingSink();
  env.fromSequence(1, 5000).map((x: number) => x * 2).sinkTo(sink);
  await env.execute('final-checkpoint');
  assert.equal(sink.committed.sort((a, b) => a - b), Array.from({ length: 5000 }, (_, i) => (i + 1) * 2));
  for (const line of sink.log.filter((l) => l.startsWith('commit'))) {
    const id = line.split(' ')[1];
    assert.ok(sink.log.indexOf(`pre ${id}`) < sink.log.indexOf(line), `transaction ${id} was pre-committed before its commit`);
  }
  const ck = embeddedExecutor.lastJobMaster!.checkpointing;
  assert.ok((ck.latestCompletedId ?? 0) >= 1, 'a final checkpoint completed');
});

test('without checkpointing a transactional sink commits at the end of input', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  const sink = new LoggingSink();
  env.fromSequence(1, 100).sinkTo(sink);
  await env.execute('no-checkpoints');
  assert.is(sink.committed.length, 100);
  assert.is(embeddedExecutor.lastJobMaster!.checkpointing.latestCompletedId, undefined);
});

test('nothing is committed before its checkpoint completes', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.enableCheckpointing(1_000_000_000);
  const sink = new LoggingSink();
  let seen = 0;
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 1000 }), undefined, 'gen').map((x: number) => { seen++; return x; }).sinkTo(sink);
  const client = await env.executeAsync('commit-on-complete');
  for (let i = 0; i < 10_000 && seen < 500; i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(seen >= 500, 'records were written');
  assert.is(sink.committed.length, 0, 'none committed yet');
  const committedBefore = sink.committed.length;
  await embeddedExecutor.lastJobMaster!.checkpointing.triggerCheckpoint();
  // The commit runs in the sink subtask's mailbox right after the completion notice.
  for (let i = 0; i < 1000 && sink.committed.length < 500; i++) await new Promise<void>((r) => setTimeout(r, 0));
  assert.is(committedBefore, 0);
  assert.ok(sink.committed.length >= 500, 'committed once the checkpoint completed');
  await client.cancel();
  try {
    await embeddedExecutor.lastJobMaster!.checkpointing.triggerCheckpoint();
    assert.unreachable('a cancelled job takes no checkpoint');
  } catch (error) {
    assert.match((error as Error).message, /no running attempt/);
  }
});

test.run();
