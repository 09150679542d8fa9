// GET /actors on a cluster of processes: a JobManager and two TaskManagers started through the CLI
// on the runtime running this file, with a cluster secret and a running job. The answer holds the
// JobManager's supervision tree (its JobManager, ResourceManager, Dispatcher and the job's
// JobMaster, running) and each TaskManager's tree, asked over the cluster connection (its task
// executor actor, running), with totals and dead letters; no TaskManager is named unanswered. The
// route needs the token like every other; bad query parameters are answered 400.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ActorSnapshot, ActorSystemSnapshot } from '../../../actors/index.ts';
import type { ActorSystemsReport } from '../../../actors/rest/cluster-service.ts';
import { restAuthorization } from '../../../actors/rest/rest-auth.ts';
import { COUNTING_JOB, currentRuntime, tempDir, TestCluster, waitUntil } from '../../e2e/cluster/support.ts';

const SECRET = 'actor routes test secret';

function flatten(tree: readonly ActorSnapshot[]): ActorSnapshot[] {
  return tree.flatMap((node) => [node, ...flatten(node.children)]);
}

function checkTotals(snapshot: ActorSystemSnapshot): void {
  const all = flatten(snapshot.tree);
  assert.is(snapshot.truncated, false);
  assert.is(snapshot.actors, all.length);
  assert.is(snapshot.mailboxSize, all.reduce((n, a) => n + a.mailboxSize, 0));
  assert.is(snapshot.restarts, all.reduce((n, a) => n + a.restarts, 0));
  assert.ok(Number.isInteger(snapshot.deadLetters) && snapshot.deadLetters >= 0);
}

test(`GET /actors on a ${currentRuntime} cluster gives the JobManager's and every TaskManager's actor tree`, async () => {
  const out = tempDir('actors-out');
  const cluster = new TestCluster({ ACTORFLOW_CLUSTER_SECRET: SECRET, COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: '1000000', COUNTING_JOB_KEYS: '5', COUNTING_JOB_RATE: '200' });
  const get = async (path: string, token = true): Promise<Response> =>
    fetch(cluster.restUrl.replace(/\/$/, '') + path, token ? { headers: { authorization: restAuthorization(SECRET) } } : {});
  try {
    await cluster.startJobManager(currentRuntime);
    await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const jobId = await cluster.submitCountingJob(['--jobmanager', cluster.jobmanager]);
    await waitUntil(async () => {
      const detail = await (await get(`/jobs/${jobId}`)).json() as { state: string };
      return detail.state === 'RUNNING';
    }, 'the job runs');

    const refused = await get('/actors', false);
    assert.is(refused.status, 401);
    await refused.body?.cancel();

    const response = await get('/actors?timeout=10000');
    assert.is(response.status, 200);
    const report = await response.json() as ActorSystemsReport;
    assert.equal(report.unanswered, []);

    const jm = report.jobManager!;
    checkTotals(jm);
    const jmActors = flatten(jm.tree);
    const jmNames = jmActors.map((a) => a.path.replace(/^actorflow:\/\/[^/]+\/user\//, ''));
    for (const name of ['jobmanager', 'jobmanager/resourcemanager', 'jobmanager/dispatcher', `jobmanager/dispatcher/jobmaster-${jobId}`]) {
      assert.ok(jmNames.includes(name), `${name} in ${jmNames.join(', ')}`);
    }
    assert.ok(jmActors.every((a) => a.state === 'running'), JSON.stringify(jmActors.map((a) => [a.path, a.state])));

    assert.is(report.taskManagers.length, 2);
    const registered = await (await get('/taskmanagers')).json() as { taskmanagers: Array<{ id: string; address: string }> };
    assert.equal(report.taskManagers.map((tm) => tm.id).sort(), registered.taskmanagers.map((tm) => tm.id).sort());
    for (const tm of report.taskManagers) {
      assert.is(tm.error, undefined);
      const snapshot = tm.snapshot!;
      checkTotals(snapshot);
      assert.is(snapshot.address, tm.address);
      const executor = snapshot.tree.find((a) => a.name === 'taskmanager');
      assert.ok(executor, JSON.stringify(snapshot.tree.map((a) => a.path)));
      assert.is(executor!.state, 'running');
    }

    // A limit lists fewer actors and still counts them all.
    const limited = await (await get('/actors?maxActors=1')).json() as ActorSystemsReport;
    assert.is(flatten(limited.jobManager!.tree).length, 1);
    assert.is(limited.jobManager!.truncated, true);
    assert.ok(limited.jobManager!.actors >= 4);
    for (const tm of limited.taskManagers) assert.is(flatten(tm.snapshot!.tree).length, 1);

    for (const bad of ['timeout=0', 'timeout=abc', 'maxActors=-1', 'timeout=1.5']) {
      const r = await get(`/actors?${bad}`);
      assert.is(r.status, 400, bad);
      assert.match(((await r.json()) as { errors: string[] }).errors[0], /query parameter/);
    }
  } finally {
    await cluster.stop();
    out.cleanup();
  }
});

test.run();
