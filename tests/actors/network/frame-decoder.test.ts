import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeFrame, FrameDecoder, FrameError } from '../../../actors/network/frame-decoder.ts';
import { Random, testSeed } from '../../support/random.ts';

function randomBytes(rnd: Random, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rnd.int(0, 255);
  return b;
}

test('frames split at random points come out whole and in order (randomized)', () => {
  const rnd = new Random(testSeed('frame-split'));
  for (let run = 0; run < 200; run++) {
    const payloads = Array.from({ length: rnd.int(0, 20) }, () => randomBytes(rnd, rnd.int(0, 300)));
    const stream = new Uint8Array(payloads.reduce((n, p) => n + 4 + p.length, 0));
    let off = 0;
    for (const p of payloads) { stream.set(encodeFrame(p), off); off += 4 + p.length; }
    const decoder = new FrameDecoder(1024);
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length;) {
      const n = rnd.int(1, 50);
      out.push(...decoder.push(stream.subarray(i, i + n)));
      i += n;
    }
    assert.is(out.length, payloads.length);
    out.forEach((f, i) => assert.equal(Array.from(f), Array.from(payloads[i])));
    assert.ok(decoder.isClean());
  }
});

test('an oversized length is rejected before buffering the payload', () => {
  const decoder = new FrameDecoder(100);
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, 101);
  assert.throws(() => decoder.push(header), (e: unknown) => e instanceof FrameError && /101 bytes exceeds the limit of 100/.test((e as Error).message));
});

test('random garbage never throws anything but FrameError and never buffers past the limit (fuzz)', () => {
  const rnd = new Random(testSeed('frame-fuzz'));
  const limit = 4096;
  for (let run = 0; run < 2000; run++) {
    const decoder = new FrameDecoder(limit);
    try {
      for (let i = 0; i < 10; i++) {
        for (const f of decoder.push(randomBytes(rnd, rnd.int(0, 64)))) assert.ok(f.length <= limit);
        assert.ok(decoder.pendingBytes <= limit, `${decoder.pendingBytes} bytes buffered under a limit of ${limit}`);
      }
    } catch (e) {
      assert.instance(e, FrameError);
    }
  }
});

test('a truncated stream is detectably unclean', () => {
  const decoder = new FrameDecoder();
  const frame = encodeFrame(new Uint8Array([1, 2, 3]));
  assert.equal(decoder.push(frame.subarray(0, 5)), []);
  assert.not.ok(decoder.isClean());
  assert.is(decoder.push(frame.subarray(5)).length, 1);
  assert.ok(decoder.isClean());
});

function prefix(length: number): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, length);
  return h;
}

test('an oversized length is rejected at its prefix even with the payload in the same chunk, and nothing stays buffered', () => {
  const decoder = new FrameDecoder(100);
  const chunk = new Uint8Array(4 + 5000);
  chunk.set(prefix(5000));
  assert.throws(() => decoder.push(chunk), /5000 bytes exceeds the limit of 100/);
  assert.is(decoder.pendingBytes, 0);
  // A prefix split across chunks is checked the moment its fourth byte arrives.
  const split = new FrameDecoder(100);
  assert.equal(split.push(prefix(101).subarray(0, 3)), []);
  assert.is(split.pendingBytes, 3);
  assert.throws(() => split.push(new Uint8Array([prefix(101)[3], 1, 2, 3])), (e: unknown) => e instanceof FrameError);
  assert.is(split.pendingBytes, 0);
});

test('frames after one that raises the limit are read under the new limit, in the same chunk', () => {
  const small = encodeFrame(new Uint8Array([7]));
  const large = encodeFrame(new Uint8Array(1000).fill(9));
  const stream = new Uint8Array(small.length + large.length);
  stream.set(small);
  stream.set(large, small.length);
  const strict = new FrameDecoder(16);
  assert.throws(() => strict.push(stream), /1000 bytes exceeds the limit of 16/);
  const raising = new FrameDecoder(16);
  const got: number[] = [];
  raising.feed(stream, (f) => { got.push(f.length); raising.maxFrameBytes = 4096; });
  assert.equal(got, [1, 1000]);
  assert.ok(raising.isClean());
});

test('feed stops at a frame whose handler returns false', () => {
  const decoder = new FrameDecoder(64);
  const stream = new Uint8Array([...encodeFrame(new Uint8Array([1])), ...encodeFrame(new Uint8Array([2])), ...prefix(1_000_000)]);
  const got: number[] = [];
  decoder.feed(stream, (f) => { got.push(f[0]); return false; });
  assert.equal(got, [1]);
});

test('empty frames come out wherever they fall in a chunk', () => {
  const decoder = new FrameDecoder(8);
  const stream = new Uint8Array([...prefix(0), ...encodeFrame(new Uint8Array([5])), ...prefix(0)]);
  assert.equal(decoder.push(stream).map((f) => Array.from(f)), [[], [5], []]);
  assert.equal(decoder.push(prefix(0).subarray(0, 2)), []);
  assert.equal(decoder.push(prefix(0).subarray(2)).map((f) => f.length), [0]);
  assert.ok(decoder.isClean());
});

test('clear drops a half-read frame', () => {
  const decoder = new FrameDecoder(100);
  decoder.push(new Uint8Array([...prefix(50), ...new Uint8Array(20)]));
  assert.is(decoder.pendingBytes, 20);
  decoder.clear();
  assert.is(decoder.pendingBytes, 0);
  assert.ok(decoder.isClean());
  assert.equal(Array.from(decoder.push(encodeFrame(new Uint8Array([3])))[0]), [3]);
});

test.run();
