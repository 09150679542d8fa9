// Word count in SQL: a DataStream splits lines into words, a table environment registers it as a
// view, and a GROUP BY query counts the words. The query's result is an updating table: collect()
// gives the final counts, collectChangelog() every +I/-U/+U change, explainSql() the plan.
// Runs embedded: `npx tsx examples/sql-word-count.ts` (Node) or
// `npx deno run -A --unstable-kv examples/sql-word-count.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment, StreamTableEnvironment, type Row } from '../api/index.ts';

const TEXT = [
  'To be, or not to be, that is the question:',
  "Whether 'tis nobler in the mind to suffer",
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles',
];

const QUERY = `
  SELECT word, COUNT(*) AS cnt, MIN(CHAR_LENGTH(word)) AS len
  FROM words
  WHERE word <> ''
  GROUP BY word
  HAVING COUNT(*) >= ?`;

/** Counts the words of `lines` with SQL; words seen at least `minCount` times, most frequent first. */
export async function sqlWordCount(lines: readonly string[], minCount = 1): Promise<{ rows: Row[]; plan: string }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  const words = env.fromCollection(lines).flatMap<{ word: string }>((line, out) => {
    for (const word of line.toLowerCase().split(/[^a-z']+/)) out.collect({ word });
  });
  tEnv.createTemporaryView('words', words, { columns: { word: 'STRING' } });
  const sql = QUERY.replace('?', String(Math.trunc(minCount)));
  const plan = tEnv.explainSql(sql);
  const rows = await tEnv.sqlQuery(`${sql} ORDER BY cnt DESC, word`).execute().collect();
  return { rows, plan };
}

// Run when started as a program, not when imported (the test imports sqlWordCount).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const { rows, plan } = await sqlWordCount(TEXT);
  console.log(plan);
  for (const r of rows) console.log(`${String(r.word).padEnd(12)} ${r.cnt}`);
}
