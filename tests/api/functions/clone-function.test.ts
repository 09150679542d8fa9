// Per-subtask copies of user function objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cloneFunction } from '../../../api/functions/clone-function.ts';

class Fn { shared: number[] = []; own = 0; bump(): number { return ++this.own; } }

test('a copy keeps the prototype and shares outside objects, but has its own fields', () => {
  const fn = new Fn();
  const a = cloneFunction(fn), b = cloneFunction(fn);
  assert.instance(a, Fn);
  a.bump(); a.bump(); b.bump();
  assert.is(a.own, 2); assert.is(b.own, 1); assert.is(fn.own, 0);
  assert.is(a.shared, fn.shared);
});

test.run();
