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
        assert.ok(decoder.pendingBytes <= limit + 4 + 64);
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

test.run();
