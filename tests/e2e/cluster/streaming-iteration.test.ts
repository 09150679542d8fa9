// A streaming iteration on a local cluster: at parallelism 2 over two worker-thread TaskManagers
// (one slot each), the loop's head and tail of each subtask share a slot, so the feedback
// channel never crosses a TaskManager; the walks equal a plain loop. The loop ends when its
// input has ended and it stayed idle for maxWaitTimeMs on the TaskManagers' clock.
// (2 s here: a loaded machine can stall a round trip of the loop for over half a second).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from '../../../actors/cluster/local-cluster.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { testSeed } from '../../support/random.ts';
import { starts } from './fixtures/collatz-loop-job.ts';
import { tempDir } from './support.ts';

const jobFile = fileURLToPath(new URL('./fixtures/collatz-loop-job.ts', import.meta.url));
const seed = testSeed('cluster-streaming-iteration');

function plainSteps(start: number): number {
  let n = start, steps = 0;
  while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }
  return steps;
}

test('Collatz walks loop on two TaskManagers and equal a plain loop', async () => {
  const out = tempDir('cluster-loop-out'), data = tempDir('cluster-loop-data');
  const count = 300;
  Object.assign(processEnv, { COLLATZ_JOB_OUTPUT: out.path, COLLATZ_JOB_SEED: String(seed), COLLATZ_JOB_COUNT: String(count), COLLATZ_JOB_WAIT_MS: '2000' });
  const cluster = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 1, dataDir: data.path });
  try {
    const service = cluster.jobManager.service;
    const jobId = await service.submitJob(await bundleJob(jobFile), { name: 'collatz loop', parallelism: 2 });
    const outcome = await service.jobResult(jobId);
    assert.is(outcome.state, 'FINISHED', outcome.error);
    const got = readFileSync(join(out.path, 'walks'), 'utf8').split('\n').filter((l) => l !== '').sort();
    assert.equal(got, starts(seed, count).map((s) => `${s} ${plainSteps(s)}`).sort());
    const detail = await service.jobDetail(jobId);
    const placement = new Map<string, string>();
    for (const v of detail!.vertices) for (const s of v.subtasks) placement.set(`${v.name}#${s.subtask}`, s.taskmanager);
    assert.is(new Set(placement.values()).size, 2, 'the job ran on both TaskManagers');
    const head = detail!.vertices.find((v) => v.name.startsWith('Iteration Source'))!;
    const tail = detail!.vertices.find((v) => v.name.includes('Iteration Sink'))!;
    for (const i of [0, 1]) assert.is(placement.get(`${head.name}#${i}`), placement.get(`${tail.name}#${i}`), `head and tail of subtask ${i} share a TaskManager`);
  } finally {
    await cluster.close();
    out.cleanup(); data.cleanup();
  }
});

test.run();
