// Sealed bytes: a payload round-trips; every single-bit flip, truncation or move to another
// context is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { isSealed, seal, SealError, unseal } from '../../../state/snapshot/sealed-bytes.ts';
import { Random, testSeed } from '../../support/random.ts';

const random = new Random(testSeed('sealed-bytes'));

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random.int(0, 255);
  return out;
}

function refused(context: string, bytes: Uint8Array): boolean {
  try { unseal(context, bytes); return false; } catch (error) { return error instanceof SealError; }
}

test('the checksum is the first 16 bytes of SHA-256 over the context UTF-8, a zero byte and the payload, for any context and size', () => {
  const alphabet = ['a', '/', ':', '0', 'é', '€', '😀', '\0', ' '];
  for (let i = 0; i < 300; i++) {
    let context = '';
    for (let n = random.int(0, i % 50 === 0 ? 3000 : 80); n > 0; n--) context += alphabet[random.int(0, alphabet.length - 1)];
    const bytes = payload(random.int(0, i % 37 === 0 ? 5000 : 400));
    const expected = createHash('sha256').update(`${context}\0`, 'utf8').update(bytes).digest().subarray(0, 16);
    const sealed = seal(context, bytes);
    assert.equal(Array.from(sealed.subarray(sealed.byteLength - 16)), Array.from(expected), `context of ${context.length} chars, ${bytes.byteLength} bytes`);
    assert.equal(Array.from(unseal(context, sealed)), Array.from(bytes));
  }
});

test('a sealed payload round-trips and is recognised', () => {
  for (const n of [0, 1, 100, 70_000]) {
    const p = payload(n);
    const sealed = seal('key', p);
    assert.ok(isSealed(sealed));
    assert.equal([...unseal('key', sealed)], [...p]);
  }
  assert.not.ok(isSealed(Uint8Array.of(0x81, 0xa1, 0x61, 0x01)), 'plain msgpack is not sealed');
});

test('every single-bit flip of a sealed blob is refused', () => {
  const sealed = seal('cp/job/3/op/kg/17', payload(64));
  for (let bit = 0; bit < sealed.byteLength * 8; bit++) {
    const flipped = sealed.slice();
    flipped[bit >> 3] ^= 1 << (bit & 7);
    assert.ok(refused('cp/job/3/op/kg/17', flipped), `bit ${bit} flipped and accepted`);
  }
});

test('a truncated blob, or one read under another context, is refused', () => {
  const sealed = seal('a', payload(32));
  for (let n = 0; n < sealed.byteLength; n++) assert.ok(refused('a', sealed.subarray(0, n)), `truncated to ${n} bytes`);
  assert.ok(refused('b', sealed), 'moved to another key');
  assert.throws(() => unseal('b', sealed), /checksum mismatch/);
});

test.run();
