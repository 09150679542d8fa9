// Sub-plan reuse: an identical sub-plan appearing twice in a query (or in the INSERTs of one
// statement set) is computed once; a counting UDF sees each row once, and results keep both uses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';

test('an identical sub-plan is computed once, its rows used by both consumers', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  let calls = 0;
  tEnv.createTemporarySystemFunction('counted', { resultType: 'BIGINT', eval: (k: number) => { calls++; return k; } });
  await tEnv.executeSql("CREATE TABLE t (k BIGINT) WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1', 'fields.k.end' = '50')");
  await tEnv.executeSql('CREATE VIEW c AS SELECT counted(k) AS k FROM t');
  const union = await tEnv.sqlQuery('SELECT k FROM c UNION ALL SELECT k FROM c').execute().collect();
  assert.is(union.length, 100);
  assert.is(calls, 50, 'the view was computed once');
  calls = 0;
  const joined = await tEnv.sqlQuery('SELECT x.k, y.k AS k2 FROM c x JOIN c y ON x.k = y.k + 1').execute().collect();
  assert.is(joined.length, 49);
  assert.is(calls, 50);
  // Different sub-plans stay apart: the same text over different VALUES is not the same plan.
  const values = await tEnv.sqlQuery('SELECT * FROM (VALUES (1), (2)) UNION ALL SELECT * FROM (VALUES (3), (4))').execute().collect();
  assert.equal(values.map((r) => Object.values(r)[0]).sort(), [1, 2, 3, 4]);
});

test.run();
