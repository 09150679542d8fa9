// REST authentication: the token derived from the cluster secret; with a secret every route, read
// or write, refuses a request without the token or with a wrong one (401, the connection closed,
// the service never called, the refusal logged rate-limited with the remote address and route),
// and with the token every route works, through the RestClient too; without a secret the server
// binds loopback only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../api/index.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import type { ClusterService } from '../../../actors/rest/cluster-service.ts';
import { RestAuthenticator, restAuthorization, restToken } from '../../../actors/rest/rest-auth.ts';
import { RestClient, RestError } from '../../../actors/rest/rest-client.ts';
import { createRestApp, startRestServer } from '../../../actors/rest/rest-server.ts';
import { MiniClusterService } from './mini-cluster-service.ts';

const SECRET = 'correct horse battery staple';
const service = new MiniClusterService();
/** Every ClusterService method a request reached. */
const reached: string[] = [];
const spied = new Proxy(service, {
  get: (target, key) => {
    const value = (target as any)[key];
    return typeof value === 'function' ? (...args: unknown[]) => { reached.push(String(key)); return value.apply(target, args); } : value;
  },
}) as ClusterService;
const server = await startRestServer(spied, { port: 0, secret: SECRET });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const dirs: string[] = [];

/** Every route, with a body where it takes one. */
const ROUTES: Array<[string, string, (string | Uint8Array)?, string?]> = [
  ['POST', '/jobs?name=intruder', bytes('finite'), 'application/octet-stream'],
  ['PATCH', '/jobs/somejob?mode=cancel'],
  ['POST', '/jobs/somejob/savepoints', '{"target-directory": "/tmp/anywhere"}', 'application/json'],
  ['POST', '/jobs/somejob/stop', '{"targetDirectory": "/tmp/anywhere", "drain": true}', 'application/json'],
  ['GET', '/overview'], ['GET', '/jobs'], ['GET', '/jobs/overview'], ['GET', '/taskmanagers'],
  ['GET', '/jobs/somejob'], ['GET', '/jobs/somejob/checkpoints'], ['GET', '/jobs/somejob/result'],
  ['GET', '/jobs/somejob/savepoints/1'], ['DELETE', '/jobs/somejob'], ['GET', '/no/such/route'],
];

test('the token is derived from the secret: stable, different per secret, and not the secret', () => {
  assert.is(restToken(SECRET), restToken(SECRET));
  assert.is.not(restToken(SECRET), restToken(`${SECRET}!`));
  assert.match(restToken(SECRET), /^[A-Za-z0-9_-]{43}$/);
  assert.not.ok(restToken(SECRET).includes('horse'));
  assert.is(restAuthorization(SECRET), `Bearer ${restToken(SECRET)}`);
  const auth = new RestAuthenticator(SECRET);
  assert.is(auth.refusal(restAuthorization(SECRET)), undefined);
  assert.is(auth.refusal(`bearer   ${restToken(SECRET)}`), undefined);
  assert.is(auth.refusal(undefined), 'no Authorization header');
  assert.match(auth.refusal(`Basic ${restToken(SECRET)}`)!, 'not "Bearer <token>"');
  assert.is(auth.refusal('Bearer correct-horse-battery-staple'), 'wrong token');
  assert.is(auth.refusal(`Bearer ${restToken(SECRET).slice(0, -1)}`), 'wrong token');
  assert.is(auth.refusal(restAuthorization('another secret')), 'wrong token');
});

test('every route, read or write, refuses no token, a malformed header and a wrong token: 401, connection closed, nothing reached', async () => {
  for (const authorization of [undefined, `Basic ${restToken(SECRET)}`, `Bearer ${SECRET}`, restAuthorization('not the secret')]) {
    for (const [method, path, body, type] of ROUTES) {
      const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(authorization ? { authorization } : {}) };
      const response = await fetch(server.url + path, { method, body, headers });
      const what = `${method} ${path} with ${authorization ?? 'no header'}`;
      assert.is(response.status, 401, what);
      assert.is(response.headers.get('connection'), 'close', what);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/, what);
      assert.match(((await response.json()) as { errors: string[] }).errors[0], /^unauthorized: /, what);
    }
  }
  assert.equal(reached, [], 'a refused request reached the service');
  assert.is((await service.listJobs()).length, 0, 'a refused submission ran a job');
});

