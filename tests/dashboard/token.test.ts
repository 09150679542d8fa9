// The login form's token derivation is the server's: SHA-256, HMAC-SHA256 and base64url written
// for the browser agree with node:crypto on random inputs (lengths around the 55/56/64-byte block
// boundaries, keys longer than a block, non-ASCII secrets), and restTokenOf(secret) is the token
// the REST server accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac } from 'node:crypto';
import { restToken } from '../../actors/rest/rest-auth.ts';
import { base64url, hmacSha256, looksLikeToken, restTokenOf, sha256 } from '../../dashboard/src/token.ts';
import { Random, testSeed } from '../support/random.ts';

const random = new Random(testSeed('dashboard-token'));
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => random.int(0, 255));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('sha256 matches node:crypto for every length 0..300 and random data', () => {
  assert.is(hex(sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  for (let n = 0; n <= 300; n++) {
    const data = bytes(n);
    assert.is(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${n}`);
  }
});

test('hmacSha256 matches node:crypto, keys shorter and longer than a block', () => {
  for (let i = 0; i < 200; i++) {
    const key = bytes(random.int(0, 150)), message = bytes(random.int(0, 200));
    assert.is(hex(hmacSha256(key, message)), createHmac('sha256', key).update(message).digest('hex'));
  }
});

test('base64url matches node for lengths 0..40', () => {
  for (let n = 0; n <= 40; n++) {
    const data = bytes(n);
    assert.is(base64url(data), Buffer.from(data).toString('base64url'), `length ${n}`);
  }
});

test('restTokenOf gives the token the server derives, and it looks like a token', () => {
  const alphabet = 'abcXYZ019 -_/+=é€𝄞';
  for (let i = 0; i < 200; i++) {
    const secret = Array.from({ length: random.int(1, 90) }, () => random.pick([...alphabet])).join('');
    const token = restTokenOf(secret);
    assert.is(token, restToken(secret), JSON.stringify(secret));
    assert.ok(looksLikeToken(token));
  }
  assert.not.ok(looksLikeToken('correct horse battery staple'));
});

test.run();
