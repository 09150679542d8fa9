// A JobManager's REST API with a cluster secret, against real processes' roles (a JobManager and a
// TaskManager in this process): a submission without the token stores no file and runs none of
// the bundle (its import would write a marker file), commands without it change nothing, and with
// it every one works; refused submissions leave no blob (directory or memory store) and no linked
// file; bundles over the limit are answered 413; without a secret REST stays on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, getuid } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager, type RunningJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { blobKey } from '../../../actors/deploy/blob-store.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { restAuthorization } from '../../../actors/rest/rest-auth.ts';
import { RestClient } from '../../../actors/rest/rest-client.ts';
import { eventually } from './mini-cluster-service.ts';

const SECRET = 'job-manager-rest-test-secret';
env.ACTORFLOW_CLUSTER_SECRET = ''; // the secret is passed explicitly; none is read from the environment
const work = mkdtempSync(join(tmpdir(), 'jm-rest-test-'));
const marker = join(work, 'imported');
env.AF_IMPORT_MARKER = marker;
const fixture = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const markerBundle = await bundleJob(fixture('../deploy/fixtures/import-marker-job.ts'));
const cacheDir = join(tmpdir(), `actorflow-jobs-${getuid?.() ?? 'user'}`);
const linkedFiles = (key: string): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith(key)) : []);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

let jm: RunningJobManager;
let tm: RunningTaskManager;
let blobDir = '';

test.before(async () => {
  const dataDir = join(work, 'jm');
  blobDir = join(dataDir, 'blobs');
  jm = await startJobManager({ port: 0, restPort: 0, secret: SECRET, dataDir });
  tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2, secret: SECRET });
});

test.after(async () => {
  await tm?.close();
  await jm?.close();
  delete env.AF_IMPORT_MARKER;
  rmSync(work, { recursive: true, force: true });
});

async function post(path: string, body: Uint8Array | string, authorization?: string, type = 'application/octet-stream'): Promise<{ status: number; body: { errors?: string[]; jobid?: string } }> {
  const response = await fetch(jm.restUrl + path, { method: 'POST', body, headers: { 'content-type': type, ...(authorization ? { authorization } : {}) } });
  return { status: response.status, body: (await response.json()) as { errors?: string[] } };
}

test('a submission without the token, or with a wrong one, is refused: no file stored, none of the bundle run', async () => {
  for (const authorization of [undefined, restAuthorization('not the secret'), `Bearer ${SECRET}`]) {
    const r = await post('/jobs?name=intruder', markerBundle, authorization);
    assert.is(r.status, 401, JSON.stringify(r.body));
  }
  assert.not.ok(existsSync(marker), 'a refused submission imported the bundle');
  assert.equal(existsSync(blobDir) ? readdirSync(blobDir) : [], []);
  assert.equal(await jm.blobs.usage(), { blobs: 0, bytes: 0 });
  assert.equal(linkedFiles(blobKey(markerBundle)), []);
  assert.equal(await jm.service.listJobs(), []);
});

test('commands without the token change nothing; with it submit, savepoint, stop and cancel work', async () => {
  const client = new RestClient(jm.restUrl, { secret: SECRET });
  const jobId = await client.submitJob(markerBundle, { name: 'marked' });
  assert.ok(existsSync(marker), 'an accepted submission imports the bundle (the refusal above could fail)');
  assert.equal(await jm.blobs.usage(), { blobs: 1, bytes: markerBundle.length });
  await eventually(async () => {
    const detail = await client.jobDetail(jobId);
    return detail?.state === 'RUNNING' && detail.vertices.every((v) => v.subtasks.every((t) => t.status === 'RUNNING'));
  }, 'every subtask RUNNING');
  const target = join(work, 'stolen-savepoints');
  for (const [method, path, body] of [
    ['PATCH', `/jobs/${jobId}?mode=cancel`, undefined],
    ['POST', `/jobs/${jobId}/savepoints`, JSON.stringify({ 'target-directory': target })],
    ['POST', `/jobs/${jobId}/stop`, JSON.stringify({ targetDirectory: target, drain: true })],
  ] as const) {
    const response = await fetch(jm.restUrl + path, { method, body, headers: { 'content-type': 'application/json' } });
    assert.is(response.status, 401, `${method} ${path}`);
  }
  assert.not.ok(existsSync(target), 'a refused savepoint wrote a directory');
  assert.is((await client.jobDetail(jobId))?.state, 'RUNNING');
  const savepoint = await client.triggerSavepoint(jobId, join(work, 'savepoints'));
  assert.ok(savepoint.startsWith(join(work, 'savepoints')), savepoint);
  const stopped = await client.stopJob(jobId, { savepointDirectory: join(work, 'stop') });
  assert.ok(stopped?.startsWith(join(work, 'stop')), stopped);
  const second = await client.submitJob(markerBundle, { name: 'cancelled' });
  await client.cancelJob(second);
  assert.is((await client.jobResult(second)).state, 'CANCELED');
});

