// Persistence of actor state in KV (actor-cell.ts): acknowledged updates survive restarts and
// new actor systems on the same KV file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem, defineActor, ManualClock } from '../../../actors/index.ts';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import { childrenOf, supervisor } from './supervision-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-persist-'));
const kvFile = (name: string) => join(dir, `${name}-${Math.random().toString(36).slice(2)}.db`);

type Msg = { type: 'add'; id: number } | { type: 'get' } | { type: 'crash' };

function ledger(snapshotEvery?: number) {
  return defineActor<{ ids: number[] }, Msg>({
    init: () => ({ ids: [] }),
    receive(state, msg, ctx) {
      if (msg.type === 'add') return { ids: [...state.ids, msg.id] };
      if (msg.type === 'get') { ctx.reply(state.ids); return; }
      throw new Error('crash');
    },
    persistence: { key: 'ledger', snapshotEvery },
  });
}

test('a re-created actor in a new system on the same KV file resumes from the persisted state', async () => {
  const path = kvFile('recreate');
  const first = ActorSystem.create('first', { kvPath: path });
  const a = first.spawn(ledger(), 'ledger');
  for (let id = 1; id <= 5; id++) await a.ask({ type: 'add', id });
  await first.terminate();

  const second = ActorSystem.create('second', { kvPath: path });
  const b = second.spawn(ledger(), 'ledger');
  assert.equal(await b.ask({ type: 'get' }), [1, 2, 3, 4, 5]);
  await b.ask({ type: 'add', id: 6 });
  await second.terminate();

  const kv = await openKvStore(path);
  try {
    assert.equal(await kv.get(['actorflow', 'actor', 'ledger']), { ids: [1, 2, 3, 4, 5, 6] });
  } finally { kv.close(); }
});

test('a restarted actor resumes from its last persisted state, not from init', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('restart', { kvPath: kvFile('restart'), clock: new ManualClock() });
  const sup = system.spawn(supervisor('sup', { kind: 'one-for-one', maxRestarts: 5, withinMs: 1000 }, [['ledger', ledger() as never]], log), 'sup');
  const { ledger: ref } = await childrenOf(sup) as unknown as Record<string, import('../../../actors/index.ts').ActorRef<Msg>>;
  await ref.ask({ type: 'add', id: 1 });
  await ref.ask({ type: 'add', id: 2 });
  ref.tell({ type: 'crash' });
  assert.equal(await ref.ask({ type: 'get' }), [1, 2]);
  await system.terminate();
});

test('with snapshotEvery, every acknowledged (asked) update survives a crash', async () => {
  const path = kvFile('every');
  const system = ActorSystem.create('every', { kvPath: path });
  const ref = system.spawn(ledger(100), 'ledger');
  for (let id = 1; id <= 10; id++) ref.tell({ type: 'add', id });
  await ref.ask({ type: 'add', id: 11 }); // acknowledged: 1..11 processed and persisted
  ref.tell({ type: 'add', id: 12 }); // not acknowledged
  ref.tell({ type: 'crash' }); // the guardian stops a failed top-level actor
  await system.whenIdle();
  assert.is(system.lifecycleOf(ref), 'failed');
  await system.terminate();

  const again = ActorSystem.create('again', { kvPath: path });
  const ids = (await again.spawn(ledger(), 'ledger').ask({ type: 'get' })) as number[];
  assert.equal(ids.slice(0, 11), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  await again.terminate();
});

test('spawn options give each instance its own key', async () => {
  const path = kvFile('keys');
  const system = ActorSystem.create('keys', { kvPath: path });
  const x = system.spawn(ledger(), 'x', { persistence: { key: 'x' } });
  const y = system.spawn(ledger(), 'y', { persistence: { key: 'y' } });
  await x.ask({ type: 'add', id: 1 });
  await y.ask({ type: 'add', id: 2 });
  await system.terminate();
  const kv = await openKvStore(path);
  try {
    assert.equal(await kv.get(['actorflow', 'actor', 'x']), { ids: [1] });
    assert.equal(await kv.get(['actorflow', 'actor', 'y']), { ids: [2] });
  } finally { kv.close(); }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
