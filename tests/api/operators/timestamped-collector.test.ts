// TimestampedCollector.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimestampedCollector } from '../../../api/operators/timestamped-collector.ts';

test('stamps collected records with the current timestamp', () => {
  const got: Array<[number, number]> = [];
  const c = new TimestampedCollector<number>({ collect: (v, t) => got.push([v, t]), collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} });
  c.collect(1);
  c.timestamp = 42;
  c.collect(2); c.collect(3);
  assert.equal(got, [[1, -Infinity], [2, 42], [3, 42]]);
});

test.run();
