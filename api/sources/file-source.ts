// FileSource: the lines of text files (Flink's FileSource with a TextLineInputFormat), built with
// `FileSource.forTextLines(pathOrPaths)`: each path is a file or a directory (read recursively;
// names starting with `.` or `_` are skipped, as Flink does). Bounded by default: the files found
// when the job starts. `.monitorContinuously(intervalMs)` makes it unbounded: files that appear
// later under the paths are read too (a file is read once: write files elsewhere and move them in
// when complete). Replayable: a split is one file, a reader's position is the file and the byte
// offset of its next line, and the enumerator checkpoints which files it has seen, so a job
// restored from a checkpoint emits every line exactly once. Imports api/sources only.
import { pathExists, openFile } from './file-access.ts';
import { FileSplitEnumerator, type FileEnumeratorState, type FileSplit } from './file-split-enumerator.ts';
import { LineCursor } from './line-cursor.ts';
import type { Cancel } from '../time/clock.ts';
import type {
  Boundedness, InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext,
} from './source.ts';

/** Lines emitted per poll at most (about one batch). */
const LINES_PER_POLL = 1024;

/** Reads the lines of the file splits it is given, one split after the other, asking for the next. */
export class TextLineFileReader implements SourceReader<string, FileSplit> {
  private readonly splits: FileSplit[] = [];
  private cursor: LineCursor | undefined;
  private noMoreSplits = false;
  /** When this reader last asked for a split (undefined: it has not asked since its last split). */
  private askedAt: number | undefined;
  private wake: (() => void) | undefined;
  private timer: Cancel | undefined;

  /** `rediscoverMs`: how often an idle reader of a monitoring source asks again (undefined: bounded). */
  constructor(private readonly context: SourceReaderContext, private readonly rediscoverMs?: number) {}

  start(): void {}

  pollNext(output: ReaderOutput<string>): InputStatus {
    if (this.splits.length === 0) {
      if (this.noMoreSplits) return 'end-of-input';
      const now = this.context.clock.now();
      if (this.askedAt === undefined || (this.rediscoverMs !== undefined && now - this.askedAt >= this.rediscoverMs)) {
        this.askedAt = now;
        this.context.sendSplitRequest();
      }
      return 'nothing-available';
    }
    const split = this.splits[0];
    this.cursor ??= new LineCursor(openFile(split.path), split.offset);
    for (let n = 0; n < LINES_PER_POLL; n++) {
      const line = this.cursor.next();
      if (line === undefined) {
        this.cursor.close();
        this.cursor = undefined;
        this.splits.shift();
        break;
      }
      output.collect(line);
    }
    if (this.cursor !== undefined) this.splits[0] = { ...split, offset: this.cursor.offset };
    return 'more-available';
  }

  isAvailable(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      // Monitoring: ask for new files again after the interval.
      if (this.rediscoverMs !== undefined && this.splits.length === 0 && !this.noMoreSplits) {
        this.timer?.();
        this.timer = this.context.clock.schedule(this.rediscoverMs, () => this.wakeUp());
      }
    });
  }

  addSplits(splits: FileSplit[]): void {
    this.splits.push(...splits.map((s) => ({ ...s })));
    this.askedAt = undefined;
    this.wakeUp();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp();
  }

  snapshotState(): FileSplit[] {
    return this.splits.map((s) => ({ ...s }));
  }

  close(): void {
    this.timer?.();
    this.timer = undefined;
    this.cursor?.close();
    this.cursor = undefined;
  }

  private wakeUp(): void {
    this.timer?.();
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The lines of the files under some paths; bounded, or monitoring the paths for new files. */
export class FileSource implements Source<string, FileSplit, FileEnumeratorState> {
  readonly boundedness: Boundedness;

  /** Use `FileSource.forTextLines(...)...build()`. */
  constructor(readonly paths: readonly string[], readonly discoveryIntervalMs?: number) {
    this.boundedness = discoveryIntervalMs === undefined ? 'bounded' : 'continuous-unbounded';
  }

  /** A builder for a source of the lines of the file or directory `path` (or of several). */
  static forTextLines(path: string | readonly string[]): FileSourceBuilder {
    return new FileSourceBuilder(typeof path === 'string' ? [path] : [...path]);
  }

  createEnumerator(context: SplitEnumeratorContext<FileSplit>): SplitEnumerator<FileSplit, FileEnumeratorState> {
    return new FileSplitEnumerator(context, this.paths, this.discoveryIntervalMs !== undefined);
  }

  restoreEnumerator(context: SplitEnumeratorContext<FileSplit>, state: FileEnumeratorState): SplitEnumerator<FileSplit, FileEnumeratorState> {
    return new FileSplitEnumerator(context, this.paths, this.discoveryIntervalMs !== undefined, state);
  }

  createReader(context: SourceReaderContext): SourceReader<string, FileSplit> {
    return new TextLineFileReader(context, this.discoveryIntervalMs);
  }
}

/** Builds a FileSource (Flink's FileSource.FileSourceBuilder). */
export class FileSourceBuilder {
  private discoveryIntervalMs: number | undefined;

  constructor(private readonly paths: readonly string[]) {}

  /** Makes the source unbounded: the paths are checked for new files every `intervalMs`. */
  monitorContinuously(intervalMs: number): this {
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError(`FileSource.monitorContinuously needs an interval > 0 ms, got ${intervalMs}`);
    this.discoveryIntervalMs = intervalMs;
    return this;
  }

  /** Reads the files found when the job starts, then ends (the default). */
  processStaticFileSet(): this {
    this.discoveryIntervalMs = undefined;
    return this;
  }

  /** The source; every path must exist now. */
  build(): FileSource {
    if (this.paths.length === 0) throw new Error('FileSource.forTextLines needs at least one path');
    for (const path of this.paths) {
      if (typeof path !== 'string' || path === '') throw new TypeError(`FileSource.forTextLines: a path must be a non-empty string, got ${JSON.stringify(path)}`);
      if (!pathExists(path)) throw new Error(`FileSource.forTextLines: no such file or directory: ${path}`);
    }
    return new FileSource(this.paths, this.discoveryIntervalMs);
  }
}
