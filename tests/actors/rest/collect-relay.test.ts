// CollectRelay: batches are taken once (a repeated batch id is acknowledged and dropped), a full
// result refuses batches until a fetch acknowledges rows, fetches page from an offset, a closed
// result refuses pushes, idle results expire; a randomized run against a plain model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import { CollectRelay } from '../../../actors/rest/collect-relay.ts';
import { Random, testSeed } from '../../support/random.ts';

test('a batch is taken once; a full result refuses until rows are acknowledged; pages from an offset', async () => {
  const relay = new CollectRelay({ clock: new ManualClock(), capacity: 3 });
  assert.is(relay.push('r', { batch: 'a', rows: [1, 2] }), 'accepted');
  assert.is(relay.push('r', { batch: 'a', rows: [1, 2] }), 'duplicate');
  assert.is(relay.push('r', { batch: 'b', rows: [3, 4] }), 'accepted', 'taken while there was room (2 < 3)');
  assert.is(relay.push('r', { batch: 'c', rows: [5] }), 'full');
  assert.not.ok(relay.hasRoom('r'));
  const changed = relay.changed('r');
  assert.equal(relay.fetch('r', 0, 3), { offset: 0, rows: [1, 2, 3] });
  assert.is(relay.buffered('r'), 4, 'offset 0 acknowledges nothing');
  assert.equal(relay.fetch('r', 3, 10), { offset: 3, rows: [4] });
  await changed; // the acknowledgement woke the waiting sink
  assert.is(relay.push('r', { batch: 'c', rows: [5] }), 'accepted');
  assert.is(relay.push('r', { batch: 'b', rows: [3, 4] }), 'duplicate', 'a batch acknowledged long ago is still known');
  assert.equal(relay.fetch('r', 5, 10), { offset: 5, rows: [] });
  assert.throws(() => relay.fetch('r', 6, 10), /offset 6 is past the 5 rows/);
  relay.close('r');
  assert.is(relay.push('r', { batch: 'd', rows: [6] }), 'closed');
  assert.throws(() => relay.fetch('r', 5, 10), /closed/);
});

test('a result its client did not fetch from for idleMs expires, however busy its sinks are', () => {
  const clock = new ManualClock();
  const relay = new CollectRelay({ clock, idleMs: 1000 });
  relay.push('old', { batch: 'a', rows: [1] });
  relay.push('new', { batch: 'a', rows: [1] });
  clock.advance(600);
  relay.fetch('new', 1, 10);
  assert.is(relay.push('old', { batch: 'b', rows: [2] }), 'accepted', 'a push does not count as use');
  clock.advance(600);
  assert.is(relay.push('new', { batch: 'b', rows: [2] }), 'accepted');
  assert.is(relay.push('old', { batch: 'c', rows: [3] }), 'closed');
});

test('randomized: pushes with repeats and fetches give every batch once, in order', () => {
  const seed = testSeed('collect-relay');
  const random = new Random(seed);
  const relay = new CollectRelay({ clock: new ManualClock(), capacity: 1 + random.int(1, 20) });
  const model: number[] = [];
  const got: number[] = [];
  let next = 0, batchNo = 0, offset = 0;
  const sent: Array<{ batch: string; rows: number[] }> = [];
  for (let step = 0; step < 5000; step++) {
    if (random.int(0, 3) > 0) {
      // A new batch, or a repeat of one sent before (a recovery committing it again).
      const repeat = sent.length > 0 && random.int(0, 4) === 0;
      const b = repeat ? sent[random.int(0, sent.length - 1)] : { batch: `b${batchNo}`, rows: Array.from({ length: random.int(0, 5) }, () => next++) };
      const outcome = relay.push('r', b);
      if (!repeat && outcome === 'accepted') { batchNo++; sent.push(b); model.push(...b.rows); }
      if (!repeat && outcome === 'full') next -= b.rows.length; // not taken: those values are sent again
      if (repeat) assert.is(outcome, 'duplicate', `seed ${seed}`);
    } else {
      const page = relay.fetch('r', offset, random.int(1, 10));
      got.push(...(page.rows as number[]));
      offset = page.offset + page.rows.length;
    }
  }
  for (;;) {
    const page = relay.fetch('r', offset, 100);
    if (page.rows.length === 0) break;
    got.push(...(page.rows as number[]));
    offset += page.rows.length;
  }
  assert.equal(got, model, `seed ${seed}`);
});

test.run();
