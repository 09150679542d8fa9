// The executor registry: how environments find their runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findExecutor, registerExecutor, StreamExecutionEnvironment, type JobClient } from '../../../api/index.ts';

test('the package entry registers the embedded executor; environments use the one they name', async () => {
  assert.ok(findExecutor('embedded'));
  assert.throws(() => findExecutor('nowhere'), /no executor named "nowhere" is registered \(known: .*embedded/);
  const seen: string[] = [];
  registerExecutor('recording', { execute: async (graph) => { seen.push(graph.jobName); return { jobId: 'x' } as JobClient; } });
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ executor: 'recording' });
  env.fromElements(1).print();
  const client = await env.executeAsync('named job');
  assert.is(client.jobId, 'x');
  assert.equal(seen, ['named job']);
});

test.run();
