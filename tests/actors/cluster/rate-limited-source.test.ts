// A finite, rate-limited DataGeneratorSource finishes on a JobManager + TaskManager cluster. There
// the reader is opened before the enumerator's split arrives: its first poll finds no split, and
// the availability it then waits on must resolve when the split comes, or the subtask, woken once
// by the split's mail, never polls again after the rate limit first holds it back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataGeneratorSource } from '../../../api/sources/data-generator-source.ts';
import type { ReaderOutput } from '../../../api/sources/source.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { RECORDS } from './fixtures/rate-limited-job.ts';

const fixture = fileURLToPath(new URL('./fixtures/rate-limited-job.ts', import.meta.url));
const discard: ReaderOutput<unknown> = { collect() {}, createOutputForSplit() { return this; }, releaseOutputForSplit() {}, markIdle() {} };

test('a rate-limited reader waiting before its split arrives becomes available when the split comes', async () => {
  const clock = new ManualClock(0);
  const reader = new DataGeneratorSource((i) => i, 10, { ratePerSecond: 10 }).createReader({ subtaskIndex: 0, parallelism: 1, clock, sendSplitRequest() {} });
  assert.is(reader.pollNext(discard), 'nothing-available');
  let available = false;
  void reader.isAvailable().then(() => { available = true; });
  reader.addSplits([{ splitId: 'gen-0', next: 0, end: 9, stride: 1 }]);
  await Promise.resolve();
  assert.ok(available, 'the split made the reader available');
  // Likewise for the end of splits on a reader that holds none.
  const empty = new DataGeneratorSource((i) => i, 10, { ratePerSecond: 10 }).createReader({ subtaskIndex: 0, parallelism: 1, clock, sendSplitRequest() {} });
  let ended = false;
  void empty.isAvailable().then(() => { ended = true; });
  empty.notifyNoMoreSplits();
  await Promise.resolve();
  assert.ok(ended, 'no more splits made the reader available');
  assert.is(empty.pollNext(discard), 'end-of-input');
});

test('a finite rate-limited generator job finishes on a JobManager and a TaskManager', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'af-rate-jm-'));
  const jm = await startJobManager({ port: 0, restPort: 0, dataDir });
  const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1, heartbeatIntervalMs: 200 });
  try {
    const started = Date.now();
    const jobId = await jm.service.submitJob(await bundleJob(fixture), { name: 'rate-limited', parallelism: 1 });
    // 40 records at 40/s take about a second; the bug left the job RUNNING indefinitely.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the job was still RUNNING after 10 s')), 10_000); });
    try {
      const result = await Promise.race([jm.service.jobResult(jobId), timeout]);
      assert.is(result.state, 'FINISHED', result.error);
      assert.is(result.result?.accumulators.seen, RECORDS);
    } finally {
      clearTimeout(timer);
    }
    console.log(`rate-limited job finished in ${Date.now() - started} ms`);
  } finally {
    await tm.close();
    await jm.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
