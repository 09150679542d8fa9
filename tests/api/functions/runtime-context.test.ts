// RuntimeContext: subtask facts and keyed state access.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRuntimeContext } from '../../../api/functions/runtime-context.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { ManualClock } from '../../../api/time/clock.ts';

const base = { operatorName: 'Op', uid: 'u', subtaskIndex: 2, parallelism: 4, maxParallelism: 64, attemptNumber: 1, clock: new ManualClock(), registerProcessingTimer: () => () => {}, accumulators: new Map() };

test('subtask facts and keyed state through the backend', () => {
  const keyedState = new HeapKeyedStateBackend({ maxParallelism: 64, keyGroupRange: { start: 0, end: 63 } });
  const rc = createRuntimeContext({ ...base, keyedState });
  assert.equal([rc.getIndexOfThisSubtask(), rc.getNumberOfParallelSubtasks(), rc.getMaxNumberOfParallelSubtasks(), rc.getAttemptNumber(), rc.getTaskName()], [2, 4, 64, 1, 'Op']);
  keyedState.setCurrentKey('k');
  rc.getState(new ValueStateDescriptor<number>('v')).update(3);
  rc.getListState(new ListStateDescriptor<number>('l')).add(1);
  assert.is(keyedState.getValueState(new ValueStateDescriptor<number>('v')).value(), 3);
});

test('keyed state on a non-keyed stream fails with a clear message', () => {
  const rc = createRuntimeContext(base);
  assert.throws(() => rc.getState(new ValueStateDescriptor('v')), /only available on a keyed stream \(operator "Op"\)/);
});

test('counters accumulate per name into the subtask accumulators; a non-counter name is refused', () => {
  const accumulators = new Map<string, unknown>([['text', 'x']]);
  const rc = createRuntimeContext({ ...base, accumulators });
  const a = rc.getLongCounter('rows');
  a.add(2); a.add(3);
  rc.getIntCounter('rows').add(1);
  assert.is(a.getLocalValue(), 6);
  assert.is(accumulators.get('rows'), 6);
  // A second runtime context of the same operator sees the same accumulator.
  assert.is(createRuntimeContext({ ...base, accumulators }).getDoubleCounter('rows').getLocalValue(), 6);
  assert.throws(() => rc.getIntCounter('text'), /accumulator "text" exists and is not a counter/);
});

test('counters of every subtask are summed in the job result', async () => {
  const { StreamExecutionEnvironment, ProcessFunction } = await import('../../../api/index.ts');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(3);
  class Count extends ProcessFunction<number, number> {
    private rows!: { add(n: number): void };
    private sum!: { add(n: number): void };
    open(ctx: import('../../../api/functions/runtime-context.ts').RuntimeContext): void { this.rows = ctx.getLongCounter('rows'); this.sum = ctx.getLongCounter('sum'); }
    processElement(value: number): void { this.rows.add(1); this.sum.add(value); }
  }
  env.fromSequence(1, 1000).rebalance().process(new Count()).addSink(() => {});
  const result = await env.execute('counters');
  assert.equal(result.accumulators, { rows: 1000, sum: 500500 });
});

test.run();
