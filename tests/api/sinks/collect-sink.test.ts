// CollectSink through a real job.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CollectSink } from '../../../api/sinks/collect-sink.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('writers of every subtask append to one result list', async () => {
  const sink = new CollectSink<number>();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  env.fromSequence(1, 300).sinkTo(sink);
  await env.execute();
  assert.equal(sink.results.sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i + 1));
});

test.run();