test('refused submissions leave no blob and no linked file, in the directory store and in memory', async () => {
  const memoryJm = await startJobManager({ port: 0, restPort: 0, secret: SECRET });
  try {
    const bad: Array<[string, Uint8Array, RegExp]> = [
      ['no default export', text(`export const notAJob = "${'x'.repeat(100_000)}";`), /has no default export/],
      ['a syntax error', text(`export default function (env) { "${'y'.repeat(100_000)}"`), /not a valid ES module/],
      ['not UTF-8', Uint8Array.of(0x65, 0xff, 0xfe, 0x00), /not UTF-8/],
      ['a build that throws', text(`export default function () { throw new Error("no pipeline here"); }\n// ${'z'.repeat(100_000)}`), /no pipeline here/],
      ['an invalid graph', await bundleJob(fixture('../cluster/fixtures/invalid-job.ts')), /too wide/],
    ];
    for (const [url, owner] of [[jm.restUrl, jm], [memoryJm.restUrl, memoryJm]] as const) {
      const before = await owner.blobs.usage();
      for (const [what, bundle, reason] of bad) {
        const linkedBefore = linkedFiles(blobKey(bundle));
        const response = await fetch(`${url}/jobs?name=bad`, { method: 'POST', body: bundle, headers: { authorization: restAuthorization(SECRET) } });
        const body = (await response.json()) as { errors: string[] };
        assert.is(response.status, 400, `${what}: ${JSON.stringify(body)}`);
        assert.match(body.errors[0], reason, what);
        assert.equal(linkedFiles(blobKey(bundle)), linkedBefore, `${what}: a linked file was left`);
      }
      assert.equal(await owner.blobs.usage(), before, 'a refused submission left its bundle in the blob store');
    }
    assert.equal(await memoryJm.blobs.usage(), { blobs: 0, bytes: 0 });
  } finally {
    await memoryJm.close();
  }
});

test('a bundle over the limit is answered 413 naming the limit, and nothing is stored', async () => {
  const small = await startJobManager({ port: 0, restPort: 0, secret: SECRET, maxBundleBytes: 64 * 1024 });
  try {
    const response = await fetch(`${small.restUrl}/jobs?name=big`, { method: 'POST', body: new Uint8Array(128 * 1024).fill(0x61), headers: { authorization: restAuthorization(SECRET) } });
    assert.is(response.status, 413);
    assert.is(response.headers.get('connection'), 'close');
    assert.match(((await response.json()) as { errors: string[] }).errors[0], 'larger than the 65536 bytes this JobManager accepts (its --max-bundle-mb option)');
    const inProcess = await small.service.submitJob(new Uint8Array(128 * 1024).fill(0x61), { name: 'big' }).then(() => undefined, (e: unknown) => e);
    assert.match((inProcess as Error).message, 'has 131072 bytes, more than the 65536 this JobManager accepts');
    assert.equal(await small.blobs.usage(), { blobs: 0, bytes: 0 });
  } finally {
    await small.close();
  }
});

test('without a secret REST listens on loopback, needs no token there, and a non-loopback REST host is refused', async () => {
  const open = await startJobManager({ port: 0, restPort: 0 });
  try {
    assert.match(open.restUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.is((await fetch(`${open.restUrl}/overview`)).status, 200);
  } finally {
    await open.close();
  }
  const error = await startJobManager({ port: 0, restPort: 0, restHost: '0.0.0.0' }).then(async (j) => { await j.close(); return undefined; }, (e: unknown) => e);
  assert.match((error as Error)?.message, 'JobManager cannot serve REST on 0.0.0.0:0: serving REST on 0.0.0.0 needs a cluster secret (ACTORFLOW_CLUSTER_SECRET); without one only loopback is allowed');
});

test.run();
