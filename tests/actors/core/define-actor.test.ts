import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineActor } from '../../../actors/index.ts';

test('a well-formed behaviour is returned as is', () => {
  const behavior = { init: () => 0, receive: () => {} };
  assert.is(defineActor(behavior), behavior);
});

test('mistakes fail at definition', () => {
  assert.throws(() => defineActor({ init: undefined as never, receive: () => {} }), /init must be a function/);
  assert.throws(() => defineActor({ init: () => 0, receive: 1 as never }), /receive must be a function/);
  assert.throws(() => defineActor({ init: () => 0, receive: () => {}, supervisorStrategy: { kind: 'one-for-one', maxRestarts: -1, withinMs: 10 } }), /maxRestarts/);
  assert.throws(() => defineActor({ init: () => 0, receive: () => {}, persistence: { key: '' } }), /persistence.key/);
});

test.run();
