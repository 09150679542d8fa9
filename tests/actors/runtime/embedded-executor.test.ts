// The embedded executor: a mini cluster per job sized by slot sharing (unless slots are given),
// shut down when the job ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { defaultEnvironmentConfig } from '../../../api/environment/environment-config.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('sizes slots to the job across TaskManagers and runs it to the end', async () => {
  const executor = new EmbeddedExecutor();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(5);
  const got: number[] = [];
  env.fromSequence(1, 50).addSink((x) => { got.push(x); });
  const config = { ...defaultEnvironmentConfig(), taskManagers: 2 };
  const client = await executor.execute(env.getJobGraph('sized'), config);
  await client.getJobExecutionResult();
  assert.is(got.length, 50);
  const jm = executor.lastJobMaster!;
  assert.is([...jm.subtasks().values()].flat().length, 5);
  await jm.terminated;
  assert.is(await client.getJobStatus(), 'FINISHED');
});

test.run();
