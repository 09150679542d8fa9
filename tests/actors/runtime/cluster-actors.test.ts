// The role behaviours on their own: the job graph store (take once), and a Dispatcher actor that
// accepts a job, answers its status, and cancels it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem } from '../../../actors/index.ts';
import { dispatcherBehavior, JobGraphStore } from '../../../actors/runtime/cluster-actors.ts';
import { Dispatcher } from '../../../actors/runtime/dispatcher.ts';
import { ResourceManager } from '../../../actors/runtime/resource-manager.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';

test('JobGraphStore hands each graph out once', () => {
  const store = new JobGraphStore();
  store.put('j', { jobName: 'x' } as never);
  assert.is(store.take('j').jobName, 'x');
  assert.throws(() => store.take('j'), /no job graph stored for job j/);
});

test('the Dispatcher actor accepts, reports and cancels a job', async () => {
  const clock = new ManualClock();
  const system = ActorSystem.create('dispatcher-test', { clock });
  const rm = new ResourceManager(clock, 1000);
  rm.registerTaskManager(new TaskManager('tm', 1));
  const dispatcher = new Dispatcher(rm, { clock, batchSize: 16, channelCredits: 2 });
  const store = new JobGraphStore();
  const ref = system.spawn(dispatcherBehavior(dispatcher, store), 'dispatcher');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'endless').addSink(() => {});
  store.put('job-1', env.getJobGraph('endless'));
  assert.equal(await ref.ask({ type: 'dispatcher.submit-job', jobId: 'job-1' }), { jobId: 'job-1' });
  assert.is(await ref.ask({ type: 'dispatcher.job-status', jobId: 'job-1' }), 'RUNNING');
  assert.is(await ref.ask({ type: 'dispatcher.job-status', jobId: 'nope' }), undefined);
  assert.is(await ref.ask({ type: 'dispatcher.cancel-job', jobId: 'job-1' }), 'CANCELED');
  await system.terminate();
});

test.run();
