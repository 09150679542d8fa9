// JobMaster: wiring (a channel per sender/receiver pair, pointwise for forward), deployment into
// slots by slot sharing, the status lifecycle, the result, failure with cause, and failover onto
// new slots when a TaskManager is lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setImmediate } from 'node:timers';
import { JobMaster } from '../../../actors/runtime/job-master.ts';
import { ResourceManager } from '../../../actors/runtime/resource-manager.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';
import { DataGeneratorSource, JobExecutionError, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';

function cluster(slots: number) {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000);
  const tm = new TaskManager('tm', slots);
  rm.registerTaskManager(tm);
  return { clock, rm, tm };
}

test('channels: all-to-all for rebalance, pointwise for forward; subtasks share slots', async () => {
  const { clock, rm, tm } = cluster(3);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const got: number[] = [];
  env.fromSequence(1, 300).setParallelism(2).rebalance().map((x) => x).disableChaining().forward().filter(() => true).disableChaining().addSink((x) => { got.push(x); });
  const jm = new JobMaster('job', env.getJobGraph('wired'), rm, { clock, batchSize: 16, channelCredits: 2 });
  assert.is(jm.getStatus(), 'CREATED');
  await jm.start();
  assert.is(jm.getStatus(), 'RUNNING');
  // source(2) -> map(3): 6 channels; map(3) -> filter(3) forward: 3; filter (never chained) -> sink, forward: 3
  assert.is(jm.allChannels().length, 6 + 3 + 3);
  assert.is(tm.slots.filter((s) => s.allocatedTo === 'job').length, 3);
  const result = await jm.result;
  assert.is(result.jobName, 'wired');
  assert.is(jm.getStatus(), 'FINISHED');
  assert.is(got.length, 300);
  assert.is(tm.slots.filter((s) => s.allocatedTo !== undefined).length, 0, 'slots released');
});

test('a failing subtask: FAILING then FAILED, result rejects with the cause, others cancelled', async () => {
  const { clock, rm } = cluster(2);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const cause = new TypeError('nope');
  env.fromSequence(1, 100).map((x) => { if (x === 60) throw cause; return x; }).name('M').addSink(() => {});
  const jm = new JobMaster('job', env.getJobGraph('f'), rm, { clock, batchSize: 16, channelCredits: 2 });
  await jm.start();
  try { await jm.result; assert.unreachable(); } catch (e) {
    assert.instance(e, JobExecutionError);
    assert.is((e as Error).cause, cause);
    assert.match((e as Error).message, /job "f" \(job\) failed: subtask Sequence Source -> M -> Sink \(\d\/2\) failed: nope/);
  }
  await jm.terminated;
  assert.is(jm.getStatus(), 'FAILED');
  assert.ok([...jm.subtasks().values()].flat().every((t) => t.state === 'failed' || t.state === 'canceled' || t.state === 'finished'));
});

test('a source whose enumerator fails fails the job while scheduling', async () => {
  const { clock, rm } = cluster(1);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const broken = new Error('no splits today');
  env.fromSource({ boundedness: 'bounded', createEnumerator: () => { throw broken; }, restoreEnumerator: () => { throw broken; }, createReader: () => { throw broken; } }, undefined, 'broken').addSink(() => {});
  const jm = new JobMaster('job', env.getJobGraph('b'), rm, { clock, batchSize: 16, channelCredits: 2 });
  await jm.start();
  try { await jm.result; assert.unreachable(); } catch (e) {
    assert.is((e as Error).cause, broken);
    assert.match((e as Error).message, /could not be scheduled: no splits today/);
  }
  await jm.terminated;
  assert.is(jm.getStatus(), 'FAILED');
});

test('a lost TaskManager: the job fails over onto the slots left and finishes there', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000, true);
  rm.registerTaskManager(new TaskManager('tm-0', 2));
  rm.registerTaskManager(new TaskManager('tm-1', 1));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.setRestartStrategy(RestartStrategies.fixedDelay(1, 0));
  let seen = 0;
  env.fromSource(new DataGeneratorSource((i) => i, 40, { ratePerSecond: 10 }), undefined, 'paced').rebalance().addSink(() => { seen++; });
  const jm = new JobMaster('job', env.getJobGraph('lost'), rm, { clock, batchSize: 4, channelCredits: 2 });
  await jm.start();
  const vertices = jm.graph.vertices;
  assert.equal(vertices.map((v) => [jm.taskManagerOf(v, 0), jm.taskManagerOf(v, 1)]), vertices.map(() => ['tm-0', 'tm-1']));
  rm.unregisterTaskManager('tm-1', 'its connection was lost');
  for (let i = 0; i < 200 && jm.getStatus() !== 'FINISHED'; i++) {
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const result = await jm.result;
  assert.is(result.jobName, 'lost');
  assert.is(jm.attemptNumber, 1);
  assert.equal(vertices.map((v) => [jm.taskManagerOf(v, 0), jm.taskManagerOf(v, 1)]), vertices.map(() => ['tm-0', 'tm-0']));
  assert.ok(seen >= 40, `the last attempt emitted every record (${seen} seen over both attempts)`);
});

test('a lost TaskManager fails the whole job over even when its subtasks form separate regions', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000, true);
  rm.registerTaskManager(new TaskManager('tm-0', 2));
  rm.registerTaskManager(new TaskManager('tm-1', 1));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.setRestartStrategy(RestartStrategies.fixedDelay(1, 0));
  // No network edge: subtask 0 and subtask 1 are two pipelined regions.
  env.fromSource(new DataGeneratorSource((i) => i, 40, { ratePerSecond: 10 }), undefined, 'paced').addSink(() => {});
  const jm = new JobMaster('job', env.getJobGraph('lost-regions'), rm, { clock, batchSize: 4, channelCredits: 2 });
  await jm.start();
  const vertex = jm.graph.vertices[0];
  rm.unregisterTaskManager('tm-1', 'its connection was lost');
  for (let i = 0; i < 200 && jm.getStatus() !== 'FINISHED'; i++) {
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await jm.result;
  assert.equal([jm.subtaskAttemptNumber(vertex, 0), jm.subtaskAttemptNumber(vertex, 1)], [1, 1], 'both regions restarted');
  assert.equal([jm.taskManagerOf(vertex, 0), jm.taskManagerOf(vertex, 1)], ['tm-0', 'tm-0']);
});

test.run();
