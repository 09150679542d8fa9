// A subtask whose input ends on its own: the end-of-input event arrives alone, after the subtask
// went idle, and is handled inside the input gate's poll with no batch after it. The subtask must
// still finish (close its operators and report FINISHED) without anything else waking it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';
import { createRecordBatch } from '../../../api/stream-elements.ts';
import { LocalChannel } from '../../../actors/runtime/local-channel.ts';
import { StreamTask } from '../../../actors/runtime/stream-task.ts';
import { TaskScheduler } from '../../../actors/runtime/task-scheduler.ts';

/** Lets the scheduler and the event loop run a few turns. */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

test('a subtask finishes when the end of its input arrives alone after it went idle', async () => {
  const seen: number[] = [];
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(0).rebalance().map((x: number) => x).name('tail').addSink((x: number) => { seen.push(x); });
  const graph = env.getJobGraph('end alone');
  const vertex = graph.vertices.find((v) => v.name.includes('tail'))!;
  const channel = new LocalChannel(4, 'source -> tail');
  const states: string[] = [];
  const task = new StreamTask({
    jobId: 'job', vertex, subtaskIndex: 0, attemptNumber: 0, clock: new ManualClock(), bufferTimeoutMs: 0, batchSize: 16,
    checkpointingEnabled: false, inputChannels: [{ channel, input: 1 }], outputChannels: new Map(),
    scheduler: new TaskScheduler(), listener: { onStateChange: (_task, state) => { states.push(state); } },
  });
  await task.start();
  const batch = createRecordBatch(3);
  for (const v of [1, 2, 3]) { batch.values[batch.length] = v; batch.length++; }
  channel.push(batch);
  await turns();
  assert.equal(seen, [1, 2, 3], 'the records were processed; the subtask is idle now');
  channel.push({ kind: 'end-of-input' });
  await turns();
  assert.is(task.state, 'finished');
  assert.equal(states, ['finished']);
});

test.run();
