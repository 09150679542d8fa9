// LineCursor: the lines of a file from any line's byte offset, whatever the chunk size, equal a
// plain split of the whole text; `offset` always names the next line's start (randomized).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReadableFile } from '../../../api/sources/file-access.ts';
import { LineCursor } from '../../../api/sources/line-cursor.ts';
import { Random, testSeed } from '../../support/random.ts';

/** A file held in memory (the cursor only needs positioned reads). */
function memoryFile(bytes: Uint8Array): ReadableFile & { closed: boolean } {
  return {
    closed: false,
    readAt(buffer, position) {
      const n = Math.max(0, Math.min(buffer.length, bytes.length - position));
      buffer.set(bytes.subarray(position, position + n));
      return n;
    },
    close() { this.closed = true; },
  };
}

/** The lines of `text` as a plain loop sees them: split at \n, a \r before it dropped, no empty last line. */
function plainLines(text: string): string[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => (i < parts.length - 1 || text.endsWith('\n') ? p.replace(/\r$/, '') : p));
}

function drain(cursor: LineCursor): string[] {
  const out: string[] = [];
  for (let line = cursor.next(); line !== undefined; line = cursor.next()) out.push(line);
  return out;
}

test('lines of a small file: CRLF, empty lines, unicode, no final newline', () => {
  const text = 'a\r\n\nünï ✓\r\nlast';
  const file = memoryFile(new TextEncoder().encode(text));
  const cursor = new LineCursor(file, 0, 4);
  assert.equal(drain(cursor), ['a', '', 'ünï ✓', 'last']);
  assert.is(cursor.offset, new TextEncoder().encode(text).length);
  cursor.close();
  assert.ok(file.closed);
});

test('an empty file has no lines; a file of one newline has one empty line', () => {
  assert.equal(drain(new LineCursor(memoryFile(new Uint8Array(0)), 0)), []);
  assert.equal(drain(new LineCursor(memoryFile(new TextEncoder().encode('\n')), 0)), ['']);
});

test('resuming at the offset after any line gives the rest, for any chunk size (randomized)', () => {
  const random = new Random(testSeed('line-cursor'));
  const alphabet = ['a', 'b', 'é', '✓', '😀', ' ', '\r', '\n', '\n', '\n'];
  for (let round = 0; round < 200; round++) {
    const length = random.int(0, 300);
    let text = '';
    for (let i = 0; i < length; i++) text += random.pick(alphabet);
    const bytes = new TextEncoder().encode(text);
    const expected = plainLines(text);
    const chunk = random.int(1, 40);
    const cursor = new LineCursor(memoryFile(bytes), 0, chunk);
    const offsets: number[] = [];
    const lines: string[] = [];
    for (let line = cursor.next(); line !== undefined; line = cursor.next()) { lines.push(line); offsets.push(cursor.offset); }
    assert.equal(lines, expected, `round ${round}: ${JSON.stringify(text)} chunk ${chunk}`);
    // A checkpoint after line k restores at offsets[k]: the rest is exactly lines k+1...
    const k = random.int(0, Math.max(0, lines.length - 1));
    if (lines.length > 0) {
      const resumed = drain(new LineCursor(memoryFile(bytes), offsets[k], random.int(1, 40)));
      assert.equal(resumed, expected.slice(k + 1), `round ${round}: resumed after line ${k}`);
    }
  }
});

test('a line longer than the chunk grows the buffer', () => {
  const long = 'x'.repeat(10_000);
  assert.equal(drain(new LineCursor(memoryFile(new TextEncoder().encode(`${long}\nshort\n${long}`)), 0, 16)), [long, 'short', long]);
});

test('a negative or fractional offset is refused', () => {
  assert.throws(() => new LineCursor(memoryFile(new Uint8Array(0)), -1), /byte offset >= 0/);
  assert.throws(() => new LineCursor(memoryFile(new Uint8Array(0)), 1.5), /byte offset >= 0/);
});

test.run();
