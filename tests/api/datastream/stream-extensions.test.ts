// The extension points that break the DataStream/KeyedStream import cycle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BroadcastConnectedStream, ConnectedStreams, KeyedStream, MapStateDescriptor, StreamExecutionEnvironment } from '../../../api/index.ts';
import { streamExtensions } from '../../../api/datastream/stream-extensions.ts';

test('keyed and connected stream constructors are registered once the environment is loaded', () => {
  assert.type(streamExtensions.keyed, 'function');
  assert.type(streamExtensions.connected, 'function');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  assert.instance(env.fromElements(1).keyBy((x) => x), KeyedStream);
  assert.instance(env.fromElements(1).connect(env.fromElements('a')), ConnectedStreams);
  assert.type(streamExtensions.broadcastConnected, 'function');
  assert.instance(env.fromElements(1).connect(env.fromElements('a').broadcast(new MapStateDescriptor('d'))), BroadcastConnectedStream);
});

test.run();
