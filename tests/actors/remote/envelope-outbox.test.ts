// EnvelopeOutbox: frames are valid batches of the queued envelopes, in order, never over the
// peer's limit; an envelope that fits in no frame is refused by name and size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode } from '../../../actors/network/codec.ts';
import { EnvelopeOutbox, MAX_BATCH, MessageTooLargeError } from '../../../actors/remote/envelope-outbox.ts';

function collector() {
  const frames: { payload: Uint8Array; envelopes: unknown[][] }[] = [];
  const outbox = new EnvelopeOutbox((header, body, envelopes) => {
    const payload = new Uint8Array(header.length + body.length);
    payload.set(header);
    payload.set(body, header.length);
    frames.push({ payload, envelopes });
  });
  return { outbox, frames };
}

test('one flush sends one frame that decodes to the queued envelopes, in order', () => {
  const { outbox, frames } = collector();
  for (const n of [1, 15, 16, 300]) {
    for (let i = 0; i < n; i++) outbox.push([1, '/user/a', { type: 'x', i }], 'a', { type: 'x' });
    outbox.flush();
    const last = frames[frames.length - 1];
    assert.equal(decode(last.payload), Array.from({ length: n }, (_, i) => [1, '/user/a', { type: 'x', i }]), `${n} envelopes`);
    assert.is(last.envelopes.length, n);
  }
  outbox.flush();
  assert.is(frames.length, 4, 'an empty outbox sends nothing');
});

test('frames stay under the limit and at most MAX_BATCH envelopes; each envelope is in exactly one frame', () => {
  const { outbox, frames } = collector();
  outbox.maxFrameBytes = 4096;
  const sent: unknown[] = [];
  for (let i = 0; i < 2000; i++) {
    const envelope = [1, '/user/a', { i, pad: 'x'.repeat(i % 97) }];
    sent.push(envelope);
    outbox.push(envelope, 'a', envelope[2]);
  }
  outbox.flush();
  assert.ok(frames.length > 1);
  for (const f of frames) {
    assert.ok(f.payload.length <= 4096, `frame of ${f.payload.length} bytes`);
    assert.ok((decode(f.payload) as unknown[]).length <= MAX_BATCH);
  }
  assert.equal(frames.flatMap((f) => decode(f.payload) as unknown[]), sent);
});

test('an envelope over the limit is refused naming recipient, size and limit, and is not queued', () => {
  const { outbox, frames } = collector();
  outbox.maxFrameBytes = 1024;
  outbox.push([1, '/user/a', 'small'], 'a', 'small');
  assert.throws(() => outbox.push([1, '/user/a', { type: 'big', data: new Uint8Array(2000) }], 'actorflow://s@h:1/user/a', { type: 'big' }),
    (e: unknown) => e instanceof MessageTooLargeError && e.size > 2000 && e.limit === 1024
      && /message 'big' to actorflow:\/\/s@h:1\/user\/a is \d+ bytes encoded, over the receiving system's frame limit of 1024 bytes/.test(e.message));
  assert.is(outbox.size, 1);
  assert.equal(outbox.takeAll(), [[1, '/user/a', 'small']]);
  outbox.flush();
  assert.is(frames.length, 0);
});

test.run();
