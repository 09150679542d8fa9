// The filesystem sink end to end through SQL: a partitioned INSERT with a size rolling policy and
// the partition-time commit trigger, across injected failures, on a manual clock. While the job
// runs, every partition that carries the success file already holds exactly its expected lines
// (it was committed only after the checkpoint that made them visible, and only once the
// watermark passed its end); at the end every partition is committed, the rows are the plain
// loop's, none twice, and the size policy held. Bad options fail the INSERT naming the option.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { registerMaybeFail } from '../support/failure-injection.ts';

const ROWS = 6000;
const EPOCH = Date.UTC(2024, 0, 1);
const FILE_SIZE = 512;
const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-fs-sink-')); dirs.push(d); return d; };

/** The expected lines by partition, by a plain loop: id i at 3 s * i, partitioned by day and hour. */
function expectedPartitions(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let id = 0; id < ROWS; id++) {
    const iso = new Date(EPOCH + id * 3000).toISOString();
    const partition = `dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}`;
    const lines = out.get(partition) ?? [];
    lines.push(`${id},v${id % 13}`);
    out.set(partition, lines);
  }
  for (const lines of out.values()) lines.sort();
  return out;
}

/** The partition directories (two levels) under `dir`. */
function partitionsOf(dir: string): string[] {
  return readdirSync(dir).filter((d) => d.startsWith('dt=')).flatMap((d) => readdirSync(join(dir, d)).map((h) => `${d}/${h}`)).sort();
}

/** The visible files of a partition. */
function visibleFiles(dir: string, partition: string): string[] {
  return readdirSync(join(dir, partition)).filter((f) => !f.startsWith('.') && !f.startsWith('_'));
}

/** The lines of a partition's visible files, sorted. */
function visibleLines(dir: string, partition: string): string[] {
  return visibleFiles(dir, partition).flatMap((f) => readFileSync(join(dir, partition, f), 'utf8').split('\n').filter(Boolean)).sort();
}

async function runInsert(dir: string, failAt: number[], onTurn: () => void): Promise<number> {
  const clock = new ManualClock(EPOCH);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(failAt.length + 2, 0));
  const tEnv = StreamTableEnvironment.create(env);
  const shared = registerMaybeFail(tEnv, failAt);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT, ts AS TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '3' SECOND * CAST(id AS INT),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  await tEnv.executeSql(`CREATE TABLE out (id BIGINT, v STRING, dt STRING, hr STRING) PARTITIONED BY (dt, hr) WITH (
      'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv',
      'sink.rolling-policy.file-size' = '512b',
      'sink.partition-commit.trigger' = 'partition-time',
      'partition.time-extractor.timestamp-pattern' = '$dt $hr:00:00',
      'sink.partition-commit.delay' = '1 h',
      'sink.partition-commit.policy.kind' = 'success-file',
      'sink.partition-commit.success-file.name' = '_DONE')`);
  const result = await tEnv.executeSql(`INSERT INTO out
    SELECT maybe_fail(id), CONCAT('v', CAST(id % 13 AS STRING)), DATE_FORMAT(ts, 'yyyy-MM-dd'), DATE_FORMAT(ts, 'HH') FROM src`);
  let settled = false;
  const done = result.await().finally(() => { settled = true; });
  done.catch(() => {});
  while (!settled) {
    clock.advance(10);
    await new Promise<void>((r) => setTimeout(r, 0));
    if (!settled) onTurn();
  }
  await done;
  return shared.failures;
}

