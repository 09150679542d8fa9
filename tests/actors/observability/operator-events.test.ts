// The events an operator needs, as log lines of real jobs on an embedded MiniCluster: a submitted
// job, completed checkpoints (id, duration, size), a checkpoint declined by a subtask whose
// snapshot cannot be written and the failure it causes (warn, with the reason), a written
// savepoint (its path), and TaskManagers registered and lost (warn, with the reason).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, StreamExecutionEnvironment, systemClock } from '../../../api/index.ts';
import { memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { MiniCluster } from '../../../actors/runtime/mini-cluster.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';

type Line = Record<string, unknown> & { msg: string; level: number };
const lines: Line[] = [];
configureLogging({ level: 'info', role: 'test', destination: { write: (line) => lines.push(JSON.parse(line)) } });
const WARN = 40, INFO = 30;

const cluster = new MiniCluster({ taskManagers: 1, slotsPerTaskManager: 4, clock: systemClock, slotRequestTimeoutMs: 5000, batchSize: 64, channelCredits: 4 });
const dir = mkdtempSync(join(tmpdir(), 'operator-events-'));

function endless(env: StreamExecutionEnvironment): void {
  env.fromSource(new DataGeneratorSource((i) => i, Infinity, { ratePerSecond: 2000 }), undefined, 'gen').map((x) => x + 1).disableChaining().name('inc').addSink(() => {});
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; lines: ${lines.map((l) => l.msg).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('submitted job, completed checkpoints and a written savepoint are logged at info with their facts', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(30);
  endless(env);
  const { client, jobMaster } = await cluster.submitJob(env.getJobGraph('logged'));
  const submitted = lines.find((l) => l.msg === 'job submitted' && l.jobId === client.jobId);
  assert.ok(submitted, 'job submitted line');
  assert.is(submitted!.level, INFO);
  assert.is(submitted!.subtasks, 3);
  await until('checkpoint completed line', () => lines.some((l) => /^checkpoint \d+ completed in \d+ ms/.test(l.msg) && l.jobId === client.jobId));
  const done = lines.find((l) => /^checkpoint \d+ completed/.test(l.msg))!;
  assert.is(done.level, INFO);
  assert.type(done.checkpointId, 'number');
  assert.type(done.durationMs, 'number');
  assert.type(done.bytes, 'number');
  const path = await jobMaster.triggerSavepoint(join(dir, 'sp'));
  const written = lines.find((l) => /^savepoint \d+ written to /.test(l.msg));
  assert.ok(written, 'savepoint written line');
  assert.is(written!.path, path);
  assert.is(written!.level, INFO);
  await client.cancel();
});

test('a subtask that cannot write its snapshot declines: declined and failed checkpoints are warnings with the reason', async () => {
  const memory = memoryStateBackend();
  const failing: StateBackend = {
    ...memory, name: 'failing',
    createCheckpointStorage: async (options) => {
      const storage = await memory.createCheckpointStorage(options);
      return Object.assign(Object.create(storage), { writeSubtaskState: async () => { throw new Error('disk full (injected)'); } });
    },
  };
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(30);
  env.setStateBackend(failing);
  endless(env);
  const { client } = await cluster.submitJob(env.getJobGraph('declining'));
  await until('checkpoint declined line', () => lines.some((l) => l.jobId === client.jobId && /declined by subtask/.test(l.msg)));
  const declined = lines.find((l) => l.jobId === client.jobId && /declined by subtask/.test(l.msg))!;
  assert.is(declined.level, WARN);
  assert.match(String(declined.reason), /writing the snapshot failed: disk full \(injected\)/);
  await until('checkpoint failed line', () => lines.some((l) => l.jobId === client.jobId && /^checkpoint \d+ failed: /.test(l.msg)));
  const failed = lines.find((l) => l.jobId === client.jobId && /^checkpoint \d+ failed: /.test(l.msg))!;
  assert.is(failed.level, WARN);
  assert.match(failed.msg, /disk full \(injected\)/);
  await client.cancel().catch(() => {});
});

test('TaskManagers registered (info) and lost (warn, with the reason and the jobs that fail over)', async () => {
  const before = lines.length;
  const tm = new TaskManager('taskmanager-extra', 1);
  cluster.resourceManager.registerTaskManager(tm);
  const registered = lines.slice(before).find((l) => l.taskManagerId === 'taskmanager-extra' && /registered/.test(l.msg));
  assert.ok(registered);
  assert.is(registered!.level, INFO);
  assert.is(registered!.slots, 1);
  cluster.resourceManager.unregisterTaskManager('taskmanager-extra', 'no heartbeat for 12000 ms (timeout 10000 ms)');
  const lost = lines.slice(before).find((l) => l.taskManagerId === 'taskmanager-extra' && /lost/.test(l.msg));
  assert.ok(lost);
  assert.is(lost!.level, WARN);
  assert.is(lost!.reason, 'no heartbeat for 12000 ms (timeout 10000 ms)');
  assert.equal(lost!.jobIds, []);
});

test.after(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
  configureLogging({});
});

test.run();
