// The CLI against a cluster with a secret (a JobManager and a TaskManager started in this process
// with it): with ACTORFLOW_CLUSTER_SECRET the CLI finds the REST URL over RPC, runs, lists, takes
// a savepoint, stops and cancels jobs; without it, or with another, it is refused and exits 1
// naming the cause, having changed nothing. A JobManager asked to serve REST beyond loopback
// without a secret refuses to start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { cliWith } from './cli-process.ts';

const SECRET = 'cli-secured-cluster-test-secret';
const jm = await startJobManager({ port: 0, restPort: 0, secret: SECRET });
const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 4, secret: SECRET });
const work = mkdtempSync(join(tmpdir(), 'cli-secured-'));
const withSecret = { ACTORFLOW_CLUSTER_SECRET: SECRET };
const at = ['--jobmanager', jm.rpcAddress];

test('with the secret: run --jobmanager follows a job to FINISHED; list shows it', async () => {
  const r = await cliWith(withSecret, 'run', 'examples/sequence-job.ts', '-p', '2', ...at);
  assert.is(r.code, 0, r.stderr);
  const jid = /Job 'sequence-job' \(([0-9a-f]{32})\) finished in \d+ ms/.exec(r.stdout)?.[1];
  assert.ok(jid, r.stdout + r.stderr);
  const list = await cliWith(withSecret, 'list', '--all', '--rest', jm.restUrl);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`: ${jid} : sequence-job \\(FINISHED\\)`));
});

test('with the secret: a detached run, a savepoint, a stop with savepoint and a cancel', async () => {
  const run = await cliWith(withSecret, 'run', 'tests/bin/fixtures/endless-job.ts', '--detached', '--rest', jm.restUrl);
  assert.is(run.code, 0, run.stderr);
  const jid = run.stdout.trim();
  assert.match(jid, /^[0-9a-f]{32}$/);
  const running = async (): Promise<boolean> => {
    const detail = await jm.service.jobDetail(jid);
    return detail?.state === 'RUNNING' && detail.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING'));
  };
  for (let i = 0; i < 500 && !(await running()); i++) await new Promise((r) => setTimeout(r, 20));
  const savepoint = await cliWith(withSecret, 'savepoint', jid, join(work, 'savepoints'), ...at);
  assert.is(savepoint.code, 0, savepoint.stderr);
  assert.match(savepoint.stdout, `Savepoint completed. Path: ${join(work, 'savepoints')}`);
  const stop = await cliWith(withSecret, 'stop', jid, '--savepoint', join(work, 'stop'), ...at);
  assert.is(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, `Savepoint completed. Path: ${join(work, 'stop')}`);
  const second = (await cliWith(withSecret, 'run', 'tests/bin/fixtures/endless-job.ts', '--detached', ...at)).stdout.trim();
  const cancel = await cliWith(withSecret, 'cancel', second, '--rest', jm.restUrl);
  assert.is(cancel.code, 0, cancel.stderr);
  assert.is((await jm.service.jobResult(second)).state, 'CANCELED');
});

test('without the secret or with another: refused with the cause, exit 1, nothing changed', async () => {
  const before = (await jm.service.listJobs()).length;
  const noSecret = await cliWith({ ACTORFLOW_CLUSTER_SECRET: undefined }, 'run', 'tests/bin/fixtures/endless-job.ts', '--detached', '--rest', jm.restUrl);
  assert.is(noSecret.code, 1, noSecret.stderr);
  assert.match(noSecret.stderr, /unauthorized: no Authorization header.*has no cluster secret: set ACTORFLOW_CLUSTER_SECRET/);
  const wrong = await cliWith({ ACTORFLOW_CLUSTER_SECRET: 'another secret' }, 'list', '--rest', jm.restUrl);
  assert.is(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /unauthorized: wrong token.*is not the cluster's/);
  const savepoint = await cliWith({ ACTORFLOW_CLUSTER_SECRET: undefined }, 'savepoint', 'somejob', join(work, 'refused'), '--rest', jm.restUrl);
  assert.is(savepoint.code, 1);
  assert.match(savepoint.stderr, /unauthorized/);
  assert.not.ok(existsSync(join(work, 'refused')));
  // Over RPC the handshake itself fails without the secret.
  const rpc = await cliWith({ ACTORFLOW_CLUSTER_SECRET: 'another secret' }, 'list', ...at);
  assert.is(rpc.code, 1);
  assert.match(rpc.stderr, /cannot reach the JobManager/);
  assert.is((await jm.service.listJobs()).length, before);
});

test('a JobManager asked to serve REST beyond loopback without a secret exits with a clear error', async () => {
  const r = await cliWith({ ACTORFLOW_CLUSTER_SECRET: undefined }, 'jobmanager', '--port', '0', '--rest-port', '0', '--rest-host', '0.0.0.0');
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /cannot serve REST on 0\.0\.0\.0:0: serving REST on 0\.0\.0\.0 needs a cluster secret \(ACTORFLOW_CLUSTER_SECRET\); without one only loopback is allowed/);
  assert.not.match(r.stdout, /listening/);
});

test.after(async () => {
  await tm.close();
  await jm.close();
  rmSync(work, { recursive: true, force: true });
});

test.run();
