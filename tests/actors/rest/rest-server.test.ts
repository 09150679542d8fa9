// REST server: Flink-like routes over a ClusterService running real jobs on an embedded
// MiniCluster; status codes for unknown jobs, bad input and service failures; the long-polled
// job result; shutdown with a long poll pending.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/index.ts';
import type { ClusterService } from '../../../actors/rest/cluster-service.ts';
import { createRestApp, startRestServer } from '../../../actors/rest/rest-server.ts';
import { eventually, finiteOutput, MiniClusterService } from './mini-cluster-service.ts';

const service = new MiniClusterService();
const server = await startRestServer(service, { port: 0 });

async function call(method: string, path: string, body?: BodyInitLike, contentType?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const response = await fetch(server.url + path, { method, body, headers });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
type BodyInitLike = string | Uint8Array;

const submit = async (job: string, query = ''): Promise<string> => {
  const r = await call('POST', `/jobs?${query}`, new TextEncoder().encode(job), 'application/octet-stream');
  assert.is(r.status, 202, JSON.stringify(r.json));
  assert.type(r.json.jobid, 'string');
  return r.json.jobid;
};

test('binds loopback by default and serves the cluster overview', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const r = await call('GET', '/overview');
  assert.is(r.status, 200);
  assert.is(r.json.taskmanagers, 2);
  assert.is(r.json['slots-total'], 8);
  const tms = await call('GET', '/taskmanagers');
  assert.equal(tms.json.taskmanagers.map((t: { id: string }) => t.id), ['taskmanager-0', 'taskmanager-1']);
});

test('a submitted job runs to FINISHED: result, job list, overview', async () => {
  finiteOutput.length = 0;
  const jid = await submit('finite', 'name=squares&parallelism=2');
  const result = await call('GET', `/jobs/${jid}/result`);
  assert.is(result.status, 200);
  assert.is(result.json.state, 'FINISHED');
  assert.is(result.json.result.jobName, 'squares');
  assert.equal([...finiteOutput].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => (i + 1) * (i + 1)));
  const list = await call('GET', '/jobs/overview');
  const entry = list.json.jobs.find((j: { jid: string }) => j.jid === jid);
  assert.is(entry.name, 'squares');
  assert.is(entry.state, 'FINISHED');
  assert.ok(entry['end-time'] >= entry['start-time']);
  assert.ok((await call('GET', '/overview')).json['jobs-finished'] >= 1);
  const jobs = await call('GET', '/jobs');
  assert.ok(jobs.json.jobs.some((j: { id: string; status: string }) => j.id === jid && j.status === 'FINISHED'));
});

