// Dispatcher: job ids, starting JobMasters, listing jobs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dispatcher, newJobId } from '../../../actors/runtime/dispatcher.ts';
import { ResourceManager } from '../../../actors/runtime/resource-manager.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';
import { ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';

test('job ids are unique 32-hex-digit strings', () => {
  const ids = new Set(Array.from({ length: 100 }, newJobId));
  assert.is(ids.size, 100);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});

test('starts JobMasters, lists jobs, refuses a duplicate id', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000);
  rm.registerTaskManager(new TaskManager('tm', 2));
  const d = new Dispatcher(rm, { clock, batchSize: 16, channelCredits: 2 });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1, 2, 3).addSink(() => {});
  const graph = env.getJobGraph('small');
  const jm = d.startJob('a', graph);
  assert.throws(() => d.startJob('a', graph), /already submitted/);
  await jm.result;
  assert.equal(d.listJobs(), [{ jobId: 'a', name: 'small', status: 'FINISHED' }]);
  assert.is(d.getJob('a'), jm);
  await d.cancelAll();
});

test.run();
