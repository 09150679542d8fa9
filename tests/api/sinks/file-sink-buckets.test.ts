// FileSink with bucket assigners: each bucket id is a subdirectory holding that bucket's part
// files; DateTimeBucketAssigner buckets by the subtask's processing time (a ManualClock here) or by
// the record timestamp; a restart from a checkpoint commits every bucket's pre-committed part and
// removes the failed attempt's pending parts in every bucket (exactly once per bucket); bad bucket
// ids fail with a clear error and write nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BasePathBucketAssigner, DateTimeBucketAssigner, FileSink, StreamExecutionEnvironment, dateTimeFormatter } from '../../../api/index.ts';
import { TwoPhaseCommitSinkOperator } from '../../../api/sinks/two-phase-commit-sink.ts';
import type { OperatorContext, OperatorStateSnapshot } from '../../../api/operators/stream-operator.ts';
import { ManualClock } from '../../../api/time/clock.ts';

const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-file-buckets-')); dirs.push(d); return d; };

/** Visible lines per bucket (relative directory of the part file), each bucket's lines sorted. */
function linesByBucket(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      assert.match(name, /^part-[0-9a-f-]{36}-\d+-\d+$/);
      const bucket = relative(dir, d);
      (out[bucket] ??= []).push(...readFileSync(p, 'utf8').split('\n').filter(Boolean));
    }
  };
  walk(dir);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** Hidden (pending) files anywhere under `dir`. */
function hiddenFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.split('/').pop()!.startsWith('.')).sort();
}

for (const checkpointing of [false, true]) {
  test(`a custom assigner's buckets are subdirectories holding exactly their records (checkpointing ${checkpointing ? 'on' : 'off'})`, async () => {
    const dir = tempDir();
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    if (checkpointing) env.enableCheckpointing(50);
    const sink = FileSink.forRowFormat<number>(dir, (n) => `n=${n}`).withBucketAssigner((n) => `mod=${n % 3}/tens=${Math.floor(n / 10) % 2}`).build();
    env.fromSequence(1, 200).sinkTo(sink);
    await env.execute('file-sink-buckets');
    const expected: Record<string, string[]> = {};
    for (let n = 1; n <= 200; n++) (expected[`mod=${n % 3}/tens=${Math.floor(n / 10) % 2}`] ??= []).push(`n=${n}`);
    for (const k of Object.keys(expected)) expected[k].sort();
    assert.equal(linesByBucket(dir), expected);
  });
}

test('BasePathBucketAssigner and the options field write into the directory itself', async () => {
  const dir = tempDir();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.fromSequence(1, 5).sinkTo(new FileSink<number>(dir, { bucketAssigner: new BasePathBucketAssigner<number>() }));
  await env.execute('file-sink-base-path');
  assert.equal(linesByBucket(dir), { '': ['1', '2', '3', '4', '5'] });
});

// --- One subtask driven directly, with a ManualClock as its processing time. ---

function context(attemptNumber: number, clock: ManualClock): OperatorContext {
  return {
    operatorName: 'file-sink', uid: 'file-sink', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber,
    clock, registerProcessingTimer: () => () => {}, accumulators: new Map(), checkpointingEnabled: true,
  };
}

const noOutput = { collect() {}, collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} };

async function startOperator<T>(sink: FileSink<T>, attemptNumber: number, clock: ManualClock, restored?: OperatorStateSnapshot) {
  const op = new TwoPhaseCommitSinkOperator<T, unknown>(sink as never);
  op.setup(context(attemptNumber, clock), noOutput);
  await op.initializeState({ isRestored: !!restored, list: restored?.list ?? [], union: restored?.union ?? [] });
  op.open();
  return op;
}

const T0 = Date.UTC(2024, 0, 2, 3, 59, 30); // 2024-01-02 03:59:30 UTC

test('DateTimeBucketAssigner buckets by the processing time of the subtask clock (default yyyy-MM-dd--HH, UTC)', async () => {
  const dir = tempDir();
  const clock = new ManualClock(T0);
  const op = await startOperator(FileSink.forRowFormat<string>(dir).withBucketAssigner(new DateTimeBucketAssigner<string>()).build(), 0, clock);
  // The record timestamp is a day later: the default ignores it (Flink's processing-time default).
  op.processElement('a', T0 + 86_400_000);
  clock.advance(30_000); // 04:00:00
  op.processElement('b', T0);
  op.snapshotState(1);
  await op.notifyCheckpointComplete(1);
  assert.equal(linesByBucket(dir), { '2024-01-02--03': ['a'], '2024-01-02--04': ['b'] });
});

