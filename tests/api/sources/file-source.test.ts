// FileSource: a bounded source over files and directories emits exactly the lines a plain loop
// reads from them; its enumerator hands files out on request, takes failed readers' splits back and
// checkpoints the files it has seen; monitoring picks up a file that appears later; a job with
// checkpoints and an injected failure emits every line exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink, FileSource, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import { listFiles } from '../../../api/sources/file-access.ts';
import { FileSplitEnumerator, type FileSplit } from '../../../api/sources/file-split-enumerator.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';

const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-file-source-')); dirs.push(d); return d; };

/** The lines a plain loop reads from `files` (split at \n, \r\n counted as one, no empty last line). */
function plainLines(files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const parts = text.split('\n');
    if (parts[parts.length - 1] === '') parts.pop();
    for (let i = 0; i < parts.length; i++) out.push(i < parts.length - 1 || text.endsWith('\n') ? parts[i].replace(/\r$/, '') : parts[i]);
  }
  return out;
}

/** A directory of files of many shapes (a subdirectory, hidden files, sizes across chunk and batch bounds). */
function writeInputs(random: Random): { dir: string; single: string; visible: string[] } {
  const dir = tempDir();
  mkdirSync(join(dir, 'nested'));
  const files: Record<string, string> = {
    'a.txt': 'one\ntwo\nthree\n',
    'b.txt': 'no final newline',
    'c.txt': '',
    'crlf.txt': 'x\r\ny\r\n\r\nz\r\n',
    'unicode.txt': 'ünï\n✓ 😀\n',
    'nested/deep.txt': Array.from({ length: 3000 }, (_, i) => `deep-${i}-${'d'.repeat(random.int(0, 60))}`).join('\n') + '\n',
    'long.txt': `${'L'.repeat(100_000)}\nafter\n`,
    '.hidden.txt': 'must not be read\n',
    '_SUCCESS': 'must not be read\n',
    '.part-x.pending': 'must not be read\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const elsewhere = tempDir();
  const single = join(elsewhere, 'single.txt');
  writeFileSync(single, Array.from({ length: 2500 }, (_, i) => `single-${i}`).join('\n'));
  const visible = Object.keys(files).filter((n) => !n.split('/').pop()!.startsWith('.') && !n.startsWith('_')).map((n) => join(dir, n));
  return { dir, single, visible: [...visible, single] };
}

test('bounded: a directory and a file read at parallelism 3 give exactly the lines of a plain loop', async () => {
  const { dir, single, visible } = writeInputs(new Random(testSeed('file-source-bounded')));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const source = FileSource.forTextLines([dir, single]).build();
  assert.is(source.boundedness, 'bounded');
  const lines = await env.fromSource(source, undefined, 'files').executeAndCollect('file-source-bounded');
  assert.equal(lines.sort(), plainLines(visible).sort());
});

test('listing: recursive, hidden names skipped, sorted absolute paths; a missing path is a clear error', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  mkdirSync(join(dir, '.hidden-dir'));
  for (const f of ['b', 'a', 'sub/c', '.hidden-dir/d', '_temp']) writeFileSync(join(dir, f), 'x\n');
  assert.equal(listFiles([dir]), [join(dir, 'a'), join(dir, 'b'), join(dir, 'sub/c')]);
  assert.equal(listFiles([join(dir, 'a'), dir]), [join(dir, 'a'), join(dir, 'b'), join(dir, 'sub/c')]);
  assert.throws(() => listFiles([join(dir, 'missing')]), /FileSource: cannot read .*missing/);
  assert.equal(listFiles([join(dir, 'missing')], true), []);
  assert.throws(() => FileSource.forTextLines(join(dir, 'missing')).build(), /no such file or directory: .*missing/);
  assert.throws(() => FileSource.forTextLines([]).build(), /at least one path/);
  assert.throws(() => FileSource.forTextLines(dir).monitorContinuously(0), /interval > 0/);
});

/** An enumerator context recording what it was told. */
function recordingContext(p: number) {
  const assigned: Array<[string, number]> = [];
  const finished: number[] = [];
  return {
    assigned, finished,
    context: {
      currentParallelism: () => p, registeredReaders: () => [],
      assignSplit: (s: FileSplit, i: number) => { assigned.push([s.path, i]); },
      signalNoMoreSplits: (i: number) => { finished.push(i); },
    },
  };
}

test('enumerator: one file per request, split back after a failure, then no more splits', () => {
  const dir = tempDir();
  for (const f of ['1', '2', '3']) writeFileSync(join(dir, f), `${f}\n`);
  const { assigned, finished, context } = recordingContext(2);
  const e = new FileSplitEnumerator(context, [dir], false);
  e.handleSplitRequest(0); e.handleSplitRequest(1);
  assert.equal(assigned, [[join(dir, '1'), 0], [join(dir, '2'), 1]]);
  e.addSplitsBack([{ splitId: join(dir, '2'), path: join(dir, '2'), offset: 0 }]);
  e.handleSplitRequest(0); e.handleSplitRequest(0); e.handleSplitRequest(0);
  assert.equal(assigned.slice(2), [[join(dir, '2'), 0], [join(dir, '3'), 0]]);
  assert.equal(finished, [0]);
});

