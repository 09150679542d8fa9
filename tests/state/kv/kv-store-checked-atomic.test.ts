// The KV adapter's checked atomic (several versionstamp checks in one KV atomic), on a KV file and
// in memory: it applies everything only when every checked key is unchanged, leaves nothing
// behind when a check fails (chunks of a large value included), and replaces chunked values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_PREFIX, openKvStore, type VersionedKvStore } from '../../../state/kv/kv-store.ts';
import { rawCount } from '../../support/raw-kv.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-checked-'));
let files = 0;

for (const kind of ['file', 'memory'] as const) {
  const open = async (): Promise<{ kv: VersionedKvStore; path?: string }> => {
    const path = kind === 'file' ? join(dir, `checked-${files++}.db`) : undefined;
    return { kv: await openKvStore(path), path };
  };

  test(`${kind}: applies its writes only while every checked key is at its version`, async () => {
    const { kv } = await open();
    try {
      await kv.set(['lease'], { epoch: 1 });
      await kv.set(['job'], { status: 'RUNNING' });
      const lease = (await kv.getVersioned(['lease']))!;
      const job = (await kv.getVersioned(['job']))!;
      const checks = [{ key: ['lease'], version: lease.version }, { key: ['job'], version: job.version }, { key: ['absent'], version: null }];
      assert.ok(await kv.checkedAtomic(checks, [{ type: 'set', key: ['job'], value: { status: 'FINISHED' } }, { type: 'set', key: ['other'], value: 1 }]));
      assert.equal(await kv.get(['job']), { status: 'FINISHED' });
      assert.is(await kv.get(['other']), 1);

      // The lease moved on: the second key's check still holds, the write is refused as a whole.
      await kv.set(['lease'], { epoch: 2 });
      const now = (await kv.getVersioned(['job']))!;
      const refused = await kv.checkedAtomic(
        [{ key: ['lease'], version: lease.version }, { key: ['job'], version: now.version }],
        [{ type: 'set', key: ['job'], value: { status: 'CANCELED' } }, { type: 'delete', key: ['other'] }],
      );
      assert.is(refused, false);
      assert.equal(await kv.get(['job']), { status: 'FINISHED' });
      assert.is(await kv.get(['other']), 1);
      assert.is(await kv.checkedAtomic([{ key: ['other'], version: null }], [{ type: 'set', key: ['x'], value: 1 }]), false, 'a key expected absent exists');
    } finally { kv.close(); }
  });

  test(`${kind}: a large value is chunked; a refused one leaves no chunk, a replaced one its old chunks gone`, async () => {
    const { kv, path } = await open();
    try {
      await kv.set(['lease'], 1);
      const lease = (await kv.getVersioned(['lease']))!;
      const big = new Uint8Array(150_000).map((_, i) => i % 251);
      assert.ok(await kv.checkedAtomic([{ key: ['lease'], version: lease.version }], [{ type: 'set', key: ['bundle'], value: big }]));
      assert.equal(await kv.get(['bundle']), big);
      if (path) assert.ok(await rawCount(path, [CHUNK_PREFIX]) >= 3, 'the value was chunked');

      await kv.set(['lease'], 2);
      const other = new Uint8Array(120_000).fill(3);
      assert.is(await kv.checkedAtomic([{ key: ['lease'], version: lease.version }], [{ type: 'set', key: ['bundle'], value: other }]), false);
      assert.equal(await kv.get(['bundle']), big, 'the refused value is not visible');
      const current = (await kv.getVersioned(['lease']))!;
      assert.ok(await kv.checkedAtomic([{ key: ['lease'], version: current.version }], [{ type: 'set', key: ['bundle'], value: 'small' }]));
      assert.is(await kv.get(['bundle']), 'small');
      if (path) assert.is(await rawCount(path, [CHUNK_PREFIX]), 0, 'neither the refused nor the replaced chunks remain');
    } finally { kv.close(); }
  });
}

test('cleanup', () => {
  rmSync(dir, { recursive: true, force: true });
});

test.run();
