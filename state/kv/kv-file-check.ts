// Checks a KV database file before the native KV library opens it in this process. The library
// (denokv's SQLite backend, inside @deno/kv on Node and inside Deno) runs queue and expiry
// maintenance on a worker thread as soon as a file is opened and panics when SQLite reports an
// error there: on Deno the panic ends the process ("Deno has panicked"), on Node the worker dies
// and the next close() aborts the process (SIGABRT). Measured on damaged files: zeroed b-tree pages
// and a header whose write version marks the file read-only panic that way; truncated files and
// foreign bytes fail with ordinary errors. So a file is first checked in JS (the 100-byte SQLite
// header and the file size, which catches truncation and foreign files without touching SQLite),
// then opened once in a child process, where a panic costs only the child; only a file that
// passes both is opened here. A file this process probed is not probed again until its size or
// modification time changes (its header is checked every time). Imports node: built-ins only; never api/ or actors/.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';

/** A KV file that cannot be used: damaged, not a KV database, or unreadable. */
export class KvFileError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`KV file ${path} ${detail}`);
    this.name = 'KvFileError';
  }
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;

/** True when `path` names a local file (not a KV Connect URL, not an in-memory database). */
export function isKvFilePath(path: string | undefined): path is string {
  return path !== undefined && path !== '' && path !== ':memory:' && !path.includes('://');
}

