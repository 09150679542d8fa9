// The KV store contract: every behaviour the state backends and actor persistence rely on.
// `runKvStoreContract(open)` registers the suite on a uvu test; the caller runs it.
// `runVersionedKvStoreContract(openTwo)` adds optimistic concurrency, over two stores on one
// database (two processes of a KV file, or two clients of a KV Connect server).

import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { KV_LIMITS, type KvStore, type VersionedKvStore } from '../../../state/kv/kv-store.ts';

/** Registers the contract tests for stores produced by `open` (a fresh, empty store each call). */
export function runKvStoreContract(test: Test, open: () => Promise<KvStore>): void {
  test('get of a missing key is undefined; set then get round-trips structured values', async () => {
    const kv = await open();
    try {
      assert.is(await kv.get(['missing']), undefined);
      const value = { n: 1, s: 'x', list: [1, 2, 3], nested: { ok: true }, bytes: new Uint8Array([9]) };
      await kv.set(['a', 1], value);
      const back = (await kv.get(['a', 1])) as typeof value;
      assert.equal({ ...back, bytes: Array.from(back.bytes) }, { ...value, bytes: [9] });
      await kv.set(['n'], 42);
      assert.is(await kv.get(['n']), 42);
    } finally { kv.close(); }
  });

  test('delete removes a key', async () => {
    const kv = await open();
    try {
      await kv.set(['d'], 'v');
      await kv.delete(['d']);
      assert.is(await kv.get(['d']), undefined);
    } finally { kv.close(); }
  });

  test('list returns the entries under a prefix, in key order, and nothing else', async () => {
    const kv = await open();
    try {
      await kv.atomic([
        { type: 'set', key: ['p', 'b'], value: 2 },
        { type: 'set', key: ['p', 'a'], value: 1 },
        { type: 'set', key: ['q', 'a'], value: 3 },
      ]);
      const entries = await kv.list(['p']);
      assert.equal(entries.map((e) => [e.key, e.value]), [[['p', 'a'], 1], [['p', 'b'], 2]]);
    } finally { kv.close(); }
  });

  test('an atomic batch larger than the KV limits is split and fully applied', async () => {
    const kv = await open();
    try {
      const count = KV_LIMITS.maxMutations * 2 + 17;
      const padding = 'x'.repeat(1000);
      await kv.atomic(Array.from({ length: count }, (_, i) => ({ type: 'set' as const, key: ['bulk', i], value: { i, padding } })));
      const entries = await kv.list(['bulk']);
      assert.is(entries.length, count);
      assert.equal(entries.map((e) => (e.value as { i: number }).i), Array.from({ length: count }, (_, i) => i));
      await kv.atomic(Array.from({ length: count }, (_, i) => ({ type: 'delete' as const, key: ['bulk', i] })));
      assert.is((await kv.list(['bulk'])).length, 0);
    } finally { kv.close(); }
  });

  test('values above the KV value limit are chunked, replaced and deleted cleanly', async () => {
    const kv = await open();
    try {
      const big = Array.from({ length: 50_000 }, (_, i) => i * 7); // ~ 250 KB encoded
      await kv.set(['big'], big);
      assert.equal(await kv.get(['big']), big);
      const bigger = new Uint8Array(KV_LIMITS.maxAtomicBytes * 2 + 5).map((_, i) => i % 251);
      await kv.set(['big'], bigger);
      assert.equal(Array.from((await kv.get(['big'])) as Uint8Array), Array.from(bigger));
      assert.equal((await kv.list([])).filter((e) => e.key[0] === 'big').length, 1);
      await kv.set(['big'], 'small now');
      assert.is(await kv.get(['big']), 'small now');
      // The adapter hides chunk keys from list(), so that no chunk is left behind is checked on the
      // raw database where a test can reach it (kv-store.test.ts, kv-store-kv-connect.test.ts).
      await kv.delete(['big']);
      assert.is(await kv.get(['big']), undefined);
    } finally { kv.close(); }
  });
}

/** Registers the compare-and-set tests for pairs of stores on one fresh, empty database from `openTwo`. */
export function runVersionedKvStoreContract(test: Test, openTwo: () => Promise<[VersionedKvStore, VersionedKvStore]>): void {
  test('compareAndSet writes only over the expected version; versioned reads see each write', async () => {
    const [kv, other] = await openTwo();
    try {
      assert.is(await kv.getVersioned(['lease']), undefined);
      const v1 = await kv.compareAndSet(['lease'], null, { epoch: 1 });
      assert.type(v1, 'string');
      assert.is(await kv.compareAndSet(['lease'], null, { epoch: 99 }), null, 'absent expected, but present');
      assert.equal(await kv.getVersioned(['lease']), { value: { epoch: 1 }, version: v1 });
      assert.equal(await other.getVersioned(['lease']), { value: { epoch: 1 }, version: v1 }, 'the other store reads the same version');
      const v2 = await kv.compareAndSet(['lease'], v1, { epoch: 2 });
      assert.ok(v2 !== null && v2 !== v1);
      assert.is(await kv.compareAndSet(['lease'], v1, { epoch: 3 }), null, 'stale version');
      assert.is(await other.compareAndSet(['lease'], v1, { epoch: 3 }), null, 'stale version, from the other store');
      await kv.set(['lease'], { epoch: 4 });
      assert.is(await kv.compareAndSet(['lease'], v2, { epoch: 5 }), null, 'a plain set moves the version too');
      assert.equal((await kv.getVersioned(['lease']))?.value, { epoch: 4 });
      await kv.delete(['lease']);
      assert.ok(await other.compareAndSet(['lease'], null, { epoch: 6 }), 'absent again after a delete');
      await kv.compareAndSet(['big'], null, new Uint8Array(KV_LIMITS.maxValueBytes + 1)).then(
        () => assert.unreachable('oversized compareAndSet'), (e: Error) => assert.match(e.message, /exceeds the KV value limit/));
    } finally { kv.close(); other.close(); }
  });

  test('two stores racing compareAndSet: exactly one wins each round', async () => {
    const [a, b] = await openTwo();
    try {
      let version: string | null = null;
      for (let round = 0; round < 20; round++) {
        const [ra, rb] = await Promise.all([a.compareAndSet(['k'], version, { round, by: 'a' }), b.compareAndSet(['k'], version, { round, by: 'b' })]);
        assert.is((ra === null ? 0 : 1) + (rb === null ? 0 : 1), 1, `round ${round}`);
        const winner = ra !== null ? 'a' : 'b';
        const read = await (round % 2 ? a : b).getVersioned(['k']);
        assert.equal(read?.value, { round, by: winner });
        version = read!.version;
        assert.is(version, ra ?? rb);
      }
    } finally { a.close(); b.close(); }
  });

  test('a chunked value one store writes is whole in the other; compareAndSet replaces it', async () => {
    const [a, b] = await openTwo();
    try {
      const big = new Uint8Array(KV_LIMITS.chunkBytes * 3 + 5).map((_, i) => i % 253);
      await a.set(['v'], big);
      const read = await b.getVersioned(['v']);
      assert.equal(Array.from(read!.value as Uint8Array), Array.from(big));
      assert.ok(await b.compareAndSet(['v'], read!.version, 'small'));
      assert.is(await a.get(['v']), 'small');
    } finally { a.close(); b.close(); }
  });
}
