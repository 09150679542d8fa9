// Word count in BATCH mode: the same program as word-count.ts, run as a bounded job. The keyBy
// splits it into two stages (tokenize, then count) with a blocking exchange between them; the
// count stage sees its input grouped by word and emits one final count per word, not every
// rolling update. With a memory budget smaller than the data, the exchange and the sort spill to
// local temp files. Runs embedded: `npx tsx examples/batch-word-count.ts` (Node) or
// `npx deno run -A examples/batch-word-count.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

const TEXT = [
  'To be, or not to be, that is the question:',
  "Whether 'tis nobler in the mind to suffer",
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles',
];

/** Counts the words of `lines` in batch mode; `memoryBytes` bounds what stays in memory. */
export async function batchWordCount(lines: readonly string[], parallelism = 2, memoryBytes?: number): Promise<Map<string, number>> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode('batch');
  if (memoryBytes !== undefined) env.getConfig().setBatchMemoryBytes(memoryBytes);
  const counts = await env.fromCollection(lines)
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/[^a-z']+/)) if (word) out.collect([word, 1]);
    }).name('Tokenizer')
    .keyBy(([word]) => word)
    .sum(1).name('Count')
    .executeAndCollect('Batch Word Count');
  // One final count per word: no need to pick the last of many updates.
  return new Map(counts);
}

// Run when started as a program, not when imported (the test imports batchWordCount).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const counts = await batchWordCount(TEXT);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [word, n] of sorted) console.log(`${word.padEnd(12)} ${n}`);
}
