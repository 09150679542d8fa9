// Spill files of batch mode: a temp directory per batch job, holding the external sort's runs
// (FileSpillStorage) and the blocking partitions that outgrow memory. A file is a sequence of
// frames, each a 4-byte big-endian length and one msgpack chunk (the codec's encoding), read
// back one frame at a time with synchronous reads, so a reader holds one chunk in memory.
// Imports node:fs, node:os, node:path, the codec and api/operators types.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SortEntry } from '../../../api/operators/key-order.ts';
import type { SpillRun, SpillStorage } from '../../../api/operators/spill-storage.ts';
import { decode, encode } from '../../network/codec.ts';

/** Entries per frame of a sort run. */
const RUN_FRAME_ENTRIES = 1024;

/** A temp directory of spill files, removed when the job ends. */
export class SpillDirectory {
  private path: string | undefined;
  private next = 0;
  /** Bytes written over the directory's life (metrics, tests). */
  bytesWritten = 0;
  /** Files created over the directory's life. */
  filesCreated = 0;

  constructor(private readonly parent: string = tmpdir()) {}

  /** A new file path in the directory (created on first use). */
  newFile(prefix: string): string {
    this.path ??= mkdtempSync(join(this.parent, 'actorflow-batch-'));
    this.filesCreated++;
    return join(this.path, `${prefix}-${this.next++}.bin`);
  }

  /** The directory, once a file was created in it. */
  get location(): string | undefined { return this.path; }

  /** Removes the directory and everything in it. */
  dispose(): void {
    if (this.path !== undefined) rmSync(this.path, { recursive: true, force: true });
    this.path = undefined;
  }
}

/** Appends msgpack frames to a file. */
export class FrameFileWriter {
  private readonly fd: number;
  bytes = 0;

  constructor(readonly path: string, private readonly directory: SpillDirectory) {
    this.fd = openSync(path, 'w');
  }

  /** Writes `value` as one frame; returns the frame's offset. */
  write(value: unknown): number {
    const body = encode(value);
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, body.byteLength);
    const offset = this.bytes;
    writeSync(this.fd, header);
    writeSync(this.fd, body);
    this.bytes += 4 + body.byteLength;
    this.directory.bytesWritten += 4 + body.byteLength;
    return offset;
  }

  close(): void { closeSync(this.fd); }
}

/** Reads the frames of a file from `offset`, one at a time (at most `limit` frames). */
export function* readFrames(path: string, offset = 0, limit = Infinity): Generator<unknown> {
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(4);
    let position = offset;
    for (let n = 0; n < limit; n++) {
      if (readSync(fd, header, 0, 4, position) < 4) return;
      const length = new DataView(header.buffer).getUint32(0);
      const body = new Uint8Array(length);
      let read = 0;
      while (read < length) {
        const r = readSync(fd, body, read, length - read, position + 4 + read);
        if (r === 0) throw new Error(`spill file ${path} ends inside a frame at offset ${position}`);
        read += r;
      }
      position += 4 + length;
      yield decode(body);
    }
  } finally {
    closeSync(fd);
  }
}

/** SpillStorage over files in a SpillDirectory: one file per sorted run. */
export class FileSpillStorage implements SpillStorage {
  constructor(private readonly directory: SpillDirectory) {}

  writeRun(entries: readonly SortEntry[]): SpillRun {
    const path = this.directory.newFile('sort-run');
    const writer = new FrameFileWriter(path, this.directory);
    try {
      for (let i = 0; i < entries.length; i += RUN_FRAME_ENTRIES) {
        const end = Math.min(entries.length, i + RUN_FRAME_ENTRIES);
        const flat: unknown[] = new Array((end - i) * 5);
        for (let j = i, k = 0; j < end; j++, k += 5) {
          const e = entries[j];
          flat[k] = e.key; flat[k + 1] = e.timestamp; flat[k + 2] = e.seq; flat[k + 3] = e.input; flat[k + 4] = e.value;
        }
        writer.write(flat);
      }
    } finally {
      writer.close();
    }
    const bytes = writer.bytes;
    return {
      bytes,
      read: () => readRun(path),
      delete: () => { try { unlinkSync(path); } catch { /* the directory goes with the job anyway */ } },
    };
  }
}

function* readRun(path: string): Generator<SortEntry> {
  for (const frame of readFrames(path)) {
    const flat = frame as any[];
    for (let k = 0; k < flat.length; k += 5) {
      yield { key: flat[k], timestamp: flat[k + 1], seq: flat[k + 2], input: flat[k + 3], value: flat[k + 4] };
    }
  }
}
