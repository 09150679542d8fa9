// A savepoint (or stop-with-savepoint) that cannot complete, seen through the REST API: it expires
// after the job's checkpoint timeout on the injected clock, the pending operation then answers
// FAILED with the cause, and the REST client's promise rejects with it. The job never enabled
// checkpointing; its savepoint is held up by a checkpoint storage whose writes never finish.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import type { JobClient } from '../../../api/environment/job-client.ts';
import type { ClusterService } from '../../../actors/rest/cluster-service.ts';
import { RestClient } from '../../../actors/rest/rest-client.ts';
import { createRestApp, startRestServer } from '../../../actors/rest/rest-server.ts';
import { memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';

const TIMEOUT_MS = 5000;

/** The memory backend whose subtask state writes never finish. */
function hangingBackend(): StateBackend {
  const inner = memoryStateBackend();
  return {
    ...inner,
    createCheckpointStorage: async (options) => {
      const storage = await inner.createCheckpointStorage(options);
      return new Proxy(storage, {
        get(target, key) {
          if (key === 'writeSubtaskState') return () => new Promise(() => {});
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}

/** An endless job without checkpointing, on `clock`, whose savepoints cannot complete. */
async function startJob(clock: ManualClock): Promise<JobClient> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setParallelism(2).setRestartStrategy(RestartStrategies.noRestart()).setStateBackend(hangingBackend() as never);
  env.getCheckpointConfig().setCheckpointTimeout(TIMEOUT_MS);
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 100 }), undefined, 'ticks')
    .keyBy((i: number) => i % 3).map((i: number) => i).addSink(() => {});
  return env.executeAsync('hanging savepoints');
}

/** The REST view of one job: the operations under test, and its detail for unknown-job checks. */
function serviceOf(jobId: string, client: JobClient): ClusterService {
  const known = (id: string): JobClient => { if (id !== jobId) throw Object.assign(new Error(`no job with id ${id}`), { name: 'UnknownJobError' }); return client; };
  return {
    jobDetail: async (id: string) => (id === jobId ? { jid: id } : undefined),
    triggerSavepoint: (id: string, directory?: string) => known(id).triggerSavepoint(directory),
    stopJob: (id: string, options: { savepointDirectory?: string; drain?: boolean }) => known(id).stopWithSavepoint(options.savepointDirectory, options.drain),
  } as unknown as ClusterService;
}

const turn = (): Promise<void> => new Promise<void>((r) => setTimeout(r, 0));

test('a savepoint that expires answers FAILED with the cause to the poll of its request id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rest-savepoint-'));
  const clock = new ManualClock();
  const client = await startJob(clock);
  const { app, shutdown } = createRestApp(serviceOf(client.jobId, client), { clock, longPollMs: 1000 });
  try {
    let first: Response | undefined;
    void Promise.resolve(app.request(`/jobs/${client.jobId}/savepoints`, { method: 'POST', body: JSON.stringify({ 'target-directory': dir }), headers: { 'content-type': 'application/json' } }))
      .then((r) => { first = r; });
    for (let i = 0; i < 1000 && first === undefined; i++) { clock.advance(10); await turn(); }
    assert.is(first?.status, 202, 'in progress within the long poll');
    const { 'request-id': id } = (await first!.json()) as { 'request-id': string };
    for (let t = 0; t < TIMEOUT_MS; t += 100) { clock.advance(100); await turn(); }
    const polled = await app.request(`/jobs/${client.jobId}/savepoints/${id}`);
    assert.is(polled.status, 500);
    const body = (await polled.json()) as { status: string; errors: string[] };
    assert.is(body.status, 'FAILED');
    assert.match(body.errors[0], new RegExp(`savepoint \\d+ expired after ${TIMEOUT_MS} ms`));
    assert.is(await client.getJobStatus(), 'RUNNING');
  } finally {
    await client.cancel();
    await shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stop-with-savepoint that expires rejects the REST client\'s promise with the cause; the job keeps running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rest-stop-'));
  const clock = new ManualClock();
  const client = await startJob(clock);
  const server = await startRestServer(serviceOf(client.jobId, client), { port: 0, clock, longPollMs: 1000 });
  try {
    const rest = new RestClient(server.url);
    let outcome: { error?: Error; path?: string } | undefined;
    rest.stopJob(client.jobId, { savepointDirectory: dir }).then((path) => { outcome = { path }; }, (error) => { outcome = { error: error as Error }; });
    for (let i = 0; i < 100_000 && outcome === undefined; i++) { clock.advance(10); await turn(); }
    assert.ok(outcome?.error, `the stop failed (${JSON.stringify(outcome)})`);
    assert.match(outcome!.error!.message, new RegExp(`savepoint \\d+ expired after ${TIMEOUT_MS} ms`));
    assert.ok(clock.now() >= TIMEOUT_MS, 'not before the timeout');
    assert.is(await client.getJobStatus(), 'RUNNING');
  } finally {
    await client.cancel();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
