import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { operatorUid } from '../../../actors/checkpoint/job-checkpointing.ts';

async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the job made progress');
}

function job(backend: 'memory' | 'kv', storagePath?: string) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setParallelism(2).enableCheckpointing(1_000_000).setStateBackend(backend);
  if (storagePath) env.setCheckpointStorage(storagePath);
  const progress = { seen: 0 };
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 2000 }), undefined, 'gen').uid('gen')
    .map((i: number) => { progress.seen++; return [i % 4, 1] as [number, number]; }).uid('pair')
    .keyBy((t) => t[0]).reduce((a, b) => [a[0], a[1] + b[1]] as [number, number]).uid('count')
    .addSink(() => {});
  return { env, clock, progress };
}

test('operator uids: the user uid, else name and node id', () => {
  assert.is(operatorUid({ uid: 'mine', name: 'Map', id: 3 } as never), 'mine');
  assert.is(operatorUid({ name: 'Map', id: 3 } as never), 'Map-3');
});

for (const backend of ['memory', 'kv'] as const) {
  test(`an explicit checkpoint holds every operator, keyed state by key group, reader splits and enumerator state (${backend})`, async () => {
    const dir = backend === 'kv' ? mkdtempSync(join(tmpdir(), 'af-ck-')) : undefined;
    try {
      const { env, clock, progress } = job(backend, dir);
      const client = await env.executeAsync('explicit');
      await until(clock, () => progress.seen >= 500);
      const ck = embeddedExecutor.lastJobMaster!.checkpointing;
      const completed = await ck.triggerCheckpoint();
      assert.is(ck.latestCompletedId, completed.checkpointId);
      const snapshot = await ck.checkpointStorage!.readCheckpoint(completed.checkpointId);
      assert.ok(snapshot.operators.gen && snapshot.operators.pair && snapshot.operators.count, 'every uid is in the checkpoint');
      const counts = snapshot.operators.count;
      assert.is(counts.parallelism, 2);
      assert.ok(Object.keys(counts.keyGroups).length > 0, 'keyed state by key group');
      const splits = Object.values(snapshot.operators.gen.subtasks).flatMap((s) => s.operatorState?.splits ?? []);
      assert.is(splits.length, 2, 'each reader wrote its split position');
      assert.ok(snapshot.properties.enumerators !== undefined, 'enumerator state in the metadata');
      await client.cancel();
      if (dir) assert.ok(readdirSync(dir).length > 0, 'the kv storage lives in the configured directory');
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
