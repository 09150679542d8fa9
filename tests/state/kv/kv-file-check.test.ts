// KV file checks: damaged files (truncated, foreign bytes, damaged header, zeroed pages) are refused
// with an error naming the file or opened and read without taking the process down; a location
// that cannot be written is reported before the KV library opens it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKvFile, KvFileError, kvFileUnwritable, sqliteHeaderProblem } from '../../../state/kv/kv-file-check.ts';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import { Random, testSeed } from '../../support/random.ts';
import { makeReadOnly } from '../../support/read-only-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-check-'));
const random = new Random(testSeed('kv-file-check'));

/** A small KV database file with some values, closed. */
async function goodFile(): Promise<Uint8Array> {
  const path = join(dir, 'good.kv');
  const kv = await openKvStore(path);
  for (let i = 0; i < 200; i++) await kv.atomic([{ type: 'set', key: ['cp', 'job', i], value: new Uint8Array(300).fill(i) }]);
  kv.close();
  // A plain copy: a Buffer's slice() is a view, and each variant must damage its own bytes.
  return new Uint8Array(readFileSync(path));
}

test('the header check accepts a KV file and names what is wrong with damaged ones', async () => {
  const good = await goodFile();
  assert.is(sqliteHeaderProblem(good.subarray(0, 100), good.byteLength, 0), undefined);
  assert.is(sqliteHeaderProblem(new Uint8Array(0), 0, 0), undefined, 'an empty file is a new database');
  assert.match(sqliteHeaderProblem(good.subarray(0, 50), 50, 0)!, /truncated/);
  assert.match(sqliteHeaderProblem(new TextEncoder().encode('x'.repeat(100)), 4096, 0)!, /not a KV database/);
  const readOnlyFormat = good.slice(0, 100);
  readOnlyFormat[18] = 3; // SQLite opens such a file read-only: the KV worker panicked on it
  assert.match(sqliteHeaderProblem(readOnlyFormat, good.byteLength, 0)!, /file format versions 3/);
  assert.match(sqliteHeaderProblem(good.subarray(0, 100), good.byteLength - 4096, 0)!, /truncated/);
  assert.match(sqliteHeaderProblem(good.subarray(0, 100), good.byteLength - 1, 0)!, /whole number of/);
});

test('damaged KV files are refused naming the file, or read, and the process stays up', async () => {
  const good = await goodFile();
  const pageSize = (good[16] << 8) | good[17];
  const pages = good.byteLength / pageSize;
  const variants: Array<[string, Uint8Array]> = [
    ['truncated to half', good.subarray(0, Math.floor(good.byteLength / 2))],
    ['random bytes', Uint8Array.from({ length: good.byteLength }, () => random.int(0, 255))],
    ['read-only header', (() => { const b = good.slice(); b[18] = 3; return b; })()],
  ];
  // The first pages but the header's zeroed in turn: they hold the roots of the KV's tables and
  // indexes, some of which its worker reads as soon as the file is opened.
  for (let p = 1; p < Math.min(pages, 12); p++) {
    const b = good.slice();
    b.fill(0, p * pageSize, (p + 1) * pageSize);
    variants.push([`page ${p} zeroed`, b]);
  }
  for (let i = 0; i < 6; i++) {
    const b = good.slice();
    const at = random.int(100, b.byteLength - 1);
    b[at] ^= 1 << random.int(0, 7);
    variants.push([`bit flip at ${at}`, b]);
  }
  let refusedOnOpen = 0;
  for (const [name, bytes] of variants) {
    const path = join(dir, `damaged-${name.replace(/\W+/g, '-')}.kv`);
    writeFileSync(path, bytes);
    let kv;
    try {
      kv = await openKvStore(path);
    } catch (error) {
      assert.instance(error, KvFileError, `${name}: ${String(error)}`);
      assert.ok(String(error).includes(path), `${name}: the error names the file`);
      if (/opening it failed/.test(String(error))) refusedOnOpen++;
      continue;
    }
    try { await kv.list(['cp']); } catch { /* an ordinary error is fine: the process is what must survive */ }
    kv.close();
  }
  assert.ok(refusedOnOpen > 0, 'some damage passed the header check and was refused by opening the file in a child process');
});

test('a file checked once is not probed again until it changes', async () => {
  await goodFile();
  const path = join(dir, 'good.kv');
  await checkKvFile(path);
  const started = performance.now();
  await checkKvFile(path);
  assert.ok(performance.now() - started < 50, 'the second check of an unchanged file needs no child process');
});

// On Deno the KV worker's panic ends the process whatever the caller does: only Node can show this.
const onNode = (globalThis as { Deno?: unknown }).Deno === undefined;
test('a file damaged after its check: the store fails its operations, and closing it does not abort the process', async () => {
  if (!onNode) { console.log('skipped on Deno: a KV worker panic ends a Deno process by itself'); return; }
  const good = await goodFile();
  const path = join(dir, 'late-damage.kv');
  writeFileSync(path, good);
  await checkKvFile(path);
  // Damaged in place, keeping its size and modification time: the check's memory of it still holds.
  const before = statSync(path);
  const pageSize = (good[16] << 8) | good[17];
  const fd = openSync(path, 'r+');
  try { writeSync(fd, new Uint8Array(5 * pageSize), 0, 5 * pageSize, 4 * pageSize); } finally { closeSync(fd); }
  utimesSync(path, before.atimeMs / 1000, before.mtimeMs / 1000);
  const kv = await openKvStore(path);
  let failed = false;
  try { await kv.set(['x'], 1); await kv.list(['cp']); } catch { failed = true; }
  assert.ok(failed, 'the damaged store failed an operation');
  kv.close(); // aborted the process (SIGABRT) when the dead worker thread was joined
});

test('a location that cannot be written is reported, naming it', () => {
  assert.is(kvFileUnwritable(join(dir, 'new.kv')), undefined);
  assert.match(kvFileUnwritable(join(dir, 'missing-dir', 'x.kv'))!, /does not exist/);
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  const undo = makeReadOnly(locked);
  if (typeof undo === 'string') { console.log(`skipped the read-only directory case: ${undo}`); return; }
  try {
    assert.match(kvFileUnwritable(join(locked, 'checkpoints.kv'))!, new RegExp(`directory ${locked} .*is not writable`));
  } finally { undo(); }
});

test('cleanup', () => { rmSync(dir, { recursive: true, force: true }); });

test.run();
