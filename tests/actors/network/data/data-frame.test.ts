// Data frames: every element kind and credit round-trips with its channel id; malformed frames
// are rejected with an error (the link that carried them then closes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchDecoder, encode } from '../../../../actors/network/codec.ts';
import {
  BATCH, CREDIT, EVENT, channelHeader, creditFrame, elementFrame, frameChannelId, frameCredits, frameElement, frameKind,
} from '../../../../actors/network/data/data-frame.ts';
import { NO_TIMESTAMP, type ChannelElement } from '../../../../api/stream-elements.ts';

const roundTrip = (id: string, e: ChannelElement) => {
  const frame = elementFrame(channelHeader(id), e);
  assert.is(frame.byteOffset, 0);
  assert.is(frame.byteLength, frame.buffer.byteLength, 'an exact-size buffer (transferable)');
  const kind = frameKind(frame);
  return { kind, id: frameChannelId(frame), element: frameElement(frame, kind, new BatchDecoder()) };
};

test('a batch keeps its valid records and timestamps; a longer array is cut to `length`', () => {
  const got = roundTrip('job/1/0/0->1', { kind: 'records', values: [{ a: 1 }, 'b', 3, 'ignored'], timestamps: [5, NO_TIMESTAMP, -7, 9], length: 3 });
  assert.is(got.kind, BATCH);
  assert.is(got.id, 'job/1/0/0->1');
  assert.equal(got.element, { kind: 'records', values: [{ a: 1 }, 'b', 3], timestamps: [5, NO_TIMESTAMP, -7], length: 3 });
  const untimed = roundTrip('x', { kind: 'records', values: [1, 2], timestamps: [NO_TIMESTAMP, NO_TIMESTAMP], length: 2 });
  assert.equal(untimed.element, { kind: 'records', values: [1, 2], timestamps: [NO_TIMESTAMP, NO_TIMESTAMP], length: 2 });
});

test('events round-trip, including infinite watermarks and a non-ASCII channel id', () => {
  const events: ChannelElement[] = [
    { kind: 'watermark', timestamp: Infinity }, { kind: 'watermark', timestamp: -Infinity }, { kind: 'watermark', timestamp: 12 },
    { kind: 'watermark-status', idle: true }, { kind: 'barrier', checkpointId: 3, timestamp: 99, savepoint: true },
    { kind: 'end-of-input' },
  ];
  for (const e of events) {
    const got = roundTrip('jöb/1/0/0->0', e);
    assert.equal([got.kind, got.id, got.element], [EVENT, 'jöb/1/0/0->0', e]);
  }
});

test('credit frames carry their count', () => {
  const frame = creditFrame(channelHeader('c'), 123456);
  assert.is(frameKind(frame), CREDIT);
  assert.is(frameChannelId(frame), 'c');
  assert.is(frameCredits(frame), 123456);
});

test('malformed frames are rejected', () => {
  const header = channelHeader('c');
  const withBody = (kind: number, body: Uint8Array) => { const f = new Uint8Array(header.length + body.length); f.set(header); f[1] = kind; f.set(body, header.length); return f; };
  assert.throws(() => frameKind(new Uint8Array([0xc1, 1])), /malformed data frame/);
  assert.throws(() => frameKind(new Uint8Array([0x91, 1, 0, 0])), /malformed data frame/);
  assert.throws(() => frameKind(new Uint8Array([0xc1, 7, 0, 0])), /unknown data frame kind 7/);
  assert.throws(() => frameChannelId(new Uint8Array([0xc1, 1, 0, 9, 0x61])), /runs past its end/);
  assert.throws(() => frameChannelId(new Uint8Array([0xc1, 1, 0, 1, 0xff])), /./);
  assert.throws(() => frameCredits(withBody(CREDIT, new Uint8Array([0, 0, 1]))), /malformed credit frame/);
  assert.throws(() => frameCredits(withBody(CREDIT, new Uint8Array(4))), /no credit/);
  assert.throws(() => frameElement(withBody(EVENT, encode({ kind: 'watermark', timestamp: 'soon' })), EVENT), /malformed channel event: watermark/);
  assert.throws(() => frameElement(withBody(EVENT, encode([1, 2])), EVENT), /malformed channel event/);
  assert.throws(() => frameElement(withBody(BATCH, encode('not a batch')), BATCH, new BatchDecoder()), /malformed record batch frame/);
  assert.throws(() => frameElement(withBody(BATCH, encode([[1, 2], new Uint8Array(8)])), BATCH, new BatchDecoder()), /malformed record batch frame/, 'fewer timestamps than records');
  assert.throws(() => channelHeader('x'.repeat(70_000)), /too long/);
});

test.run();