test('a partitioned INSERT rolls by size and commits each partition once its hour is complete, exactly-once across failures', async () => {
  const random = new Random(testSeed('filesystem-sink-partition-commit'));
  const expected = expectedPartitions();
  for (const failAt of [[], [random.int(1000, 2500), random.int(3000, 5000)]]) {
    const dir = tempDir();
    const committedWhileRunning = new Set<string>();
    const failures = await runInsert(dir, failAt, () => {
      for (const p of partitionsOf(dir)) {
        if (!existsSync(join(dir, p, '_DONE'))) continue;
        if (!committedWhileRunning.has(p)) assert.equal(visibleLines(dir, p), expected.get(p), `partition ${p} when its success file appeared`);
        committedWhileRunning.add(p);
      }
    });
    assert.is(failures, failAt.length, 'the planned failures happened');
    // Each source subtask generates half of the ids in order; the watermark (the slower one's)
    // passes 01:00 and 02:00 while the job runs, so hours 00 and 01 commit before the end.
    for (const p of ['dt=2024-01-01/hr=00', 'dt=2024-01-01/hr=01']) assert.ok(committedWhileRunning.has(p), `${p} committed before the end`);
    assert.equal(partitionsOf(dir), [...expected.keys()].sort());
    for (const [p, lines] of expected) {
      assert.equal(visibleLines(dir, p), lines, `partition ${p}`);
      assert.ok(existsSync(join(dir, p, '_DONE')), `${p} is committed at the end of input`);
      assert.not.ok(existsSync(join(dir, p, '_SUCCESS')), 'the success file has the configured name');
      assert.equal(readdirSync(join(dir, p)).filter((f) => f.startsWith('.')), [], `no hidden file is left in ${p}`);
      for (const f of visibleFiles(dir, p)) {
        // A file rolls once it has grown past the size limit: all but its last line fit under it.
        const text = readFileSync(join(dir, p, f), 'utf8');
        const lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
        assert.ok(statSync(join(dir, p, f)).size - Buffer.byteLength(lastLine) <= FILE_SIZE, `${p}/${f} rolled late`);
      }
    }
    assert.ok(visibleFiles(dir, 'dt=2024-01-01/hr=01').some((f) => statSync(join(dir, 'dt=2024-01-01/hr=01', f)).size > FILE_SIZE), 'the size policy rolled files');
  }
});

