// Word count, the classic first streaming job: split lines into words, key by word, keep a
// rolling count per word, and print the final count of each word. Runs embedded: `npm start`
// (Node) or `npx deno run -A examples/word-count.ts` (Deno). Imports the package entry only.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../api/index.ts';

const TEXT = [
  'To be, or not to be, that is the question:',
  "Whether 'tis nobler in the mind to suffer",
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles',
  'And by opposing end them. To die—to sleep,',
  'No more; and by a sleep to say we end',
];

/** Builds the word-count pipeline and returns the final count of every word. */
export async function wordCount(lines: readonly string[], parallelism = 2): Promise<Map<string, number>> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism);
  const updates = await env.fromCollection(lines)
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/[^a-z']+/)) if (word) out.collect([word, 1]);
    }).name('Tokenizer')
    .keyBy(([word]) => word)
    .sum(1).name('Rolling Count')
    .executeAndCollect('Word Count');
  // The rolling count emits every update; the largest per word is its final count.
  const counts = new Map<string, number>();
  for (const [word, n] of updates) counts.set(word, Math.max(counts.get(word) ?? 0, n));
  return counts;
}

// Run when started as a program, not when imported (the test imports wordCount).
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const counts = await wordCount(TEXT);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [word, n] of sorted) console.log(`${word.padEnd(12)} ${n}`);
}
