// CollectionSource through real jobs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CollectionSource } from '../../../api/sources/collection-source.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('emits the collection in order from one subtask; iterables are materialized once', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  function* gen() { for (let i = 0; i < 2500; i++) yield i; }
  assert.equal(await env.fromCollection(gen()).executeAndCollect(), Array.from({ length: 2500 }, (_, i) => i));
  // At parallelism 4 the source still runs once (non-parallel); downstream sees every element once.
  env.setParallelism(4);
  assert.equal((await env.fromCollection(gen()).executeAndCollect()).sort((a, b) => a - b), Array.from({ length: 2500 }, (_, i) => i));
  assert.equal(await env.fromElements<string>().executeAndCollect(), []);
  assert.is(new CollectionSource([1]).maxParallelism, 1);
});

test.run();
