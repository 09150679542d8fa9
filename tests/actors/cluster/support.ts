// Shared pieces of the in-process cluster tests: waiting on the JobManager's view, and reading
// the lines a FileSink committed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Polls `condition` (the JobManager's view) until it yields a value or `ms` pass. */
export async function eventually<T>(what: string, condition: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The committed lines of a FileSink directory (hidden in-progress and pending files excluded), sorted. */
export function committedLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.') && !f.endsWith('.pending'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}
