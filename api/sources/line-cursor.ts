// LineCursor: the lines of one file from a byte offset, read in chunks. Its `offset` is always the
// byte position of the next line not yet returned, which is what a file split checkpoints: a reader
// restored from it resumes at exactly that line. Lines end at `\n` (a `\r` before it is dropped);
// the last line needs no newline. Lines are split on bytes before decoding, so a UTF-8 character is
// never cut (0x0A never occurs inside one). Imports file-access only.
import type { ReadableFile } from './file-access.ts';

const decoder = new TextDecoder('utf-8');
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Reads the lines of an open file from a byte offset. */
export class LineCursor {
  /** Bytes read but not yet returned live in buffer[start, end); buffer[start] is at `offset`. */
  private buffer: Uint8Array;
  private start = 0;
  private end = 0;
  /** Where the next read from the file begins. */
  private filePosition: number;
  private atEnd = false;

  constructor(private readonly file: ReadableFile, private position: number, chunkBytes = 64 * 1024) {
    if (!(Number.isSafeInteger(position) && position >= 0)) throw new RangeError(`a line cursor starts at a byte offset >= 0, got ${position}`);
    this.filePosition = position;
    this.buffer = new Uint8Array(chunkBytes);
  }

  /** The byte offset of the next line not yet returned. */
  get offset(): number { return this.position; }

  /** The next line, or undefined once the file has no more. */
  next(): string | undefined {
    for (;;) {
      const newline = this.buffer.subarray(this.start, this.end).indexOf(NEWLINE);
      if (newline >= 0) return this.take(newline, newline + 1);
      if (this.atEnd) return this.end > this.start ? this.take(this.end - this.start, this.end - this.start) : undefined;
      this.fill();
    }
  }

  close(): void { this.file.close(); }

  /** Returns the first `length` bytes as a line and consumes `consumed` bytes. */
  private take(length: number, consumed: number): string {
    let stop = this.start + length;
    if (stop > this.start && this.buffer[stop - 1] === CARRIAGE_RETURN && consumed > length) stop--;
    const line = decoder.decode(this.buffer.subarray(this.start, stop));
    this.start += consumed;
    this.position += consumed;
    return line;
  }

  /** Reads the next chunk after the unconsumed bytes (moving them to the front, growing for long lines). */
  private fill(): void {
    const pending = this.end - this.start;
    if (pending === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer.subarray(this.start, this.end));
      this.buffer = grown;
    } else if (this.start > 0) {
      this.buffer.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = pending;
    const read = this.file.readAt(this.buffer.subarray(this.end), this.filePosition);
    if (read === 0) { this.atEnd = true; return; }
    this.end += read;
    this.filePosition += read;
  }
}
