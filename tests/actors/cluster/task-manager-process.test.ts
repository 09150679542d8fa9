// startTaskManager: registration with the JobManager, a clear error when there is none, and
// re-registration after the JobManager connection was lost (a JobManager restarted on its port).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../../actors/cluster/task-manager-process.ts';

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `condition` until it holds or `ms` pass. */
async function eventually(what: string, condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a TaskManager without a reachable JobManager fails to start, naming the address', async () => {
  const port = await freePort();
  try {
    await startTaskManager({ jobmanager: `127.0.0.1:${port}`, slots: 1, registrationTimeoutMs: 300 });
    assert.unreachable('it started');
  } catch (error) {
    assert.match((error as Error).message, new RegExp(`could not register with the JobManager at 127\\.0\\.0\\.1:${port}`));
  }
});

test('a bad --jobmanager value or slot count is refused', async () => {
  try { await startTaskManager({ jobmanager: 'nohost', slots: 1 }); assert.unreachable(); } catch (error) { assert.match((error as Error).message, /HOST:PORT/); }
  try { await startTaskManager({ jobmanager: '127.0.0.1:1', slots: 0 }); assert.unreachable(); } catch (error) { assert.match((error as Error).message, /at least one slot/); }
});

test('after losing its JobManager a TaskManager registers with the one restarted on the same port', async () => {
  const first = await startJobManager({ port: 0, restPort: 0 });
  const port = Number(first.rpcAddress.split(':')[1]);
  const tm = await startTaskManager({ jobmanager: first.rpcAddress, slots: 3, heartbeatIntervalMs: 100 });
  try {
    assert.equal((await first.service.taskManagers()).map((t) => t.id), [tm.id]);
    await first.close();
    const second = await startJobManager({ port, restPort: 0 });
    try {
      await eventually('the re-registration', async () => (await second.service.taskManagers()).some((t) => t.id === tm.id));
      const [info] = await second.service.taskManagers();
      assert.is(info.slotsNumber, 3);
      assert.is(info.address, tm.address);
    } finally {
      await tm.close();
      await second.close();
    }
  } finally {
    await tm.close();
  }
});

test.run();
