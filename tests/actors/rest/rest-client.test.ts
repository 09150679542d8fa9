// RestClient: every ClusterService method over HTTP against the REST server of a MiniCluster
// service running real jobs; the result long poll across 202 answers; errors carry the server's
// message; an unknown job is undefined (lookups) or UnknownJobError (commands); no server at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownJobError, type ClusterService } from '../../../actors/rest/cluster-service.ts';
import { RestClient, RestError } from '../../../actors/rest/rest-client.ts';
import { startRestServer } from '../../../actors/rest/rest-server.ts';
import { eventually, finiteOutput, MiniClusterService } from './mini-cluster-service.ts';

const service = new MiniClusterService();
// A short long poll: following an endless job crosses several 202 answers.
// Every long-poll round reaches the service's jobResult: the test counts them.
const polls = new Map<string, number>();
const watched = new Proxy(service, {
  get: (target, key) => key === 'jobResult'
    ? (jobId: string) => { polls.set(jobId, (polls.get(jobId) ?? 0) + 1); return target.jobResult(jobId); }
    : (target as any)[key]?.bind?.(target) ?? (target as any)[key],
}) as ClusterService;
const server = await startRestServer(watched, { port: 0, longPollMs: 30 });
const client = new RestClient(`${server.url}/`);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('overview and TaskManagers', async () => {
  const overview = await client.overview();
  assert.is(overview.taskmanagers, 2);
  assert.is(overview['slots-total'], 8);
  const tms = await client.taskManagers();
  assert.equal(tms.map((t) => [t.id, t.slotsNumber]), [['taskmanager-0', 4], ['taskmanager-1', 4]]);
});

test('submit, follow to FINISHED, list', async () => {
  finiteOutput.length = 0;
  const jid = await client.submitJob(bytes('finite'), { name: 'squares', parallelism: 3, allowNonRestoredState: false });
  assert.match(jid, /^[0-9a-f]{32}$/);
  const result = await client.jobResult(jid);
  assert.is(result.state, 'FINISHED');
  assert.is(result.result!.jobName, 'squares');
  assert.is(result.result!.jobId, jid);
  assert.is(finiteOutput.length, 200);
  const detail = await client.jobDetail(jid);
  assert.is(detail!.state, 'FINISHED');
  assert.ok(detail!.vertices.every((v) => v.parallelism === 3));
  const jobs = await client.listJobs();
  assert.ok(jobs.some((j) => j.jid === jid && j.name === 'squares' && j.state === 'FINISHED'));
});

test('an endless job: detail while running, the long poll crosses 202s, cancel ends it CANCELED', async () => {
  const jid = await client.submitJob(bytes('endless'), { name: 'endless', parallelism: 2 });
  await eventually(async () => (await client.jobDetail(jid))!.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING')), 'subtasks RUNNING');
  const stats = await client.checkpoints(jid);
  assert.equal(stats?.counts, { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
  assert.equal(stats?.history, []);
  let settled = false;
  const following = client.jobResult(jid).finally(() => { settled = true; });
  await eventually(() => (polls.get(jid) ?? 0) >= 3, 'three long-poll rounds');
  assert.not.ok(settled, 'the result waits while the job runs');
  await client.cancelJob(jid);
  const result = await following;
  assert.is(result.state, 'CANCELED');
  assert.match(result.error!, /cancelled/);
});

test('stop without a savepoint ends the job', async () => {
  const jid = await client.submitJob(bytes('endless'), { name: 'stopped' });
  await eventually(async () => (await client.jobDetail(jid))!.state === 'RUNNING', 'RUNNING');
  assert.is(await client.stopJob(jid, {}), undefined);
  assert.is((await client.jobResult(jid)).state, 'CANCELED');
});

test('a failing job: the root cause through jobResult', async () => {
  const jid = await client.submitJob(bytes('failing'), { name: 'failing' });
  const result = await client.jobResult(jid);
  assert.is(result.state, 'FAILED');
  assert.match(result.error!, /boom at 50/);
});

test('unknown jobs: lookups are undefined, commands reject with UnknownJobError naming the job', async () => {
  assert.is(await client.jobDetail('feedbeef'), undefined);
  assert.is(await client.checkpoints('feedbeef'), undefined);
  for (const call of [
    () => client.cancelJob('feedbeef'), () => client.jobResult('feedbeef'), () => client.triggerSavepoint('feedbeef'),
    () => client.stopJob('feedbeef', { drain: true }),
  ]) {
    const error = await call().then(() => undefined, (e: unknown) => e);
    assert.instance(error, UnknownJobError);
    assert.match((error as Error).message, /feedbeef/);
  }
});

test('errors carry the server message and status', async () => {
  const refused = await client.submitJob(bytes('no-such-test-job'), { name: 'x' }).then(() => undefined, (e: unknown) => e);
  assert.instance(refused, RestError);
  assert.is((refused as RestError).status, 400);
  assert.match((refused as Error).message, /unknown test job "no-such-test-job"/);
  const finished = await client.submitJob(bytes('finite'), { name: 'done' });
  await client.jobResult(finished);
  const failure = await client.triggerSavepoint(finished).then(() => undefined, (e: unknown) => e);
  assert.is((failure as RestError).status, 500);
  assert.match((failure as Error).message, /is FINISHED: savepoints need a running job/);
});

test('no server: a RestError naming the URL', async () => {
  const closed = await startRestServer(service, { port: 0 });
  await closed.close();
  const error = await new RestClient(closed.url).overview().then(() => undefined, (e: unknown) => e);
  assert.instance(error, RestError);
  assert.is((error as RestError).status, 0);
  assert.ok((error as Error).message.includes(`cannot reach the JobManager's REST API at ${closed.url}`), (error as Error).message);
});

test.after(async () => {
  await server.close();
  await service.close();
});

test.run();
