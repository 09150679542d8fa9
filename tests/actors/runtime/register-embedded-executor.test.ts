// The registration of the embedded executor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { embeddedExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import { findExecutor } from '../../../api/environment/executor-registry.ts';

test('importing the registration makes the embedded executor the one named "embedded"', () => {
  assert.is(findExecutor('embedded'), embeddedExecutor);
});

test.run();
