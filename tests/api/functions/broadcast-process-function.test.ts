// BroadcastProcessFunction and KeyedBroadcastProcessFunction: users extend them; the connected
// stream tells them apart by class, as Flink tells the two process() overloads apart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BroadcastProcessFunction, KeyedBroadcastProcessFunction, MapStateDescriptor, StreamExecutionEnvironment, type Collector,
} from '../../../api/index.ts';

class Plain extends BroadcastProcessFunction<number, number, number> {
  processElement(v: number, _ctx: unknown, out: Collector<number>): void { out.collect(v); }
  processBroadcastElement(): void {}
}
// Flink's nested context names work as types.
class Keyed extends KeyedBroadcastProcessFunction<number, number, number, number> {
  processElement(v: number, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext<number>, out: Collector<number>): void { out.collect(ctx.getCurrentKey() * 10); }
  processBroadcastElement(_v: number, _ctx: KeyedBroadcastProcessFunction.Context): void {}
}

test('subclasses are told apart; a plain object works where the class is not required', async () => {
  assert.instance(new Plain(), BroadcastProcessFunction);
  assert.not.instance(new Plain(), KeyedBroadcastProcessFunction);
  assert.instance(new Keyed(), KeyedBroadcastProcessFunction);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const d = new MapStateDescriptor<string, string>('d');
  const keyed = env.fromElements(1, 2).keyBy((x) => x).connect(env.fromElements(0).broadcast(d)).process(new Keyed());
  const plainObject = env.fromElements(3).keyBy((x) => x).connect(env.fromElements(0).broadcast(d))
    .process({ processElement: (v: number, _c: unknown, out: Collector<number>) => out.collect(-v), processBroadcastElement() {} } as unknown as Keyed);
  assert.equal((await keyed.union(plainObject).executeAndCollect()).sort((a, b) => a - b), [-3, 10, 20]);
});

test.run();