test('with the token every route works, through the RestClient', async () => {
  const client = new RestClient(server.url, { secret: SECRET });
  assert.is((await client.overview()).taskmanagers, 2);
  assert.is((await client.taskManagers()).length, 2);
  const finite = await client.submitJob(bytes('finite'), { name: 'squares', parallelism: 2 });
  assert.is((await client.jobResult(finite)).state, 'FINISHED');
  assert.ok((await client.listJobs()).some((j) => j.jid === finite));
  assert.is((await client.jobDetail(finite))?.name, 'squares');
  assert.equal((await client.checkpoints(finite))?.counts, { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'rest-auth-test-'));
  dirs.push(dir);
  const endless = await client.submitJob(bytes('endless'), { name: 'endless' });
  assert.match(await client.triggerSavepoint(endless, join(dir, 'sp')), /sp/);
  assert.match((await client.stopJob(endless, { savepointDirectory: join(dir, 'stop') }))!, /stop/);
  const cancelled = await client.submitJob(bytes('endless'), { name: 'cancelled' });
  await client.cancelJob(cancelled);
  assert.is((await client.jobResult(cancelled)).state, 'CANCELED');
  assert.ok(reached.includes('submitJob') && reached.includes('cancelJob') && reached.includes('stopJob'));
});

test('a client without the secret, or with another, is told so (401)', async () => {
  for (const [client, hint] of [
    [new RestClient(server.url, { secret: 'not the secret' }), /is not the cluster's/],
    [new RestClient(server.url), /has no cluster secret: set ACTORFLOW_CLUSTER_SECRET/],
  ] as const) {
    const error = await client.submitJob(bytes('finite'), { name: 'refused' }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, RestError);
    assert.is((error as RestError).status, 401);
    assert.match((error as Error).message, /unauthorized: /);
    assert.match((error as Error).message, hint);
  }
});

test('refusals are logged at warn with the remote address and route, at most once per interval per address', async () => {
  const lines: Array<Record<string, unknown>> = [];
  configureLogging({ level: 'warn', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  const clock = new ManualClock();
  const own = await startRestServer(service, { port: 0, secret: SECRET, clock, refusalLogIntervalMs: 1000 });
  try {
    for (let i = 0; i < 5; i++) await fetch(`${own.url}/jobs?name=x${i}`, { method: 'POST', body: 'x' });
    const refusals = (): Array<Record<string, unknown>> => lines.filter((l) => l.component === 'rest-server');
    assert.is(refusals().length, 1, JSON.stringify(lines));
    assert.is(refusals()[0].level, 40);
    assert.is(refusals()[0].remoteAddress, '127.0.0.1');
    assert.is(refusals()[0].route, 'POST /jobs');
    assert.match(String(refusals()[0].msg), 'refused a REST request (401): no Authorization header');
    clock.advance(1000);
    await fetch(`${own.url}/jobs/abc?mode=cancel`, { method: 'PATCH', headers: { authorization: 'Bearer wrong' } });
    assert.is(refusals().length, 2);
    assert.is(refusals()[1].route, 'PATCH /jobs/abc');
    assert.is(refusals()[1].suppressed, 4);
  } finally {
    await own.close();
    configureLogging({});
  }
});

test('without a secret: loopback only, any other host refused with a clear error; an empty secret is refused', async () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
    const error = await startRestServer(service, { port: 0, host }).then((s) => s.close().then(() => undefined), (e: unknown) => e);
    assert.match((error as Error)?.message, `serving REST on ${host} needs a cluster secret (ACTORFLOW_CLUSTER_SECRET); without one only loopback is allowed`);
  }
  const open = await startRestServer(service, { port: 0, host: 'localhost' });
  assert.is((await fetch(`${open.url}/overview`)).status, 200, 'no secret: no token needed');
  await open.close();
  assert.throws(() => createRestApp(service, { secret: '' }), /must not be empty/);
});

test.after(async () => {
  await server.close();
  await service.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test.run();