/** Why the bytes of a KV file's header are not those of a usable SQLite database, or undefined. */
export function sqliteHeaderProblem(header: Uint8Array, fileSize: number, walBytes: number): string | undefined {
  if (fileSize === 0) return undefined; // an empty file is a new database
  if (fileSize < HEADER_BYTES || header.byteLength < HEADER_BYTES) return `is truncated (${fileSize} bytes, less than the ${HEADER_BYTES}-byte database header)`;
  for (let i = 0; i < SQLITE_MAGIC.length; i++) {
    if (header[i] !== SQLITE_MAGIC.charCodeAt(i)) return 'is not a KV database (no SQLite header)';
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `has a damaged header (page size ${raw})`;
  const [write, read] = [header[18], header[19]];
  if ((write !== 1 && write !== 2) || (read !== 1 && read !== 2)) return `has a damaged header (file format versions ${write}/${read})`;
  if (pageSize - header[20] < 480) return `has a damaged header (${header[20]} reserved bytes per page)`;
  if (header[21] !== 64 || header[22] !== 32 || header[23] !== 32) return 'has a damaged header (payload fractions)';
  for (let i = 72; i < 92; i++) if (header[i] !== 0) return 'has a damaged header (reserved bytes are not zero)';
  const schemaFormat = view.getUint32(44), encoding = view.getUint32(56);
  if (schemaFormat > 4 || encoding > 3) return `has a damaged header (schema format ${schemaFormat}, text encoding ${encoding})`;
  if (fileSize % pageSize !== 0) return `is truncated or damaged (${fileSize} bytes is not a whole number of ${pageSize}-byte pages)`;
  // The page count in the header is valid when its version-valid-for number matches the change
  // counter; without a write-ahead log the file then holds at least that many pages.
  const pages = view.getUint32(28);
  if (walBytes === 0 && pages > 0 && view.getUint32(92) === view.getUint32(24) && pages * pageSize > fileSize) {
    return `is truncated (its header counts ${pages} pages, the file holds ${fileSize / pageSize})`;
  }
  return undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try { return statSync(path); } catch { return undefined; }
}

function readHeader(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const n = readSync(fd, header, 0, HEADER_BYTES, 0);
    return header.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Files this process checked (path -> size and modification time when checked). */
const checked = new Map<string, string>();

/** A file's identity for the probe's memory: whole milliseconds, as file times can be set back to. */
function identity(stats: Stats): string { return `${stats.ino}:${stats.size}:${Math.trunc(stats.mtimeMs)}`; }

/**
 * Throws a KvFileError unless the KV file at `path` (absent: a new database) is safe to open in
 * this process: readable, an intact SQLite header, and opened without failure in a child process.
 */
export async function checkKvFile(path: string): Promise<void> {
  const absolute = resolve(path);
  const stats = statOrUndefined(absolute);
  if (stats === undefined) return;
  if (!stats.isFile()) throw new KvFileError(path, 'is not a regular file');
  let header: Uint8Array;
  try {
    header = readHeader(absolute);
  } catch (error) {
    throw new KvFileError(path, `cannot be read: ${(error as Error).message}`);
  }
  const problem = sqliteHeaderProblem(header, stats.size, statOrUndefined(absolute + '-wal')?.size ?? 0);
  if (problem !== undefined) throw new KvFileError(path, problem);
  if (stats.size === 0 || checked.get(absolute) === identity(stats)) return;
  await probeInChild(path, absolute);
  const after = statOrUndefined(absolute);
  if (after !== undefined) checked.set(absolute, identity(after));
}

/** Opens and closes the file in a child process of this runtime; throws when the child fails. */
async function probeInChild(path: string, absolute: string): Promise<void> {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  // On Node the raw binding of @deno/kv: close() joins the KV worker threads, so a worker that
  // panicked on the file aborts the child. On Deno a panic ends the child by itself; the checked
  // commit waits until the write worker has finished its start-up maintenance.
  const args = deno
    ? ['eval', '--unstable-kv', 'const kv = await Deno.openKv(Deno.args[0]); await kv.atomic().check({ key: ["\\u0000probe"], versionstamp: null }).commit(); kv.close();', absolute]
    : ['-e', 'const napi = require(process.argv[1]); napi.close(napi.open(process.argv[2], false, false), false);', napiModulePath(), absolute];
  for (let attempt = 0; ; attempt++) {
    const result = await runChild(process.execPath, args);
    if (result.code === 0) return;
    // No child process could be started (Deno without run permission): the header check is all there is.
    if (result.spawnFailed) return;
    const detail = failureLine(result.output) ?? (result.signal ? `the KV library crashed (${result.signal})` : `exit code ${result.code}`);
    // Another process writing the file may hold its lock for a moment: that is no damage.
    if (/database is locked|SQLITE_BUSY/i.test(result.output) && attempt < 5) {
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      continue;
    }
    throw new KvFileError(path, `is damaged or unreadable: opening it failed (${detail})`);
  }
}

function napiModulePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@deno/kv')), '_napi_index.cjs');
}

/** The line of a child's output that says what failed (the panic message or the error). */
function failureLine(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const panic = lines.findIndex((l) => /panicked at/.test(l));
  if (panic >= 0 && lines[panic + 1] !== undefined) return lines[panic + 1];
  const error = lines.find((l) => /^error\b|Error:/i.test(l));
  return error === undefined ? undefined : error.slice(error.lastIndexOf('rror:') + 5).trim();
}

const PROBE_TIMEOUT_MS = 60_000;

interface ChildResult { code: number | null; signal: string | null; output: string; spawnFailed?: boolean }

function runChild(command: string, args: string[]): Promise<ChildResult> {
  return new Promise((done) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a loader of the parent (tsx) is not needed for the probe
    env.NO_COLOR = '1';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      done({ code: null, signal: null, output: String((error as Error).message), spawnFailed: true });
      return;
    }
    let output = '';
    child.stdout?.on('data', (d) => { if (output.length < 16_384) output += String(d); });
    child.stderr?.on('data', (d) => { if (output.length < 16_384) output += String(d); });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); done({ code: null, signal: null, output: String(error.message), spawnFailed: true }); });
    child.on('close', (code, signal) => { clearTimeout(timer); done({ code, signal, output }); });
  });
}

/**
 * Why a KV file cannot be written at `path` (the file, or its directory, where SQLite creates its
 * write-ahead log), or undefined when it can. Tried for real rather than read from permission
 * bits: root ignores those, and a read-only mount or an immutable directory refuses everyone.
 */
export function kvFileUnwritable(path: string): string | undefined {
  const absolute = resolve(path);
  const directory = dirname(absolute);
  if (statOrUndefined(absolute) !== undefined) {
    try {
      closeSync(openSync(absolute, 'r+'));
    } catch (error) {
      return `KV file ${path} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
  if (statOrUndefined(directory)?.isDirectory() !== true) return `directory ${directory} of KV file ${path} does not exist`;
  const probe = join(directory, `.${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.write-check`);
  try {
    const fd = openSync(probe, 'wx');
    try { writeSync(fd, 'x'); } finally { closeSync(fd); }
    unlinkSync(probe);
  } catch (error) {
    return `directory ${directory} of KV file ${path} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  return undefined;
}
