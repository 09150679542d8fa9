// DataStreamSink: operator settings of sinks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { checkParallelism } from '../../../api/datastream/data-stream-sink.ts';

test('sink settings land on the sink node', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const sink = env.fromSequence(1, 2).addSink(() => {}).name('My Sink').uid('sink-1').setParallelism(2).slotSharingGroup('sinks').disableChaining();
  assert.equal([sink.node.name, sink.node.uid, sink.node.parallelism, sink.node.slotSharingGroup, sink.node.chainingStrategy], ['My Sink', 'sink-1', 2, 'sinks', 'never']);
  assert.ok(sink.node.isSink);
  assert.throws(() => checkParallelism(1.5, 'S'), /"S": parallelism must be a positive integer, got 1.5/);
});

test.run();
