// Savepoints of jobs that never enabled checkpointing (Flink takes them: the coordinator exists
// without periodic checkpoints), and savepoints that cannot complete: they expire after the
// checkpoint timeout (10 minutes by default, setCheckpointTimeout otherwise) on the job's clock
// and fail with the reason; a failed stop-with-savepoint leaves the job running where it stopped.
// The savepoint is held up by a checkpoint storage whose writes never finish while told to hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import type { JobClient } from '../../../api/environment/job-client.ts';
import { memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';

type Count = [number, number];
const keys = 4;

/** The memory backend, except that subtask state writes never finish while `control.hang` is set. */
function hangingBackend(control: { hang: boolean }): StateBackend {
  const inner = memoryStateBackend();
  return {
    ...inner,
    name: 'memory (writes may hang)',
    createCheckpointStorage: async (options) => {
      const storage = await inner.createCheckpointStorage(options);
      return new Proxy(storage, {
        get(target, key) {
          if (key === 'writeSubtaskState' && control.hang) return () => new Promise(() => {});
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}

/** A keyed running count without periodic checkpoints, into a plain sink. */
function build(records: number, control: { hang: boolean }, progress: { seen: number }, emitted: Count[], timeoutMs?: number) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).setRestartStrategy(RestartStrategies.noRestart()).setStateBackend(hangingBackend(control) as never);
  if (timeoutMs !== undefined) env.getCheckpointConfig().setCheckpointTimeout(timeoutMs);
  env.fromSource(new DataGeneratorSource((i) => i, records, { ratePerSecond: 100 }), undefined, 'numbers')
    .map((i: number): Count => { progress.seen++; return [i % keys, 1]; })
    .keyBy((t) => t[0])
    .reduce((a, b): Count => [a[0], a[1] + b[1]])
    .addSink((c) => { emitted.push(c); });
  return { env, clock };
}

/** Turns of the event loop, moving the clock `stepMs` each, until `done` holds. */
async function until(clock: ManualClock, stepMs: number, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(stepMs); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the expected progress');
}

/** Moves the clock by `totalMs` in steps of `stepMs`, a turn of the event loop after each. */
async function advance(clock: ManualClock, totalMs: number, stepMs: number): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) { clock.advance(Math.min(stepMs, totalMs - t)); await new Promise<void>((r) => setTimeout(r, 0)); }
}

/** Tracks how a promise settles. */
function track<T>(promise: Promise<T>): { settled: boolean; error?: Error; value?: T } {
  const state: { settled: boolean; error?: Error; value?: T } = { settled: false };
  promise.then((value) => { state.settled = true; state.value = value; }, (error) => { state.settled = true; state.error = error as Error; });
  return state;
}

function withDir(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-savepoint-timeout-'));
    try { await run(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('a job that never enabled checkpointing takes a savepoint and keeps running', withDir(async (dir) => {
  const progress = { seen: 0 };
  const { env, clock } = build(Infinity, { hang: false }, progress, []);
  const client = await env.executeAsync('no checkpointing');
  await until(clock, 10, () => progress.seen >= 200);
  const savepoint = track(client.triggerSavepoint(dir));
  await until(clock, 10, () => savepoint.settled);
  assert.is(savepoint.error, undefined);
  assert.ok(existsSync(savepoint.value!), 'the savepoint file exists');
  const before = progress.seen;
  await until(clock, 10, () => progress.seen >= before + 100);
  assert.is(await client.getJobStatus(), 'RUNNING');
  await client.cancel();
}));

test('a savepoint that cannot complete expires after the default checkpoint timeout (10 min) and fails with the reason', withDir(async (dir) => {
  const control = { hang: false };
  const progress = { seen: 0 };
  const { env, clock } = build(Infinity, control, progress, []);
  const client: JobClient = await env.executeAsync('hanging savepoint');
  await until(clock, 10, () => progress.seen >= 200);
  control.hang = true;
  const savepoint = track(client.triggerSavepoint(dir));
  await advance(clock, 599_000, 1000);
  assert.not.ok(savepoint.settled, 'still in progress before the timeout');
  await advance(clock, 1000, 1000);
  await until(clock, 10, () => savepoint.settled);
  assert.ok(savepoint.error, 'the savepoint failed');
  assert.match(savepoint.error!.message, /savepoint \d+ expired after 600000 ms/);
  assert.is(await client.getJobStatus(), 'RUNNING', 'a failed savepoint does not stop the job');
  await client.cancel();
}));

test('a stop-with-savepoint that cannot complete expires after setCheckpointTimeout; the job goes on and its plain sink sees every count once', withDir(async (dir) => {
  const records = 3000;
  const control = { hang: false };
  const progress = { seen: 0 };
  const emitted: Count[] = [];
  const { env, clock } = build(records, control, progress, emitted, 5000);
  const client = await env.executeAsync('hanging stop');
  await until(clock, 10, () => progress.seen >= 1000);
  control.hang = true;
  const stop = track(client.stopWithSavepoint(dir));
  await advance(clock, 100, 10);
  const seenWhileStopping = progress.seen;
  await advance(clock, 4890, 10);
  assert.not.ok(stop.settled, 'still in progress before the timeout');
  assert.is(progress.seen, seenWhileStopping, 'nothing is processed after the savepoint snapshot while it is pending');
  await advance(clock, 10, 10);
  await until(clock, 10, () => stop.settled);
  assert.match(stop.error?.message ?? '', /savepoint \d+ expired after 5000 ms/);
  assert.ok(seenWhileStopping < records, 'the job was stopped mid-way while the savepoint was pending');
  assert.is(await client.getJobStatus(), 'RUNNING', 'the job keeps running after the failed stop');
  control.hang = false;
  const result = track(client.getJobExecutionResult());
  await until(clock, 10, () => result.settled);
  assert.is(result.error, undefined);
  const expected = new Map<number, number>();
  const lines: string[] = [];
  for (let i = 0; i < records; i++) { const c = (expected.get(i % keys) ?? 0) + 1; expected.set(i % keys, c); lines.push(`${i % keys}:${c}`); }
  assert.equal(emitted.map(([k, c]) => `${k}:${c}`).sort(), lines.sort(), 'every count once, none lost while suspended');
}));

test.run();
