// TaskExecutorJob's checkpoint storage: handed out before it has opened (deploying a subtask does
// not wait for a KV file's trial open; a job without checkpoints opens it only when a savepoint
// writes), every call waiting for the open; a storage that cannot
// open rejects `opened` with the reason and its calls fail with it; a job released while its
// storage opens closes it exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StreamExecutionEnvironment } from '../../../api/index.ts';
import type { CheckpointStorage } from '../../../state/checkpoint/checkpoint-storage.ts';
import { createStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';
import { TaskExecutorJob } from '../../../actors/cluster/task-executor-job.ts';
import type { DeploymentDescriptor } from '../../../actors/cluster/cluster-messages.protocol.ts';
import type { JobModuleSource } from '../../../actors/cluster/process-environment.ts';

/** A memory backend whose storage opens when the test says so (or fails to). */
function gatedBackend() {
  const memory = createStateBackend('memory');
  let open!: () => void;
  let fail!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  let closes = 0;
  const backend: StateBackend = {
    name: 'gated', incremental: false,
    createKeyedStateBackend: (o) => memory.createKeyedStateBackend(o),
    snapshotSubtask: (id, parts) => memory.snapshotSubtask(id, parts),
    async createCheckpointStorage(options) {
      const inner = await memory.createCheckpointStorage(options);
      await gate;
      return new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === 'close') return async () => { closes++; await target.close(); };
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as CheckpointStorage;
    },
  };
  return { backend, open, fail, closes: () => closes };
}

function job(backend: StateBackend): TaskExecutorJob {
  const jobs: JobModuleSource = {
    check: async () => {},
    load: async () => ({
      default: (env: StreamExecutionEnvironment) => { env.setStateBackend(backend); env.fromSequence(1, 3).addSink(() => {}); },
    }) as never,
  };
  const first = { jobId: 'j', attempt: 0, vertex: 0, subtask: 0, blobKey: 'b', submitOptions: { name: 'j' } } as unknown as DeploymentDescriptor;
  return new TaskExecutorJob('j', first, async () => new Uint8Array(0), jobs);
}

/** The error `promise` rejects with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try { await promise; } catch (error) { return (error as Error).message; }
  assert.unreachable('expected a rejection');
  return '';
}

const snapshot = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, timers: {} } as never;

test('the storage is usable before it opened: a write waits for the open', async () => {
  const gated = gatedBackend();
  const j = job(gated.backend);
  const handles = j.checkpointHandles(await j.graph);
  assert.is(handles.isOpening(), false, 'nothing opens the storage of a job without checkpoints until it is used');
  let written = false;
  const write = handles.storage.writeSubtaskState(1, snapshot).then(() => { written = true; });
  await new Promise((r) => setTimeout(r, 5));
  assert.is(written, false, 'the write waits while the storage opens');
  gated.open();
  await write;
  assert.is(written, true);
  assert.is(j.checkpointHandles(await j.graph), handles, 'one storage per job');
  await j.close();
  assert.is(gated.closes(), 1);
});

test('a storage that cannot open rejects opened and every call with the reason', async () => {
  const gated = gatedBackend();
  const j = job(gated.backend);
  const handles = j.checkpointHandles(await j.graph);
  gated.fail(new Error('KV file /x/checkpoints.kv is damaged'));
  assert.match(await rejection(handles.opened()), /checkpoints\.kv is damaged/);
  assert.match(await rejection(handles.storage.writeSubtaskState(1, snapshot)), /checkpoints\.kv is damaged/);
  assert.match(await rejection(j.storage()), /checkpoints\.kv is damaged/);
  await j.close();
});

test('a job released before its storage was used opens nothing', async () => {
  const gated = gatedBackend();
  const j = job(gated.backend);
  const handles = j.checkpointHandles(await j.graph);
  await j.close();
  assert.is(handles.isOpening(), false);
  assert.is(gated.closes(), 0);
});

test('a job released while its storage opens closes it once', async () => {
  const gated = gatedBackend();
  const j = job(gated.backend);
  const handles = j.checkpointHandles(await j.graph);
  const opening = handles.opened();
  const closing = j.close();
  gated.open();
  await closing;
  assert.match(await rejection(opening), /released/);
  await new Promise((r) => setTimeout(r, 5));
  assert.is(gated.closes(), 1);
});

test.run();