test('job detail lists vertices and running subtasks with their TaskManagers; cancel ends the job', async () => {
  const jid = await submit('endless', 'name=endless&parallelism=2');
  let detail: any;
  await eventually(async () => {
    detail = (await call('GET', `/jobs/${jid}`)).json;
    return detail.vertices.length === 3 && detail.vertices.every((v: any) => v.subtasks.length === 2 && v.subtasks.every((s: any) => s.status === 'RUNNING'));
  }, 'every subtask RUNNING');
  assert.is(detail.state, 'RUNNING');
  assert.is(detail.name, 'endless');
  assert.equal(detail.vertices.map((v: any) => v.parallelism), [2, 2, 2]);
  assert.equal(detail.vertices.map((v: any) => v.id), ['1', '2', '3']);
  assert.ok(detail.vertices[1].name.includes('plus-one'), detail.vertices[1].name);
  for (const v of detail.vertices) for (const s of v.subtasks) { assert.match(s.taskmanager, /^taskmanager-\d$/); assert.is(s.attempt, 0); }
  const checkpoints = await call('GET', `/jobs/${jid}/checkpoints`);
  assert.equal(checkpoints.json.counts, { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
  const cancel = await call('PATCH', `/jobs/${jid}?mode=cancel`);
  assert.is(cancel.status, 202);
  const result = await call('GET', `/jobs/${jid}/result`);
  assert.is(result.json.state, 'CANCELED');
  assert.ok((await call('GET', '/overview')).json['jobs-cancelled'] >= 1);
});

test('a job failing in user code reports FAILED with the root cause', async () => {
  const jid = await submit('failing', 'name=failing');
  const result = await call('GET', `/jobs/${jid}/result`);
  assert.is(result.status, 200);
  assert.is(result.json.state, 'FAILED');
  assert.match(result.json.error, /explode/);
  assert.match(result.json.error, /boom at 50/);
});

test('unknown jobs and routes are 404 with a message naming them', async () => {
  for (const [method, path] of [
    ['GET', '/jobs/nosuchjob'], ['GET', '/jobs/nosuchjob/checkpoints'], ['GET', '/jobs/nosuchjob/result'],
    ['PATCH', '/jobs/nosuchjob?mode=cancel'], ['POST', '/jobs/nosuchjob/savepoints'], ['POST', '/jobs/nosuchjob/stop'],
  ]) {
    const r = await call(method, path);
    assert.is(r.status, 404, `${method} ${path}`);
    assert.match(r.json.errors[0], /nosuchjob/, `${method} ${path}`);
  }
  const route = await call('GET', '/no/such/route');
  assert.is(route.status, 404);
  assert.match(route.json.errors[0], /GET \/no\/such\/route/);
});

test('bad input is 400 with the reason; a service failure is 500 with its message; the server keeps serving', async () => {
  const bundle = new TextEncoder().encode('finite');
  const cases: Array<[string, string, BodyInitLike | undefined, string | undefined, RegExp]> = [
    ['POST', '/jobs?name=x', undefined, undefined, /empty body/],
    ['POST', '/jobs?name=x&parallelism=zero', bundle, 'application/octet-stream', /parallelism must be a positive integer/],
    ['POST', '/jobs?name=x&parallelism=-1', bundle, 'application/octet-stream', /parallelism/],
    ['POST', '/jobs?name=x&allowNonRestoredState=maybe', bundle, 'application/octet-stream', /allowNonRestoredState must be true or false/],
    ['POST', '/jobs?name=x', new TextEncoder().encode('no-such-test-job'), 'application/octet-stream', /unknown test job/],
  ];
  const finished = await submit('finite', 'name=done');
  await call('GET', `/jobs/${finished}/result`);
  cases.push(
    ['PATCH', `/jobs/${finished}?mode=stop`, undefined, undefined, /unsupported mode "stop"/],
    ['POST', `/jobs/${finished}/savepoints`, '{"target-directory": ', 'application/json', /not valid JSON/],
    ['POST', `/jobs/${finished}/savepoints`, '[1,2]', 'application/json', /must be a JSON object/],
    ['POST', `/jobs/${finished}/savepoints`, '{"target-directory": 7}', 'application/json', /target-directory must be a non-empty string/],
    ['POST', `/jobs/${finished}/stop`, '{"drain": "yes"}', 'application/json', /drain must be true or false/],
    ['GET', `/jobs/${finished}/result?timeout=soon`, undefined, undefined, /timeout must be a positive integer/],
  );
  for (const [method, path, body, type, message] of cases) {
    const r = await call(method, path, body, type);
    assert.is(r.status, 400, `${method} ${path}: ${JSON.stringify(r.json)}`);
    assert.match(r.json.errors[0], message);
  }
  const failure = await call('POST', `/jobs/${finished}/savepoints`, '{}', 'application/json');
  assert.is(failure.status, 500);
  assert.match(failure.json.errors[0], /is FINISHED: savepoints need a running job/);
  assert.is((await call('GET', '/overview')).status, 200);
});

test('the result long poll answers 202 IN_PROGRESS after its timeout (injected clock)', async () => {
  const clock = new ManualClock();
  const { app, shutdown } = createRestApp(service, { clock, longPollMs: 1000 });
  const jid = await submit('endless', 'name=poll');
  let response: Response | undefined;
  void Promise.resolve(app.request(`/jobs/${jid}/result?timeout=500`)).then((r) => { response = r; });
  await eventually(() => { clock.advance(100); return response !== undefined; }, 'the long poll to answer');
  assert.is(response!.status, 202);
  assert.equal(await response!.json(), { status: 'IN_PROGRESS' });
  assert.ok(clock.now() >= 500);
  await call('PATCH', `/jobs/${jid}?mode=cancel`);
  const done = await app.request(`/jobs/${jid}/result?timeout=500`);
  assert.is(done.status, 200);
  assert.is(((await done.json()) as { state: string }).state, 'CANCELED');
  await shutdown();
  assert.is((await app.request('/overview')).status, 503, 'a shut down app refuses requests');
});

test('a savepoint that outlasts the long poll answers 202 with a request id; polling it answers the location', async () => {
  const clock = new ManualClock();
  let finish: (location: string) => void = () => {};
  const slow = new Proxy(service, {
    get: (target, key) => key === 'triggerSavepoint'
      ? () => new Promise<string>((resolve) => { finish = resolve; })
      : (target as any)[key]?.bind?.(target) ?? (target as any)[key],
  }) as ClusterService;
  const { app, shutdown } = createRestApp(slow, { clock, longPollMs: 1000 });
  const jid = await submit('endless', 'name=slow-savepoint');
  let first: Response | undefined;
  void Promise.resolve(app.request(`/jobs/${jid}/savepoints`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).then((r) => { first = r; });
  await eventually(() => { clock.advance(100); return first !== undefined; }, 'the savepoint request to answer');
  assert.is(first!.status, 202);
  const pending = (await first!.json()) as { status: string; 'request-id': string };
  assert.is(pending.status, 'IN_PROGRESS');
  let polled: Response | undefined;
  void Promise.resolve(app.request(`/jobs/${jid}/savepoints/${pending['request-id']}`)).then((r) => { polled = r; });
  finish('/tmp/savepoints/savepoint-1');
  await eventually(() => polled !== undefined, 'the poll to answer');
  assert.is(polled!.status, 200);
  assert.equal(await polled!.json(), { location: '/tmp/savepoints/savepoint-1' });
  const again = await app.request(`/jobs/${jid}/savepoints/${pending['request-id']}`);
  assert.is(again.status, 404, 'an answered request id is forgotten');
  await service.cancelJob(jid);
  await shutdown();
});

test('close answers a pending long poll with 503 and stops listening', async () => {
  const polled: string[] = [];
  const watched = new Proxy(service, {
    get: (target, key) => key === 'jobResult'
      ? (jobId: string) => { polled.push(jobId); return target.jobResult(jobId); }
      : (target as any)[key]?.bind?.(target) ?? (target as any)[key],
  }) as ClusterService;
  const own = await startRestServer(watched, { port: 0 });
  const jid = await submit('endless', 'name=closing');
  const pending = fetch(`${own.url}/jobs/${jid}/result`);
  await eventually(() => polled.includes(jid), 'the long poll to reach the service');
  await own.close();
  const r = await pending;
  assert.is(r.status, 503);
  assert.match(((await r.json()) as { errors: string[] }).errors[0], /shutting down/);
  const refused = await fetch(`${own.url}/overview`).then(() => 'answered', () => 'refused');
  assert.is(refused, 'refused');
  await service.cancelJob(jid);
});

test.after(async () => {
  await server.close();
  await service.close();
});

test.run();
