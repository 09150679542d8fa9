// The CLI against a cluster: a JobManager and a TaskManager started in this process, the CLI's
// run (attached and detached), list, cancel against them through --jobmanager (RPC look-up of the
// REST URL) and --rest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { cli, eventually, startCli } from './cli-process.ts';

const jm = await startJobManager({ port: 0, restPort: 0 });
const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 4 });
const at = ['--jobmanager', jm.rpcAddress];

test('list on an empty cluster', async () => {
  const r = await cli('list', ...at);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), 'No running jobs.');
});

test('run --jobmanager ships the job file, follows it to FINISHED and exits 0', async () => {
  const r = await cli('run', 'examples/sequence-job.ts', '-p', '2', ...at);
  assert.is(r.code, 0, r.stderr);
  const m = /Job 'sequence-job' \(([0-9a-f]{32})\) finished in \d+ ms/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  const jobs = await jm.service.listJobs();
  assert.ok(jobs.some((j) => j.jid === m![1] && j.state === 'FINISHED'), JSON.stringify(jobs));
  const list = await cli('list', '--all', '--rest', jm.restUrl);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`: ${m![1]} : sequence-job \\(FINISHED\\)`));
});

test('run --detached prints the job id; list shows it RUNNING; cancel ends it; cancel of an unknown job exits 1', async () => {
  const r = await cli('run', 'tests/bin/fixtures/endless-job.ts', '--detached', ...at);
  assert.is(r.code, 0, r.stderr);
  const jid = r.stdout.trim();
  assert.match(jid, /^[0-9a-f]{32}$/);
  assert.match((await cli('list', ...at)).stdout, new RegExp(`: ${jid} : endless-job \\((CREATED|RUNNING)\\)`));
  const cancel = await cli('cancel', jid, ...at);
  assert.is(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, new RegExp(`Cancelled job ${jid}\\.`));
  assert.is((await jm.service.jobResult(jid)).state, 'CANCELED');
  const unknown = await cli('cancel', 'feedbeef', ...at);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /feedbeef/);
});

test('an attached run prints progress lines and exits 1 when the job is cancelled', async () => {
  const run = startCli('run', 'tests/bin/fixtures/endless-job.ts', '--rest', jm.restUrl);
  let jid = '';
  await eventually(() => { jid = /submitted as ([0-9a-f]{32})/.exec(run.output.stderr)?.[1] ?? ''; return jid !== ''; }, 'the submission');
  await eventually(() => /RUNNING\s+\d+s\s+subtasks 1\/1 running/.test(run.output.stderr), `a progress line (stderr: ${run.output.stderr})`);
  await jm.service.cancelJob(jid);
  assert.is(await run.exited, 1, run.output.stderr);
  assert.match(run.output.stderr, new RegExp(`Job 'endless-job' \\(${jid}\\) was cancelled`));
});

test('a job failing in user code: run exits 1 with the root cause', async () => {
  const r = await cli('run', 'tests/bin/fixtures/failing-job.ts', ...at);
  assert.is(r.code, 1);
  assert.match(r.stderr, /Job 'failing-job' \([0-9a-f]{32}\) failed: .*the answer is not allowed/);
});

test.after(async () => {
  await tm.close();
  await jm.close();
});

test.run();
