// Shared pieces of the in-process cluster tests: waiting on the JobManager's view, reading the
// lines a FileSink committed, and temporary directories removed after the last test.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Temporary directories for one test file: `make` one per use, `removeAll` after the last test. */
export function tempDirs(): { make(prefix: string): string; removeAll(): void } {
  const dirs: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    removeAll() { for (const d of dirs) rmSync(d, { recursive: true, force: true }); },
  };
}
