// `actorflow run --local-task-managers N`: the job runs on TaskManager worker threads and the
// process exits promptly once it is done, with nothing on stderr (a worker that could not close,
// or one that is only terminated after the grace period, fails this test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCli } from './cli-process.ts';

/** Generous: closing takes milliseconds; a worker left for the grace period takes 5 s. */
const EXIT_DEADLINE_MS = 3_000;

test('run on local TaskManager threads exits promptly after the job finished, without errors', async () => {
  const run = startCli('run', 'examples/sequence-job.ts', '--parallelism', '2', '--local-task-managers', '2');
  let finishedAt: number | undefined;
  run.child.stdout!.on('data', () => {
    if (finishedAt === undefined && /Job 'sequence-job' \(.+\) finished in \d+ ms on 2 TaskManagers/.test(run.output.stdout)) finishedAt = Date.now();
  });
  const code = await run.exited;
  const exitedAt = Date.now();
  assert.is(code, 0, run.output.stderr);
  assert.ok(finishedAt !== undefined, `no result line in: ${run.output.stdout.slice(-500)}`);
  assert.ok(exitedAt - finishedAt! < EXIT_DEADLINE_MS, `exited ${exitedAt - finishedAt!} ms after the job finished`);
  assert.is(run.output.stderr.trim(), '', 'nothing on stderr');
  const finals = new Map<number, number>();
  for (const m of run.output.stdout.matchAll(/^sum(?::\d+)?> \[(\d+),(\d+)\]$/gm)) {
    finals.set(Number(m[1]), Math.max(finals.get(Number(m[1])) ?? 0, Number(m[2])));
  }
  const expected = new Map<number, number>();
  for (let n = 1; n <= 1000; n++) if ((n * n) % 3 === 0) expected.set((n * n) % 4, (expected.get((n * n) % 4) ?? 0) + n * n);
  assert.equal([...finals].sort(), [...expected].sort());
});

test.run();
