// Environment, execution and checkpoint configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckpointConfig, defaultEnvironmentConfig, ExecutionConfig } from '../../../api/environment/environment-config.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('defaults, and settings stored for the fault-tolerance work', () => {
  const d = defaultEnvironmentConfig();
  assert.equal([d.taskManagers, d.slotsPerTaskManager, d.bufferTimeoutMs, d.batchSize, d.channelCredits, d.executor], [1, undefined, 100, 1024, 4, 'embedded']);
  assert.is(new ExecutionConfig().getAutoWatermarkInterval(), 200);
  assert.throws(() => new ExecutionConfig().setAutoWatermarkInterval(-1), /must be >= 0/);
  const c = new CheckpointConfig().setCheckpointTimeout(5).setMinPauseBetweenCheckpoints(6).setMaxConcurrentCheckpoints(2).setTolerableCheckpointFailureNumber(3).enableUnalignedCheckpoints();
  assert.equal([c.timeoutMs, c.minPauseMs, c.maxConcurrent, c.tolerableFailures, c.unaligned, c.isCheckpointingEnabled()], [5, 6, 2, 3, true, false]);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ taskManagers: 2 }).enableCheckpointing(1000, 'at-least-once').setStateBackend('kv').setCheckpointStorage('/x');
  env.fromElements(1).print();
  const ft = env.getJobGraph().config.faultTolerance as Record<string, any>;
  assert.equal([ft.checkpointing.intervalMs, ft.checkpointing.mode, ft.stateBackend, ft.checkpointStorage], [1000, 'at-least-once', 'kv', '/x']);
  assert.throws(() => StreamExecutionEnvironment.getExecutionEnvironment({ taskManagers: 0 }), /taskManagers must be a positive integer/);
  assert.throws(() => env.enableCheckpointing(0), /interval must be > 0/);
});

test.run();