test('enumerator: monitoring discovers new files on request; seen files are checkpointed and never read again', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'first'), 'x\n');
  const { assigned, finished, context } = recordingContext(1);
  const e = new FileSplitEnumerator(context, [dir], true);
  e.handleSplitRequest(0);
  e.handleSplitRequest(0); // nothing new: no answer, the reader asks again later
  writeFileSync(join(dir, 'second'), 'y\n');
  writeFileSync(join(dir, 'third'), 'z\n');
  e.handleSplitRequest(0);
  assert.equal(assigned.map(([p]) => p), [join(dir, 'first'), join(dir, 'second')]);
  assert.equal(finished, [], 'a monitoring enumerator never ends');
  const state = e.snapshotState();
  assert.equal(state.seen.sort(), [join(dir, 'first'), join(dir, 'second'), join(dir, 'third')]);
  assert.equal(state.pending.map((s) => s.path), [join(dir, 'third')]);
  // Restored from that checkpoint: the pending file is handed out, then only files new since.
  const after = recordingContext(1);
  const restored = new FileSplitEnumerator(after.context, [dir], true, structuredClone(state));
  writeFileSync(join(dir, 'fourth'), 'w\n');
  restored.handleSplitRequest(0); restored.handleSplitRequest(0); restored.handleSplitRequest(0);
  assert.equal(after.assigned.map(([p]) => p), [join(dir, 'third'), join(dir, 'fourth')]);
});

test('monitoring: a file moved into the directory while the job runs is read', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'before.txt'), 'b1\nb2\n');
  const seen: string[] = [];
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const source = FileSource.forTextLines(dir).monitorContinuously(20).build();
  assert.is(source.boundedness, 'continuous-unbounded');
  env.fromSource(source, undefined, 'watched').addSink((line) => { seen.push(line); });
  const client = await env.executeAsync('file-source-monitoring');
  try {
    await until(() => seen.length === 2, 'the first file');
    // Written elsewhere, moved in complete (a file is read once).
    const staging = tempDir();
    writeFileSync(join(staging, 'after.txt'), 'a1\na2\na3\n');
    renameSync(join(staging, 'after.txt'), join(dir, 'after.txt'));
    await until(() => seen.length === 5, 'the new file');
    assert.equal(seen.slice().sort(), ['a1', 'a2', 'a3', 'b1', 'b2']);
    assert.is(await client.getJobStatus(), 'RUNNING');
  } finally {
    await client.cancel();
  }
});

/** Waits until `condition` holds (what the job did, not the time), or fails after a generous bound. */
async function until(condition: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const failover of ['region', 'full'] as const) test(`exactly-once: a checkpointed job over files that fails mid-way emits every line once (collect and FileSink; ${failover} failover)`, async () => {
  const random = new Random(testSeed(`file-source-exactly-once-${failover}`));
  const input = tempDir();
  const files = Array.from({ length: 6 }, (_, f) => join(input, `in-${f}.txt`));
  files.forEach((file, f) => writeFileSync(file, Array.from({ length: random.int(8000, 16000) }, (_, i) => `${f}:${i}`).join('\n') + '\n'));
  const expected = plainLines(files).sort();
  const output = tempDir();
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(CHECKPOINT_INTERVAL_MS).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  env.setFailoverStrategy(failover);
  const throwAt = random.int(2000, expected.length - 5000);
  const shared = { seen: 0, failures: 0 };
  const checkpointed = (): boolean => {
    const ck = embeddedExecutor.lastJobMaster?.checkpointing;
    return (ck?.latestCompletedId ?? 0) > (ck?.restoredCheckpointId ?? 0);
  };
  const lines = env.fromSource(FileSource.forTextLines(input).build(), undefined, 'files')
    .map((line: string) => {
      // Fails once, after a checkpoint completed, so that recovery restores reader offsets mid-file.
      if (++shared.seen >= throwAt && shared.failures === 0 && checkpointed()) {
        shared.failures++;
        throw new Error(`injected failure at line ${shared.seen}`);
      }
      return line;
    });
  lines.sinkTo(new FileSink<string>(output));
  const collected = await drive(clock, lines.executeAndCollect('file-source-exactly-once'));
  assert.is(shared.failures, 1, `the failure happened (${shared.seen} lines seen, ${embeddedExecutor.lastJobMaster?.checkpointing.latestCompletedId} checkpoints)`);
  assert.ok((embeddedExecutor.lastJobMaster?.checkpointing.restoredCheckpointId ?? 0) > 0, 'recovery restored a checkpoint');
  assert.equal(collected.sort(), expected);
  const written = readdirSync(output).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(output, f), 'utf8').split('\n').filter(Boolean));
  assert.equal(written.sort(), expected);
});

const CHECKPOINT_INTERVAL_MS = 20;

/**
 * Runs the event loop, moving `clock` one checkpoint interval per turn, until `result` settles: a
 * checkpoint is due at every turn, so they happen while the files are read (progress, not wall time).
 */
async function drive<T>(clock: ManualClock, result: Promise<T>): Promise<T> {
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  while (!settled) {
    clock.advance(CHECKPOINT_INTERVAL_MS);
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  return done;
}

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