test('without a commit policy no success file is written; an unpartitioned table rolls at the end of input', async () => {
  const dir = tempDir();
  const tEnv = StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1));
  await tEnv.executeSql(`CREATE TABLE out (id INT, p STRING) PARTITIONED BY (p) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
  await (await tEnv.executeSql("INSERT INTO out VALUES (1, 'a'), (2, 'b'), (3, 'a')")).await();
  assert.equal(partitionsOf(dir), []);
  assert.equal(readdirSync(dir).sort(), ['p=a', 'p=b']);
  assert.equal(readdirSync(join(dir, 'p=a')).filter((f) => f.startsWith('_')), []);
  assert.equal(visibleLines(dir, 'p=a'), ['{"id":1}', '{"id":3}']);
});

test('the rollover interval rolls files between checkpoints, on the job\'s processing-time clock', async () => {
  const dir = tempDir();
  const clock = new ManualClock(EPOCH);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 8 });
  env.setParallelism(1).enableCheckpointing(1000);
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql("CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '299')");
  await tEnv.executeSql(`CREATE TABLE out (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv',
    'sink.rolling-policy.rollover-interval' = '200 ms', 'sink.rolling-policy.check-interval' = '100 ms')`);
  const result = await tEnv.executeSql('INSERT INTO out SELECT id FROM src');
  let settled = false;
  const done = result.await().finally(() => { settled = true; });
  while (!settled) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  await done;
  const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
  // 3 s of rows: at most 4 checkpoints (and the end of input) would give 5 files; the interval gives a file per ~200-300 ms.
  assert.ok(files.length >= 10, `${files.length} files`);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
  assert.equal(lines.sort(), Array.from({ length: 300 }, (_, i) => String(i)).sort());
});

test('shuffle by partition: one writer subtask per partition, so one part file each', async () => {
  const dir = tempDir();
  const tEnv = StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3));
  await tEnv.executeSql("CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '300', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '299')");
  await tEnv.executeSql(`CREATE TABLE out (id BIGINT, p BIGINT) PARTITIONED BY (p)
    WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'sink.shuffle-by-partition.enable' = 'true')`);
  await (await tEnv.executeSql('INSERT INTO out SELECT id, id % 4 FROM src')).await();
  assert.equal(readdirSync(dir).sort(), ['p=0', 'p=1', 'p=2', 'p=3']);
  for (let p = 0; p < 4; p++) {
    assert.is(visibleFiles(dir, `p=${p}`).length, 1, `p=${p}`);
    assert.equal(visibleLines(dir, `p=${p}`), Array.from({ length: 75 }, (_, i) => String(4 * i + p)).sort());
  }
});

test('invalid or inapplicable sink options fail the INSERT naming the option', async () => {
  const dir = tempDir();
  const tEnv = StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment());
  const cases: Array<[string, RegExp, boolean?]> = [
    ["'sink.rolling-policy.file-size' = 'big'", /'sink\.rolling-policy\.file-size' must be a positive memory size/],
    ["'sink.rolling-policy.rollover-interval' = '5 fortnights'", /'sink\.rolling-policy\.rollover-interval' must be a duration/],
    ["'sink.rolling-policy.check-interval' = '0 s'", /'sink\.rolling-policy\.check-interval' must be positive/],
    ["'sink.partition-commit.policy.kind' = 'metastore'", /'sink\.partition-commit\.policy\.kind' 'metastore' is not applicable/],
    ["'sink.partition-commit.policy.kind' = 'success-file,custom', 'sink.partition-commit.policy.class' = 'a.B'", /'sink\.partition-commit\.policy\.class' is not supported/],
    ["'sink.partition-commit.policy.kind' = 'success-file,custom'", /'sink\.partition-commit\.policy\.kind' 'custom' is not applicable/],
    ["'sink.partition-commit.policy.kind' = 'touch'", /'sink\.partition-commit\.policy\.kind' must be 'success-file'.*got 'touch'/],
    ["'sink.partition-commit.trigger' = 'event-time', 'sink.partition-commit.policy.kind' = 'success-file'", /'sink\.partition-commit\.trigger' must be one of 'process-time', 'partition-time', got 'event-time'/],
    ["'sink.partition-commit.delay' = '1 h'", /'sink\.partition-commit\.delay' has no effect without 'sink\.partition-commit\.policy\.kind'/],
    ["'sink.partition-commit.policy.kind' = 'success-file', 'partition.time-extractor.timestamp-pattern' = '$day 00:00:00'", /'partition\.time-extractor\.timestamp-pattern' names 'day', which is not a partition column/],
    ["'sink.partition-commit.policy.kind' = 'success-file', 'partition.time-extractor.timestamp-formatter' = 'yyyy-MM-dd QQ'", /'partition\.time-extractor\.timestamp-formatter' uses 'QQ'/],
    ["'sink.partition-commit.policy.kind' = 'success-file', 'sink.partition-commit.watermark-time-zone' = 'Mars/Olympus'", /'sink\.partition-commit\.watermark-time-zone' must name a time zone/],
    ["'sink.partition-commit.policy.kind' = 'success-file', 'sink.partition-commit.success-file.name' = '../x'", /'sink\.partition-commit\.success-file\.name' must be a plain file name/],
    ["'sink.rolling-policy.no-such' = '1'", /sink\.rolling-policy\.no-such/],
    ["'sink.partition-commit.policy.kind' = 'success-file'", /'sink\.partition-commit\.policy\.kind' applies to partitioned tables only/, false],
  ];
  let n = 0;
  for (const [options, error, partitioned = true] of cases) {
    const name = `t${n++}`;
    const attempt = async (): Promise<void> => {
      await tEnv.executeSql(`CREATE TABLE ${name} (id INT, p STRING) ${partitioned ? 'PARTITIONED BY (p)' : ''}
        WITH ('connector' = 'filesystem', 'path' = '${join(dir, name)}', 'format' = 'csv', ${options})`);
      await tEnv.executeSql(`INSERT INTO ${name} VALUES (1, 'a')`);
    };
    await attempt().then(() => assert.unreachable(`${options} was accepted`), (e: Error) => assert.match(e.message, error, `${options}: ${e.message}`));
  }
  assert.not.ok(existsSync(join(dir, 't0')), 'nothing was written');
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
