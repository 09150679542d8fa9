// BlobStore: the same contract for the memory and the directory store (round trip, content
// addressing, unknown and malformed keys, delete and the usage accounting), then what only the
// directory store does: persistence across instances, no temporary files left behind, corruption detected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobKey, BlobStore } from '../../../actors/deploy/blob-store.ts';
import { Random, testSeed } from '../../support/random.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blob-store-test-'));
  dirs.push(dir);
  return dir;
}

const stores: Array<[string, () => Promise<BlobStore>]> = [
  ['memory', async () => BlobStore.inMemory()],
  ['directory', async () => BlobStore.inDirectory(join(await tempDir(), 'blobs'))],
];

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

for (const [kind, create] of stores) {
  test(`${kind}: put returns the sha256 hex of the bytes, get returns them`, async () => {
    const store = await create();
    const key = await store.put(bytes('hello'));
    assert.is(key, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(await store.get(key), bytes('hello'));
    assert.ok(await store.has(key));
  });

  test(`${kind}: random blobs round trip, equal bytes share a key`, async () => {
    const random = new Random(testSeed(`blob-store-${kind}`));
    const store = await create();
    const blobs = Array.from({ length: 20 }, () => Uint8Array.from({ length: random.int(0, 5000) }, () => random.int(0, 255)));
    const keys = [];
    for (const blob of blobs) keys.push(await store.put(blob));
    for (let i = 0; i < blobs.length; i++) {
      assert.is(keys[i], blobKey(blobs[i]));
      assert.equal(await store.get(keys[i]), blobs[i]);
    }
    assert.is(await store.put(blobs[3].slice()), keys[3]);
  });

  test(`${kind}: the stored bytes do not change with the caller's buffer`, async () => {
    const store = await create();
    const buffer = bytes('abc');
    const key = await store.put(buffer);
    buffer[0] = 0;
    const got = (await store.get(key))!;
    got[1] = 0;
    assert.equal(await store.get(key), bytes('abc'));
  });

  test(`${kind}: get of an unknown or malformed key is undefined`, async () => {
    const store = await create();
    await store.put(bytes('x'));
    assert.is(await store.get(blobKey(bytes('y'))), undefined);
    assert.is(await store.get('../etc/passwd'), undefined);
    assert.is(await store.get(''), undefined);
    assert.is(await store.has(blobKey(bytes('y'))), false);
  });

  test(`${kind}: usage counts blobs and bytes; delete frees them, and deleting twice or a malformed key is harmless`, async () => {
    const store = await create();
    assert.equal(await store.usage(), { blobs: 0, bytes: 0 });
    const a = await store.put(new Uint8Array(1000).fill(1));
    const b = await store.put(new Uint8Array(234).fill(2));
    await store.put(new Uint8Array(1000).fill(1));
    assert.equal(await store.usage(), { blobs: 2, bytes: 1234 });
    await store.delete(a);
    assert.equal(await store.usage(), { blobs: 1, bytes: 234 });
    assert.is(await store.get(a), undefined);
    await store.delete(a);
    await store.delete('../b');
    assert.equal(await store.get(b), new Uint8Array(234).fill(2));
    await store.delete(b);
    assert.equal(await store.usage(), { blobs: 0, bytes: 0 });
  });
}

test('directory: blobs survive the store instance, and no temporary file is left', async () => {
  const dir = join(await tempDir(), 'nested', 'blobs');
  const key = await BlobStore.inDirectory(dir).put(bytes('persistent'));
  await BlobStore.inDirectory(dir).put(bytes('persistent'));
  assert.equal(await BlobStore.inDirectory(dir).get(key), bytes('persistent'));
  assert.equal(await readdir(dir), [key]);
});

test('directory: a blob whose bytes changed on disk is reported as corrupt', async () => {
  const dir = await tempDir();
  const store = BlobStore.inDirectory(dir);
  const key = await store.put(bytes('original'));
  await writeFile(join(dir, key), 'tampered');
  try {
    await store.get(key);
    assert.unreachable('get should have thrown');
  } catch (error) {
    assert.match((error as Error).message, `blob ${key}`);
    assert.match((error as Error).message, 'corrupt');
  }
});

test('directory: usage counts the files in the directory, left-over temporary ones included', async () => {
  const dir = await tempDir();
  const store = BlobStore.inDirectory(dir);
  await store.put(bytes('abc'));
  await writeFile(join(dir, '.leftover.tmp'), 'xy');
  assert.equal(await store.usage(), { blobs: 2, bytes: 5 });
});

test('directory: get on a directory that does not exist is undefined', async () => {
  const store = BlobStore.inDirectory(join(await tempDir(), 'missing'));
  assert.is(await store.get(blobKey(bytes('z'))), undefined);
});

test.after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

test.run();
