// Savepoints of a cluster job that never enabled checkpointing (Flink takes them: the coordinator
// exists without periodic checkpoints): a JobManager and two TaskManagers as processes, a keyed
// count at parallelism 2 with a plain sink; a savepoint through the CLI completes and the job keeps
// running; stop-with-savepoint ends it; restored at parallelism 3 from that savepoint, the plain
// sink has seen every count exactly once (stop-with-savepoint is synchronous across processes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { committedLines, currentRuntime, tempDir, TestCluster, waitUntil } from './support.ts';

const JOB = 'tests/e2e/cluster/fixtures/plain-count-job.ts';
// Paced at 1000 records/s, the first run would take 60 s: far longer than the test needs to stop it.
const RECORDS = 60_000, KEYS = 7;

/** Every running count of the job, once each (plain loop). */
function expectedLines(): string[] {
  const totals = new Array<number>(KEYS).fill(0);
  const lines: string[] = [];
  for (let n = 1; n <= RECORDS; n++) lines.push(`${n % KEYS},${++totals[n % KEYS]}`);
  return lines.sort();
}

test(`a ${currentRuntime} cluster job without checkpointing: savepoint, stop-with-savepoint, restore at parallelism 3; a plain sink sees every count once`, async () => {
  const out = tempDir('plain-count-out'), data = tempDir('jm-data'), savepoints = tempDir('savepoints');
  const cluster = new TestCluster({ PLAIN_COUNT_OUTPUT: out.path, PLAIN_COUNT_RECORDS: String(RECORDS), PLAIN_COUNT_KEYS: String(KEYS), PLAIN_COUNT_RATE: '1000', PLAIN_COUNT_PACED_PARALLELISM: '2' });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const submit = await cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2', '--detached']);
    assert.is(submit.code, 0, submit.stderr);
    const jobId = /[0-9a-f]{32}/.exec(submit.stdout)![0];
    await waitUntil(() => committedLines(out.path).length >= 500, 'the job emitted counts');

    const savepoint = cluster.start(currentRuntime, ['savepoint', jobId, savepoints.path, '--jobmanager', cluster.jobmanager]);
    const taken = await savepoint.waitFor(/Savepoint completed\. Path: (\S+)/, 60_000);
    assert.ok(existsSync(taken[1]), 'the savepoint file exists');
    const before = committedLines(out.path).length;
    await waitUntil(() => committedLines(out.path).length > before + 300, 'the job kept running after the savepoint');

    const stop = cluster.start(currentRuntime, ['stop', jobId, '--savepoint', savepoints.path, '--jobmanager', cluster.jobmanager]);
    const stopped = await stop.waitFor(/Savepoint completed\. Path: (\S+)/, 60_000);
    assert.is((await cluster.jobResult(jobId)).state, 'FINISHED');
    const emitted = committedLines(out.path).length;
    assert.ok(emitted < RECORDS, `stopped mid-way (${emitted} of ${RECORDS} counts emitted)`);

    const restored = await cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '3', '--from-savepoint', stopped[1]]);
    assert.is(restored.code, 0, `restore failed\nstdout: ${restored.stdout}\nstderr: ${restored.stderr}`);
    const lines = committedLines(out.path);
    const twice = lines.filter((l, i) => i > 0 && lines[i - 1] === l);
    assert.is(twice.length, 0, `counts emitted twice: ${twice.slice(0, 5).join(' ')}`);
    assert.equal(lines, expectedLines(), 'every count exactly once across stop and restore');
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup(); savepoints.cleanup();
  }
});

test.run();
