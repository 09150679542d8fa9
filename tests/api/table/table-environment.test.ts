import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $, lit, Slide, StreamExecutionEnvironment, StreamTableEnvironment, SqlValidationError, TableError, Tumble, WatermarkStrategy } from '../../../api/index.ts';

function fresh(): { env: StreamExecutionEnvironment; tEnv: StreamTableEnvironment } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  return { env, tEnv: StreamTableEnvironment.create(env) };
}

function committedLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).sort().flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
}

test('datagen DDL: bounded, seeded (the same rows every run), with computed columns and a watermark', async () => {
  const { tEnv } = fresh();
  await tEnv.executeSql(`CREATE TABLE bids (
      auction BIGINT, price INT, id BIGINT,
      dt AS TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' SECOND * CAST(id AS INT),
      dollars AS price * 0.908,
      WATERMARK FOR dt AS dt - INTERVAL '4' SECOND
    ) WITH ('connector' = 'datagen', 'number-of-rows' = '50', 'seed' = '42',
      'fields.auction.min' = '1', 'fields.auction.max' = '3', 'fields.price.min' = '10', 'fields.price.max' = '99',
      'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '1000')`);
  const schema = tEnv.from('bids').getSchema();
  assert.equal(schema.names, ['auction', 'price', 'id', 'dt', 'dollars']);
  assert.is(schema.columns[3].type.timeAttribute, 'rowtime');
  const a = await tEnv.sqlQuery('SELECT * FROM bids').execute().collect();
  const b = await tEnv.sqlQuery('SELECT * FROM bids').execute().collect();
  assert.is(a.length, 50);
  assert.equal(a, b);
  for (const r of a) {
    assert.ok((r.auction as number) >= 1 && (r.auction as number) <= 3);
    assert.is(r.dt, Date.UTC(2024, 0, 1) + (r.id as number) * 1000);
    assert.ok(Math.abs((r.dollars as number) - (r.price as number) * 0.908) < 1e-9);
  }
  const windows = await tEnv.sqlQuery(`SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(dt), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end`).execute().collect();
  assert.equal(windows.map((w) => w.c), [10, 10, 10, 10, 10]);
});

test('CREATE VIEW, SHOW TABLES/VIEWS, DESCRIBE, DROP, and IF NOT EXISTS', async () => {
  const { tEnv } = fresh();
  await tEnv.executeSql("CREATE TABLE src (k STRING, v INT NOT NULL, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.k.values' = 'x,y')");
  await tEnv.executeSql("CREATE TABLE IF NOT EXISTS src (a INT) WITH ('connector' = 'datagen')");
  await tEnv.executeSql('CREATE VIEW totals (name, total) AS SELECT k, SUM(v) FROM src GROUP BY k');
  assert.equal(await (await tEnv.executeSql('SHOW TABLES')).collect(), [{ 'table name': 'src' }]);
  assert.equal(await (await tEnv.executeSql('SHOW VIEWS')).collect(), [{ 'view name': 'totals' }]);
  assert.equal(await (await tEnv.executeSql('DESCRIBE src')).collect(), [
    { name: 'k', type: 'STRING', null: 'FALSE', key: 'PRI(k)' }, { name: 'v', type: 'INT', null: 'FALSE', key: null },
  ]);
  const totals = await tEnv.sqlQuery('SELECT * FROM totals').execute().collect();
  assert.equal(totals.map((r) => Object.keys(r)), totals.map(() => ['name', 'total']));
  await tEnv.executeSql('DROP VIEW totals');
  assert.equal(tEnv.listViews(), []);
  assert.throws(() => tEnv.executeSql('DROP TABLE totals'), /unknown table totals/);
});

