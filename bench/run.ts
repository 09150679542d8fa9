// Runs the benchmarks: imports every bench/w*.ts (each registers its workload with the harness),
// then runs all of them, or those whose name starts with one of the arguments
// (`npm run bench -- w6`). One line per figure. Imports node:fs, node:path, node:url.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatResult, registeredBenchmarks, registeredReportingBenchmarks, runBenchmark } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here).filter((f) => /^w\d+.*\.ts$/.test(f)).sort((a, b) => {
  const n = (f: string) => Number(/^w(\d+)/.exec(f)![1]);
  return n(a) - n(b) || a.localeCompare(b);
});
for (const file of files) {
  // `-- nexmark` also selects w4-nexmark.ts: a filter may omit the workload number.
  if (filters.length > 0 && !filters.some((f) => file.startsWith(f) || file.replace(/^w\d+-/, '').startsWith(f))) continue;
  await import(pathToFileURL(join(here, file)).href);
}

let failed = 0;
for (const [name, spec] of registeredBenchmarks()) {
  if (filters.length > 0 && !filters.some((f) => name.startsWith(f))) continue;
  try {
    console.log(formatResult(await runBenchmark(name, spec)));
  } catch (error) {
    failed++;
    console.log(`${name}: FAILED ${(error as Error)?.stack ?? String(error)}`);
  }
}
for (const [name, run] of registeredReportingBenchmarks()) {
  if (filters.length > 0 && !filters.some((f) => name.startsWith(f))) continue;
  try {
    await run();
  } catch (error) {
    failed++;
    console.log(`${name}: FAILED ${(error as Error)?.stack ?? String(error)}`);
  }
}
if (!(globalThis as { gc?: unknown }).gc) console.log('(gc() not exposed: run with --expose-gc for steadier figures)');
process.exit(failed ? 1 : 0);
