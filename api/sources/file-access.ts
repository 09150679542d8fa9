// The file system as the file source sees it: listing the files under the paths a FileSource
// names, and reading one file from a byte offset in chunks. Kept to a few small functions over
// node:fs (which Node and Deno both provide) so that the source's logic stays testable and the I/O
// is in one place. Synchronous on purpose: a reader reads a bounded chunk per poll, and the
// enumerator lists a directory when a reader asks for work. Imports node: built-ins only.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Whether a file or directory name is hidden from a file source: names starting with `.` or `_`
 * (Flink's default file filter; a FileSink's in-progress and pending files start with `.`).
 */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** Whether `path` exists (a file or a directory). */
export function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The files under `paths` (each a file, or a directory read recursively without its hidden
 * entries), as absolute paths, sorted and without duplicates. A path that does not exist throws
 * unless `missingOk` (a monitored directory may come and go).
 */
export function listFiles(paths: readonly string[], missingOk = false): string[] {
  const found = new Set<string>();
  const visit = (path: string, top: boolean): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      // A file that vanished between listing and stat is simply not there any more.
      if (!top || missingOk) return;
      throw new Error(`FileSource: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (!isHiddenName(name)) visit(join(path, name), false);
    } else if (stat.isFile()) {
      found.add(path);
    }
  };
  for (const path of paths) visit(resolve(path), true);
  return [...found].sort();
}

/** An open file read by position. */
export interface ReadableFile {
  /** Reads up to `buffer.length` bytes at `position` into `buffer`; returns how many (0 at the end). */
  readAt(buffer: Uint8Array, position: number): number;
  close(): void;
}

/** Opens `path` for reading; a missing or unreadable file throws a clear error. */
export function openFile(path: string): ReadableFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new Error(`FileSource: cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  return {
    readAt: (buffer, position) => readSync(fd, buffer, 0, buffer.length, position),
    close: () => closeSync(fd),
  };
}