test('filesystem: CSV in, JSON lines out through an INSERT job; the TableResult holds its JobClient', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sql-fs-'));
  try {
    writeFileSync(join(dir, 'in.csv'), 'a,1,2024-01-01 00:00:01.000\nb,,2024-01-01 00:00:02.500\n"c,d",3,\n"",4,2024-01-01 00:00:04.000\n');
    const { tEnv } = fresh();
    await tEnv.executeSql(`CREATE TABLE src (name STRING, n INT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'in.csv')}', 'format' = 'csv')`);
    await tEnv.executeSql(`CREATE TABLE dst (name STRING, n2 INT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'out')}', 'format' = 'json')`);
    const result = await tEnv.executeSql('INSERT INTO dst SELECT UPPER(name), n * 2, ts FROM src');
    const client = result.getJobClient();
    assert.ok(client);
    await result.await();
    assert.is(await client!.getJobStatus(), 'FINISHED');
    assert.equal(committedLines(join(dir, 'out')).map((l) => JSON.parse(l)), [
      { name: 'A', n2: 2, ts: '2024-01-01 00:00:01.000' }, { name: 'B', n2: null, ts: '2024-01-01 00:00:02.500' },
      { name: 'C,D', n2: 6, ts: null }, { name: '', n2: 8, ts: '2024-01-01 00:00:04.000' },
    ]);
    // And back: the JSON files read as a table.
    await tEnv.executeSql(`CREATE TABLE back (name STRING, n2 INT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'out')}', 'format' = 'json')`);
    assert.equal(await tEnv.sqlQuery('SELECT SUM(n2) AS s, COUNT(ts) AS c FROM back').execute().collect(), [{ s: 16, c: 3 }]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an updating query into an append-only sink is refused naming the sink; print and blackhole take updates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sql-fs-'));
  try {
    const { tEnv } = fresh();
    await tEnv.executeSql("CREATE TABLE src (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10', 'fields.k.values' = 'a,b')");
    await tEnv.executeSql(`CREATE TABLE files (k STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
    await tEnv.executeSql("CREATE TABLE hole (k STRING, c BIGINT) WITH ('connector' = 'blackhole')");
    assert.throws(() => tEnv.executeSql('INSERT INTO files SELECT k, COUNT(*) FROM src GROUP BY k'),
      (e: Error) => e instanceof SqlValidationError && /table files \(connector filesystem\) is append-only, but the query produces updates/.test(e.message) && e.line === 1 && e.column === 19);
    await (await tEnv.executeSql('INSERT INTO hole SELECT k, COUNT(*) FROM src GROUP BY k')).await();
    const lines: string[] = [];
    const orig = console.log;
    console.log = (l: string) => lines.push(l);
    try {
      await tEnv.executeSql("CREATE TABLE out (k STRING, c BIGINT) WITH ('connector' = 'print')");
      await (await tEnv.executeSql("INSERT INTO out SELECT k, COUNT(*) FROM src WHERE k = 'a' GROUP BY k")).await();
    } finally { console.log = orig; }
    assert.ok(lines.length > 0 && lines[0] === '+I[a, 1]', lines.join('\n'));
    assert.ok(lines.includes('-U[a, 1]') && lines.includes('+U[a, 2]'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('toDataStream of an insert-only table; of an updating one a clear error; toChangelogStream and back', async () => {
  const { env, tEnv } = fresh();
  tEnv.createTemporaryView('w', env.fromElements({ word: 'a' }, { word: 'b' }, { word: 'a' }));
  const upper = tEnv.sqlQuery('SELECT UPPER(word) AS w FROM w');
  const rows = await tEnv.toDataStream(upper).executeAndCollect();
  assert.equal(rows, [{ w: 'A' }, { w: 'B' }, { w: 'A' }]);
  const counts = tEnv.sqlQuery('SELECT word, COUNT(*) AS c FROM w GROUP BY word');
  assert.throws(() => tEnv.toDataStream(counts), (e: Error) => e instanceof TableError && /insert-only table, but this table is updating/.test(e.message));
  const log = await tEnv.toChangelogStream(counts).executeAndCollect();
  assert.equal(log.filter((c) => c.row.word === 'a'), [
    { op: '+I', row: { word: 'a', c: 1 } }, { op: '-U', row: { word: 'a', c: 1 } }, { op: '+U', row: { word: 'a', c: 2 } },
  ]);
  const again = tEnv.fromChangelogStream(env.fromCollection(log), { columns: { word: 'STRING', c: 'BIGINT' } });
  assert.equal(await tEnv.sqlQuery(`SELECT SUM(c) AS total FROM ${again}`).execute().collect(), [{ total: 3 }]);
});

test('a DataStream view gets its event time from the stream timestamps through a rowtime column', async () => {
  const { env, tEnv } = fresh();
  const s = env.fromElements({ v: 1, t: 500 }, { v: 2, t: 1500 }, { v: 3, t: 1700 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ v: number; t: number }>().withTimestampAssigner((e) => e.t));
  tEnv.createTemporaryView('s', s, { columns: { v: 'INT' }, rowtime: 'rt' });
  const out = await tEnv.sqlQuery("SELECT window_start, SUM(v) AS total FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(rt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end").execute().collect();
  assert.equal(out, [{ window_start: 0, total: 1 }, { window_start: 1000, total: 5 }]);
});

test('Table API: select, where, groupBy().select() with $ and lit build the same plan as SQL', async () => {
  const { env, tEnv } = fresh();
  tEnv.createTemporaryView('orders', env.fromElements({ item: 'x', qty: 2, price: 10 }, { item: 'y', qty: 1, price: 3 }, { item: 'x', qty: 5, price: 10 }));
  const orders = tEnv.from('orders');
  const big = orders.where($('qty').isGreater(1)).select($('item'), $('qty').times($('price')).as('amount'));
  assert.equal(await big.execute().collect(), [{ item: 'x', amount: 20 }, { item: 'x', amount: 50 }]);
  const totals = orders.groupBy($('item')).select($('item'), $('qty').sum().as('total'), $('price').plus(lit(1)).max().as('top'));
  const got = (await totals.execute().collect()).sort((p, q) => String(p.item).localeCompare(String(q.item)));
  assert.equal(got, [{ item: 'x', total: 7, top: 11 }, { item: 'y', total: 1, top: 4 }]);
  assert.is(totals.explain(), tEnv.sqlQuery('SELECT item, SUM(qty) AS total, MAX(price + 1) AS top FROM orders GROUP BY item').explain());
});

test('table functions (LATERAL TABLE) and UNNEST join each row with the rows they make', async () => {
  const { env, tEnv } = fresh();
  tEnv.createTemporarySystemFunction('split_words', {
    columns: { word: 'STRING', len: 'INT' },
    rows: function* (line: string | null) { for (const w of (line ?? '').split(' ')) if (w) yield [w, w.length]; },
  });
  tEnv.createTemporaryView('lines', env.fromElements({ id: 1, line: 'to be or not to be' }, { id: 2, line: '' }, { id: 3, line: 'be' }));
  const counts = await tEnv.sqlQuery('SELECT word, COUNT(*) AS n, MAX(len) AS len FROM lines, LATERAL TABLE(split_words(line)) AS T(word, len) GROUP BY word').execute().collect();
  const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
  assert.equal(sorted(counts), sorted([{ word: 'to', n: 2, len: 2 }, { word: 'be', n: 3, len: 2 }, { word: 'or', n: 1, len: 2 }, { word: 'not', n: 1, len: 3 }]));
  const outer = await tEnv.sqlQuery('SELECT id, w FROM lines LEFT JOIN LATERAL TABLE(split_words(line)) AS T(w, l) ON TRUE WHERE id > 1').execute().collect();
  assert.equal(outer, [{ id: 2, w: null }, { id: 3, w: 'be' }]);
  tEnv.createTemporaryView('arrays', env.fromElements({ id: 1, xs: [10, 20] }, { id: 2, xs: [] }), { columns: { id: 'INT', xs: 'ARRAY<INT>' } });
  const unnested = await tEnv.sqlQuery('SELECT id, x, o FROM arrays CROSS JOIN UNNEST(xs) WITH ORDINALITY AS U(x, o)').execute().collect();
  assert.equal(unnested, [{ id: 1, x: 10, o: 1 }, { id: 1, x: 20, o: 2 }]);
  assert.match(tEnv.explainSql('SELECT word FROM lines, LATERAL TABLE(split_words(line)) AS T(word, len)'), /Correlate\(invocation=\[split_words\(line\)\], joinType=\[INNER\]/);
});

test('Table API group windows: Tumble and Slide plan as the window TVFs; join on a condition', async () => {
  const { env, tEnv } = fresh();
  const clicks = env.fromElements({ user: 'a', t: 100 }, { user: 'b', t: 900 }, { user: 'a', t: 1200 }, { user: 'a', t: 2500 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ user: string; t: number }>().withTimestampAssigner((e) => e.t));
  tEnv.createTemporaryView('clicks', clicks, { columns: { user: 'STRING' }, rowtime: 'rt' });
  const t = tEnv.from('clicks');
  const tumbling = t.window(Tumble.over(lit(1).seconds()).on($('rt')).as('w'))
    .groupBy($('w'), $('user')).select($('user'), $('w').start().as('ws'), $('user').count().as('n'));
  assert.ok(tumbling.isInsertOnly());
  const byKey = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
  assert.equal(byKey(await tumbling.execute().collect()), byKey([
    { user: 'a', ws: 0, n: 1 }, { user: 'b', ws: 0, n: 1 }, { user: 'a', ws: 1000, n: 1 }, { user: 'a', ws: 2000, n: 1 },
  ]));
  const sliding = t.window(Slide.over(lit(2).seconds()).every(lit(1).seconds()).on($('rt')).as('w'))
    .groupBy($('w')).select($('w').end().as('we'), $('user').countDistinct().as('users'));
  assert.equal(byKey(await sliding.execute().collect()), byKey([
    { we: 1000, users: 2 }, { we: 2000, users: 2 }, { we: 3000, users: 1 }, { we: 4000, users: 1 },
  ]));
  tEnv.createTemporaryView('names', env.fromElements({ id: 'a', name: 'Ann' }));
  const joined = t.join(tEnv.from('names'), $('user').isEqual($('id'))).select($('name'), $('user'));
  assert.equal(await joined.execute().collect(), [{ name: 'Ann', user: 'a' }, { name: 'Ann', user: 'a' }, { name: 'Ann', user: 'a' }]);
});

test.run();
