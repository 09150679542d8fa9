import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import { runKvStoreContract } from './kv-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-'));
let files = 0;

runKvStoreContract(test, () => openKvStore(join(dir, `contract-${files++}.db`)));

test('a file store keeps its values across close and reopen', async () => {
  const path = join(dir, 'reopen.db');
  const first = await openKvStore(path);
  await first.set(['actorflow', 'x'], { v: 1 });
  first.close();
  const second = await openKvStore(path);
  try {
    assert.equal(await second.get(['actorflow', 'x']), { v: 1 });
  } finally { second.close(); }
});

test('an in-memory store works without a file', async () => {
  const kv = await openKvStore(':memory:');
  try {
    await kv.set(['m'], 1);
    assert.is(await kv.get(['m']), 1);
  } finally { kv.close(); }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
