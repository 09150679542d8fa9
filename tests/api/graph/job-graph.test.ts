// Slot arithmetic of job graphs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requiredSlots, slotsPerSharingGroup } from '../../../api/graph/job-graph.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('slots needed: the highest parallelism per slot sharing group, summed over groups', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.fromSequence(1, 9).map((x) => x).setParallelism(4).rebalance().map((x) => x).slotSharingGroup('other').setParallelism(3).addSink(() => {}).setParallelism(3);
  const g = env.getJobGraph();
  assert.equal([...slotsPerSharingGroup(g)], [['default', 4], ['other', 3]]);
  assert.is(requiredSlots(g), 7);
});

test.run();