test('DateTimeBucketAssigner on record timestamps, with a pattern and a zone', async () => {
  const dir = tempDir();
  const clock = new ManualClock(0);
  const assigner = new DateTimeBucketAssigner<string>("'dt='yyyy-MM-dd/'hm='HH-mm", 'Asia/Kolkata', 'record-timestamp');
  const op = await startOperator(new FileSink<string>(dir, { bucketAssigner: assigner }), 0, clock);
  op.processElement('a', T0); // 09:29:30 in UTC+05:30
  op.processElement('b', T0 + 60_000);
  assert.throws(() => op.processElement('c', -Infinity), /without a timestamp/);
  op.snapshotState(1);
  await op.notifyCheckpointComplete(1);
  assert.equal(linesByBucket(dir), { 'dt=2024-01-02/hm=09-29': ['a'], 'dt=2024-01-02/hm=09-30': ['b'] });
  assert.is(dateTimeFormatter('yy.M.d H:m:s.SSS')(Date.UTC(2009, 2, 4, 5, 6, 7, 8)), '09.3.4 5:6:7.008');
  assert.throws(() => dateTimeFormatter('yyyy-ww'), /letter 'w' is not supported/);
  assert.throws(() => new DateTimeBucketAssigner('yyyy', 'Mars/Olympus'), /unknown time zone 'Mars\/Olympus'/);
});

test('exactly once per bucket across a failure: the restart commits the checkpoint\'s parts and drops the failed attempt\'s', async () => {
  const dir = tempDir();
  const clock = new ManualClock(T0);
  const minutes = () => new DateTimeBucketAssigner<string>('yyyy-MM-dd/HH-mm');
  const first = await startOperator(FileSink.forRowFormat<string>(dir).withBucketAssigner(minutes()).build(), 0, clock);
  first.processElement('a1', 0);
  clock.advance(30_000); // the next minute
  first.processElement('b1', 0);
  const checkpoint1 = first.snapshotState(1); // pre-commits into two buckets; its notification is lost
  first.processElement('b2', 0);
  clock.advance(60_000);
  first.processElement('c1', 0);
  first.snapshotState(2); // pre-commits b2 and c1; checkpoint 2 never completes
  clock.advance(60_000);
  first.processElement('d1', 0);
  first.snapshotState(3); // nor does checkpoint 3: a bucket only the failed attempt wrote into
  assert.equal(linesByBucket(dir), {}, 'nothing is visible before a checkpoint completes');
  assert.is(hiddenFiles(dir).length, 5, hiddenFiles(dir).join(', '));

  // The failure: a new process (a new sink object) restarts from checkpoint 1, replaying b2 and c1
  // at a later processing time (they now land in another minute).
  clock.advance(60_000);
  const second = await startOperator(FileSink.forRowFormat<string>(dir).withBucketAssigner(minutes()).build(), 1, clock, checkpoint1);
  assert.equal(linesByBucket(dir), { '2024-01-02/03-59': ['a1'], '2024-01-02/04-00': ['b1'] }, 'checkpoint 1 is committed in both buckets');
  assert.equal(hiddenFiles(dir), [], 'the failed attempt\'s pending parts are gone from every bucket');
  second.processElement('b2', 0);
  second.processElement('c1', 0);
  second.snapshotState(4);
  await second.notifyCheckpointComplete(4);
  await second.notifyCheckpointComplete(4); // a repeated notification commits nothing twice
  assert.equal(linesByBucket(dir), { '2024-01-02/03-59': ['a1'], '2024-01-02/04-00': ['b1'], '2024-01-02/04-03': ['b2', 'c1'] });
  assert.not.ok(existsSync(join(dir, '2024-01-02/04-02')) && readdirSync(join(dir, '2024-01-02/04-02')).some((f) => !f.startsWith('.')));
});

test('bad bucket ids fail with a clear error and write nothing', async () => {
  const bad: Array<[unknown, RegExp]> = [
    ['../escape', /'\.\.' segment/], ['a/../../b', /'\.\.' segment/], ['/etc', /absolute path/], ['a//b', /empty segment/],
    ['./a', /'\.' segment/], ['.hidden', /starting with '\.'/], ['_tmp/x', /starting with '_'/], [42, /must be a string, got number/],
  ];
  for (const [id, reason] of bad) {
    const dir = tempDir();
    const op = await startOperator(new FileSink<string>(dir, { bucketAssigner: () => id as string }), 0, new ManualClock(0));
    assert.throws(() => op.processElement('x', 0), reason, String(id));
    op.snapshotState(1);
    await op.notifyCheckpointComplete(1);
    assert.equal(readdirSync(dir), [], String(id));
  }
  // A trailing '/' is the same bucket; nested relative ids are fine.
  const dir = tempDir();
  const op = await startOperator(new FileSink<string>(dir, { bucketAssigner: (v) => v }), 0, new ManualClock(0));
  op.processElement('a/b/', 0);
  op.processElement('a/b', 0);
  op.snapshotState(1);
  await op.notifyCheckpointComplete(1);
  assert.equal(linesByBucket(dir), { 'a/b': ['a/b', 'a/b/'] });
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
