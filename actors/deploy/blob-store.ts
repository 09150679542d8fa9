// BlobStore: content-addressed storage of job bundles (key = sha256 hex of the bytes), in memory
// or in a directory (one file per blob, written atomically: temporary file, then rename). The
// JobManager keeps submitted bundles here; TaskManagers fetch them by key. Blobs no job needs are
// deleted (a refused submission's); `usage` accounts for what the store holds. Imports node: built-ins.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The blob key of `bytes`: their sha256, in hex. */
export function blobKey(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether `key` has the shape of a blob key (anything else is never stored). */
export function isBlobKey(key: string): boolean {
  return /^[0-9a-f]{64}$/.test(key);
}

/** Where a BlobStore keeps its bytes. */
interface BlobBackend {
  has(key: string): Promise<boolean>;
  write(key: string, bytes: Uint8Array): Promise<void>;
  read(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  usage(): Promise<BlobUsage>;
}

/** What a BlobStore holds: its blobs and their bytes (a directory's files, temporary ones included). */
export interface BlobUsage { readonly blobs: number; readonly bytes: number }

/** Content-addressed blobs: equal bytes are stored once, under the sha256 hex of the bytes. */
export class BlobStore {
  private constructor(private readonly backend: BlobBackend) {}

  /** A store that lives as long as this process. */
  static inMemory(): BlobStore { return new BlobStore(new MemoryBlobs()); }

  /** A store in `dir` (created on the first put): survives the process, shared by every store on it. */
  static inDirectory(dir: string): BlobStore { return new BlobStore(new DirectoryBlobs(dir)); }

  /** Stores `bytes` (once) and returns their key. */
  async put(bytes: Uint8Array): Promise<string> {
    const key = blobKey(bytes);
    if (!(await this.backend.has(key))) await this.backend.write(key, bytes);
    return key;
  }

  /** The bytes stored under `key`; undefined when there are none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    return isBlobKey(key) ? this.backend.read(key) : undefined;
  }

  /** Whether bytes are stored under `key`. */
  async has(key: string): Promise<boolean> {
    return isBlobKey(key) && this.backend.has(key);
  }

  /** Deletes the bytes stored under `key` (nothing when there are none). */
  async delete(key: string): Promise<void> {
    if (isBlobKey(key)) await this.backend.delete(key);
  }

  /** How many blobs, of how many bytes, the store holds now. */
  usage(): Promise<BlobUsage> { return this.backend.usage(); }
}

class MemoryBlobs implements BlobBackend {
  private readonly blobs = new Map<string, Uint8Array>();
  async has(key: string): Promise<boolean> { return this.blobs.has(key); }
  // A copy: the caller may reuse its buffer.
  async write(key: string, bytes: Uint8Array): Promise<void> { this.blobs.set(key, bytes.slice()); }
  async read(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.blobs.get(key);
    return bytes === undefined ? undefined : bytes.slice();
  }
  async delete(key: string): Promise<void> { this.blobs.delete(key); }
  async usage(): Promise<BlobUsage> {
    let bytes = 0;
    for (const blob of this.blobs.values()) bytes += blob.length;
    return { blobs: this.blobs.size, bytes };
  }
}

class DirectoryBlobs implements BlobBackend {
  constructor(private readonly dir: string) {}

  async has(key: string): Promise<boolean> {
    return (await stat(this.file(key)).catch(() => undefined))?.isFile() ?? false;
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, bytes);
      await rename(temp, this.file(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw new Error(`cannot store blob ${key} in ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.file(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read blob ${key} from ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    if (blobKey(bytes) !== key) throw new Error(`blob ${key} in ${this.dir} is corrupt: its bytes hash to ${blobKey(bytes)}`);
    return bytes;
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.file(key), { force: true });
    } catch (error) {
      throw new Error(`cannot delete blob ${key} from ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  async usage(): Promise<BlobUsage> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    let blobs = 0, bytes = 0;
    for (const name of names) {
      const info = await stat(join(this.dir, name)).catch(() => undefined);
      if (!info?.isFile()) continue;
      blobs++;
      bytes += info.size;
    }
    return { blobs, bytes };
  }

  private file(key: string): string { return join(this.dir, key); }
}
