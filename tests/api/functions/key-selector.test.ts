// Key selection and the invalid-key error message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invalidKeyError, selectKey } from '../../../api/functions/key-selector.ts';

test('valid keys pass through; invalid ones fail naming the operator and what was returned', () => {
  assert.is(selectKey((v: string) => v, 'a', 'op'), 'a');
  assert.equal(selectKey((v: number) => [v, 'x'], 1, 'op'), [1, 'x']);
  assert.is(selectKey(() => 10n, 0, 'op'), 10n);
  assert.throws(() => selectKey(() => undefined as never, 0, 'My Op'), /"My Op" returned undefined/);
  assert.throws(() => selectKey(() => NaN, 0, 'op'), /returned NaN/);
  assert.throws(() => selectKey(() => ({}) as never, 0, 'op'), /an object \(Object\)/);
  assert.throws(() => selectKey(() => [1, null] as never, 0, 'op'), /array containing a non-key/);
  assert.match(invalidKeyError('x', null).message, /returned null/);
});

test.run();
