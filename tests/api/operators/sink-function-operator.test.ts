// SinkFunctionOperator: synchronous and promise-returning sink functions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SinkFunctionOperator } from '../../../api/operators/sink-function-operator.ts';
import { harness } from './operator-harness.ts';

test('synchronous functions run per record', async () => {
  const got: number[] = [];
  const h = await harness(new SinkFunctionOperator<number>((v) => { got.push(v); }));
  h.process(1); h.process(2);
  assert.equal(got, [1, 2]);
});

test('promises are awaited at close; a rejection fails the operator', async () => {
  const done: number[] = [];
  const op = new SinkFunctionOperator<number>(async (v) => { await Promise.resolve(); done.push(v); });
  const h = await harness(op);
  h.process(1); h.process(2);
  assert.is(op.inFlight(), 2);
  await op.close();
  assert.equal(done, [1, 2]);
  const failing = new SinkFunctionOperator<number>((v) => (v === 2 ? Promise.reject(new Error('write failed')) : undefined));
  const f = await harness(failing);
  f.process(1); f.process(2);
  try { await failing.close(); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /write failed/); }
});

test.run();
