import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Time } from '../../../api/time/time.ts';

test('durations are milliseconds', () => {
  assert.is(Time.milliseconds(7), 7);
  assert.is(Time.seconds(5), 5000);
  assert.is(Time.minutes(2), 120_000);
  assert.is(Time.hours(1), 3_600_000);
  assert.is(Time.days(1), 86_400_000);
});

test.run();
