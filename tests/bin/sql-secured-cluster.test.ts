// `actorflow sql` SELECT against a cluster with a secret (a JobManager and a TaskManager started in
// this process, reading ACTORFLOW_CLUSTER_SECRET as CLI-started processes do): the collect sink in
// the TaskManager pushes with the token of its secret and the client fetches with its own; a
// client without the secret is refused before anything runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { cliWith } from './cli-process.ts';

const SECRET = 'sql-secured-cluster-test-secret';
const previous = process.env.ACTORFLOW_CLUSTER_SECRET;
process.env.ACTORFLOW_CLUSTER_SECRET = SECRET;
const jm = await startJobManager({ port: 0, restPort: 0 });
const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 });
const dir = mkdtempSync(join(tmpdir(), 'sql-secured-'));
const script = join(dir, 'select.sql');
writeFileSync(script, [
  "SET 'sql-client.execution.result-mode' = 'changelog';",
  "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '20', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20');",
  'SELECT id FROM src WHERE id > 15;',
].join('\n'));

test('with the secret a SELECT on the secured cluster shows its rows', async () => {
  const r = await cliWith({ ACTORFLOW_CLUSTER_SECRET: SECRET }, 'sql', '-f', script, '--jobmanager', jm.rpcAddress);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('+I[')).sort(), ['+I[16]', '+I[17]', '+I[18]', '+I[19]', '+I[20]']);
});

test('without the secret the client is refused and no query job runs', async () => {
  const before = (await jm.service.listJobs()).length;
  const r = await cliWith({ ACTORFLOW_CLUSTER_SECRET: undefined }, 'sql', '-f', script, '--rest', jm.restUrl);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, /unauthorized/);
  assert.is((await jm.service.listJobs()).length, before);
});

test.after(async () => {
  await tm.close();
  await jm.close();
  if (previous === undefined) delete process.env.ACTORFLOW_CLUSTER_SECRET; else process.env.ACTORFLOW_CLUSTER_SECRET = previous;
  rmSync(dir, { recursive: true, force: true });
});

test.run();
