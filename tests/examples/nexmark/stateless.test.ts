// Nexmark q0, q1, q2, q10, q13, q14, q21 and q22 against a map/filter of the same generated bids
// written with plain loops (and regular expressions / string splits where the queries scan by hand);
// q10's partitioned files against the same loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { nexmarkEvents } from '../../../examples/nexmark/common.ts';
import { q0, q1, q10, q10Sink, q13, q14, q2, q21, q22 } from '../../../examples/nexmark/stateless.ts';
import { assertSameRows, CONFIG, generated, runQuery } from './support.ts';

const bids = () => generated().bids;

test('q0 passes every bid through, projected', async () => {
  const expected = bids().map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }));
  assertSameRows(await runQuery(q0), expected, 'q0');
});

test('q1 converts prices to euros (x 0.908)', async () => {
  const expected = bids().map((b) => ({ auction: b.auction, bidder: b.bidder, price: Number((b.price * 0.908).toFixed(3)), dateTime: b.dateTime, extra: b.extra }));
  const actual = (await runQuery<{ price: number }>(q1)).map((r) => ({ ...r, price: Number(r.price.toFixed(3)) }));
  assertSameRows(actual, expected, 'q1');
});

test('q2 keeps the bids on auctions that are multiples of 123', async () => {
  const expected = bids().filter((b) => b.auction % 123 === 0).map((b) => ({ auction: b.auction, price: b.price }));
  assert.ok(expected.length > 100, `enough q2 rows (${expected.length})`);
  assertSameRows(await runQuery(q2), expected, 'q2');
});

test('q10 files every bid under dt=<day>/hm=<HH%3Amm> (rows and part files, without the partition columns)', async () => {
  const expected = bids().map((b) => {
    const iso = new Date(b.dateTime).toISOString();
    return { auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra, dt: iso.slice(0, 10), hm: iso.slice(11, 16) };
  });
  assert.ok(new Set(expected.map((r) => r.dt)).size === 2, 'the run crosses a day');
  const expectedFiles = new Map<string, string[]>();
  for (const r of expected) {
    const partition = `dt=${r.dt}/hm=${r.hm.replace(':', '%3A')}`;
    const iso = new Date(r.dateTime).toISOString();
    let lines = expectedFiles.get(partition);
    if (lines === undefined) expectedFiles.set(partition, lines = []);
    lines.push(`${r.auction},${r.bidder},${r.price},${iso.slice(0, 10)} ${iso.slice(11, 23)},${r.extra}`);
  }
  assert.equal([...expectedFiles.keys()].sort(), ['dt=2026-01-01/hm=23%3A59', 'dt=2026-01-02/hm=00%3A00']);
  const dir = mkdtempSync(join(tmpdir(), 'nexmark-q10-'));
  try {
    // One job: the rows are collected and written through q10's bucketed FileSink.
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(100);
    const rows = q10(nexmarkEvents(env, CONFIG));
    rows.sinkTo(q10Sink(dir));
    assertSameRows(await rows.executeAndCollect('nexmark-q10'), expected, 'q10');
    const written = new Map<string, string[]>();
    for (const dt of readdirSync(dir)) {
      for (const hm of readdirSync(join(dir, dt))) {
        const partition = `${dt}/${hm}`;
        for (const f of readdirSync(join(dir, partition))) {
          if (f.startsWith('.')) continue;
          assert.ok(statSync(join(dir, partition, f)).isFile() && /^part-[0-9a-f-]{36}-[01]-\d+$/.test(f), f);
          let lines = written.get(partition);
          if (lines === undefined) written.set(partition, lines = []);
          for (const line of readFileSync(join(dir, partition, f), 'utf8').split('\n')) if (line) lines.push(line);
        }
      }
    }
    assert.equal([...written.keys()].sort(), [...expectedFiles.keys()].sort());
    for (const [partition, lines] of expectedFiles) assert.equal(written.get(partition)!.sort(), lines.sort(), partition);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('q13 joins every bid with the side input row auction mod 10000', async () => {
  const expected = bids().map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, value: `${b.auction % 10000}` }));
  assertSameRows(await runQuery(q13), expected, 'q13');
});

test('q14 keeps euro prices in (10^6, 5*10^7) with time-of-day type and count of c', async () => {
  const expected = bids().filter((b) => b.price * 0.908 > 1e6 && b.price * 0.908 < 5e7).map((b) => {
    const hour = new Date(b.dateTime).getUTCHours();
    const type = hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
    return { auction: b.auction, bidder: b.bidder, price: Number((b.price * 0.908).toFixed(3)), bidTimeType: type, dateTime: b.dateTime, extra: b.extra, c_counts: b.extra.split('c').length - 1 };
  });
  const share = expected.length / bids().length;
  assert.ok(share > 0.2 && share < 0.36, `about 28 % of bids (${share})`);
  const actual = (await runQuery<{ price: number }>(q14)).map((r) => ({ ...r, price: Number(r.price.toFixed(3)) }));
  assertSameRows(actual, expected, 'q14');
});

test('q21 derives channel ids from the hot channel names or the url', async () => {
  const hot: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
  const expected = [];
  for (const b of bids()) {
    const id = hot[b.channel.toLowerCase()] ?? /(&|^)channel_id=([^&]*)/.exec(b.url)?.[2];
    if (id !== undefined) expected.push({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channel_id: id });
  }
  const share = expected.length / bids().length;
  assert.ok(share > 0.92 && share < 0.98, `about 95 % of bids (${share})`);
  assertSameRows(await runQuery(q21), expected, 'q21');
});

test('q22 splits the url into directories', async () => {
  const expected = bids().map((b) => {
    const parts = b.url.split('/');
    return { auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, dir1: parts[3] ?? null, dir2: parts[4] ?? null, dir3: parts[5] ?? null };
  });
  assertSameRows(await runQuery(q22), expected, 'q22');
});

test.run();
