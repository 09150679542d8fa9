// BroadcastStream: stream.broadcast(descriptors) keeps the descriptors and partitions by
// broadcast; without descriptors broadcast() stays the plain partitioning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BroadcastStream, DataStream, MapStateDescriptor, StreamExecutionEnvironment } from '../../../api/index.ts';

test('broadcast(descriptors) is a BroadcastStream over a broadcast-partitioned stream', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const a = new MapStateDescriptor<string, number>('a');
  const b = new MapStateDescriptor<number, string>('b');
  const bs = env.fromElements(1, 2).broadcast(a, b);
  assert.instance(bs, BroadcastStream);
  assert.equal(bs.descriptors, [a, b]);
  assert.is(bs.environment, env);
  assert.equal(bs.stream.inputs.map((i) => i.partitioner), [{ kind: 'broadcast' }]);
  const plain = env.fromElements(1).broadcast();
  assert.instance(plain, DataStream);
  assert.equal(plain.inputs.map((i) => i.partitioner), [{ kind: 'broadcast' }]);
  assert.throws(() => new BroadcastStream(env.fromElements(1), []), /at least one MapStateDescriptor/);
});

test('connect needs both streams in one environment', () => {
  const env1 = StreamExecutionEnvironment.getExecutionEnvironment();
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment();
  const bs = env2.fromElements(1).broadcast(new MapStateDescriptor('x'));
  assert.throws(() => env1.fromElements(1).connect(bs), /same environment/);
});

test.run();
