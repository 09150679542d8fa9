// The lookups one subtask of a SolutionSet.join makes in a spilling solution set (see
// solution-set-table.ts): a key whose bucket is resident is answered at once; the others wait
// per bucket, in memory up to the probe's share of the budget and then as frames of the probe's
// own spill file, until the join's input ends; finish() then answers them bucket by bucket,
// reading each spilled bucket once. Also the frame writer both files use (frames as
// spill-files.ts reads them). Imports state/, api/ and actors/runtime/batch.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import type { Key } from '../../../state/key-groups.ts';
import { mapKey, type SolutionSetProbe } from '../../../api/graph/iteration-spec.ts';
import { estimateBytes } from '../../../api/operators/key-order.ts';
import { encode } from '../../network/codec.ts';
import type { SpillingSolutionSet } from './solution-set-table.ts';
import { readFrames, type SpillDirectory } from './spill-files.ts';

/** The lookups of one join subtask; see the file header. */
export class SpillingProbe<W, S> implements SolutionSetProbe<W> {
  /** Waiting lookups by bucket: [key, element, timestamp] triples in memory, and frame offsets in `path`. */
  private readonly waiting = new Map<number, unknown[]>();
  private readonly frames = new Map<number, number[]>();
  private waitingBytes = 0;
  private waitingEntries = 0;
  private path: string | undefined;
  private written = 0;

  constructor(
    private readonly table: SpillingSolutionSet<S>,
    private readonly onMatch: (entry: S | undefined, w: W, timestamp: number) => void,
    private readonly directory: SpillDirectory,
    private readonly memoryBytes: number,
  ) {}

  probe(key: Key, w: W, timestamp: number): void {
    const index = this.table.bucketOf(key);
    const resident = this.table.resident(index);
    if (resident !== undefined) { this.onMatch(resident.get(mapKey(key)) as S | undefined, w, timestamp); return; }
    let list = this.waiting.get(index);
    if (list === undefined) this.waiting.set(index, list = []);
    list.push(key, w, timestamp);
    this.table.stats.deferredProbes++;
    this.table.count(1);
    this.waitingEntries++;
    this.waitingBytes += estimateBytes(key) + estimateBytes(w) + 8;
    if (this.waitingBytes > this.memoryBytes) this.spillWaiting();
  }

  finish(): void {
    const indexes = [...new Set([...this.waiting.keys(), ...this.frames.keys()])].sort((a, b) => a - b);
    for (const index of indexes) {
      const resident = this.table.resident(index);
      const map = resident ?? this.table.read(index);
      try {
        for (const offset of this.frames.get(index) ?? []) {
          for (const frame of readFrames(this.path!, offset, 1)) this.answer(map, frame as unknown[]);
        }
        const list = this.waiting.get(index);
        if (list !== undefined) {
          this.answer(map, list);
          this.table.count(-list.length / 3);
          this.waitingEntries -= list.length / 3;
        }
      } finally {
        if (resident === undefined) this.table.release(map);
      }
    }
    this.dispose();
  }

  dispose(): void {
    this.table.count(-this.waitingEntries);
    this.waitingEntries = 0;
    this.waiting.clear();
    this.frames.clear();
    this.table.forget(this.path);
    this.path = undefined;
    this.table.probeClosed(this as SpillingProbe<unknown, S>);
  }

  private answer(map: Map<unknown, unknown>, triples: unknown[]): void {
    for (let i = 0; i < triples.length; i += 3) {
      this.onMatch(map.get(mapKey(triples[i] as Key)) as S | undefined, triples[i + 1] as W, triples[i + 2] as number);
    }
  }

  /** Moves every waiting lookup into the probe's file, one frame per bucket. */
  private spillWaiting(): void {
    this.path ??= this.table.newFile('solution-probe');
    const indexes = [...this.waiting.keys()];
    const lists = indexes.map((index) => this.waiting.get(index)!);
    const offsets = appendFrameList(this.path, lists, this.directory, this.written);
    indexes.forEach((index, k) => {
      let list = this.frames.get(index);
      if (list === undefined) this.frames.set(index, list = []);
      list.push(offsets[k]);
    });
    this.written = statSync(this.path).size;
    this.waiting.clear();
    this.table.count(-this.waitingEntries);
    this.waitingEntries = 0;
    this.waitingBytes = 0;
  }
}

/** Writes each of `frames` as one frame at the end of `path`; returns each frame's offset from `start`. */
export function appendFrameList(path: string, frames: readonly unknown[], directory: SpillDirectory, start = 0): number[] {
  const offsets: number[] = [];
  const fd = openSync(path, 'a');
  try {
    let at = start;
    for (const frame of frames) {
      const body = encode(frame);
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, body.byteLength);
      writeSync(fd, header);
      writeSync(fd, body);
      offsets.push(at);
      at += 4 + body.byteLength;
      directory.bytesWritten += 4 + body.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  return offsets;
}
