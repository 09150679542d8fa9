import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BarrierAligner, type AlignmentHandler, type AlignmentMode } from '../../../actors/checkpoint/barrier-aligner.ts';
import type { BarrierEvent } from '../../../api/stream-elements.ts';
import { Random, testSeed } from '../../support/random.ts';

const barrier = (checkpointId: number): BarrierEvent => ({ kind: 'barrier', checkpointId, timestamp: 0 });

type Element = { record: string } | { barrier: number } | { end: true };

/** Drives an aligner through a random interleaving of per-channel FIFO streams. */
function simulate(mode: AlignmentMode, streams: Element[][], rnd: Random) {
  const blocked = new Set<number>();
  const processed: string[] = [];
  const triggers: Array<{ id: number; processedBefore: Set<string> }> = [];
  const persisted = new Map<number, Set<string>>();
  const persisting = new Map<number, number>(); // channel -> checkpointId
  const aborts: number[] = [];
  const handler: AlignmentHandler = {
    blockChannel: (c) => { blocked.add(c); },
    unblockAll: () => { blocked.clear(); },
    triggerCheckpoint: (b) => { triggers.push({ id: b.checkpointId, processedBefore: new Set(processed) }); persisted.set(b.checkpointId, new Set()); },
    abortCheckpoint: (id) => { aborts.push(id); },
    startPersistingChannel: (id, c) => { persisting.set(c, id); },
    stopPersistingChannel: (_id, c) => { persisting.delete(c); },
  };
  const aligner = new BarrierAligner(streams.length, mode, handler);
  const pos = streams.map(() => 0);
  for (;;) {
    const ready = streams.map((_, c) => c).filter((c) => pos[c] < streams[c].length && !blocked.has(c));
    if (ready.length === 0) break;
    const c = rnd.pick(ready);
    const el = streams[c][pos[c]++];
    if ('record' in el) {
      processed.push(el.record);
      const id = persisting.get(c);
      if (id !== undefined) persisted.get(id)!.add(el.record);
    } else if ('barrier' in el) aligner.onBarrier(c, barrier(el.barrier));
    else aligner.onEndOfInput(c);
  }
  return { triggers, persisted, aborts, pos };
}

/** Random streams: each channel carries records and barriers 1..its last, maybe ending early. */
function randomStreams(rnd: Random, checkpoints: number) {
  const n = rnd.int(1, 6);
  const streams: Element[][] = [];
  const before = new Map<number, Set<string>>(); // checkpoint -> records preceding it on live channels
  for (let id = 1; id <= checkpoints; id++) before.set(id, new Set());
  for (let c = 0; c < n; c++) {
    const lastBarrier = rnd.chance(0.3) ? rnd.int(0, checkpoints) : checkpoints;
    const s: Element[] = [];
    const recs: string[] = [];
    for (let id = 1; id <= lastBarrier + 1; id++) {
      const k = rnd.int(0, 5);
      for (let i = 0; i < k; i++) { const r = `c${c}-b${id}-${i}`; s.push({ record: r }); recs.push(r); }
      if (id <= lastBarrier) { s.push({ barrier: id }); for (const r of recs) before.get(id)!.add(r); }
    }
    if (lastBarrier < checkpoints) {
      s.push({ end: true });
      for (let id = lastBarrier + 1; id <= checkpoints; id++) for (const r of recs) before.get(id)!.add(r);
    }
    streams.push(s);
  }
  return { streams, before };
}

test('exactly-once: every checkpoint triggers once, in order, at a consistent cut (randomized)', () => {
  const rnd = new Random(testSeed('aligner-exactly-once'));
  for (let run = 0; run < 500; run++) {
    const checkpoints = rnd.int(1, 5);
    const { streams, before } = randomStreams(rnd, checkpoints);
    const { triggers, aborts, pos } = simulate('exactly-once', streams, rnd);
    assert.equal(pos, streams.map((s) => s.length), 'every element delivered (no channel stays blocked)');
    assert.equal(aborts, []);
    const liveIds = [...before.keys()].filter((id) => streams.some((s) => s.some((e) => 'barrier' in e && e.barrier === id)));
    assert.equal(triggers.map((t) => t.id), liveIds);
    for (const t of triggers) {
      const expected = before.get(t.id)!;
      // Records of channels that ended before the barrier may or may not precede the trigger;
      // records of channels that carry the barrier must be exactly those before it.
      for (const r of t.processedBefore) {
        const ch = Number(r.slice(1, r.indexOf('-')));
        const carries = streams[ch].some((e) => 'barrier' in e && e.barrier === t.id);
        if (carries) assert.ok(expected.has(r), `record ${r} after barrier ${t.id} leaked into the snapshot`);
      }
      for (const r of expected) {
        const ch = Number(r.slice(1, r.indexOf('-')));
        if (streams[ch].some((e) => 'barrier' in e && e.barrier === t.id)) assert.ok(t.processedBefore.has(r), `record ${r} before barrier ${t.id} missing`);
      }
    }
  }
});

test('at-least-once: never blocks, triggers each checkpoint once all channels delivered it', () => {
  const rnd = new Random(testSeed('aligner-at-least-once'));
  for (let run = 0; run < 500; run++) {
    const { streams, before } = randomStreams(rnd, rnd.int(1, 5));
    const { triggers, pos } = simulate('at-least-once', streams, rnd);
    assert.equal(pos, streams.map((s) => s.length));
    for (const t of triggers) {
      for (const r of before.get(t.id)!) {
        const ch = Number(r.slice(1, r.indexOf('-')));
        if (streams[ch].some((e) => 'barrier' in e && e.barrier === t.id)) assert.ok(t.processedBefore.has(r), `record ${r} missing from checkpoint ${t.id}`);
      }
    }
    const ids = triggers.map((t) => t.id);
    assert.equal(ids, [...ids].sort((a, b) => a - b), 'triggers in order');
    assert.equal(new Set(ids).size, ids.length, 'each once');
  }
});

test('unaligned: state at trigger plus persisted in-flight records is exactly the consistent cut', () => {
  const rnd = new Random(testSeed('aligner-unaligned'));
  for (let run = 0; run < 500; run++) {
    const { streams, before } = randomStreams(rnd, 1);
    const { triggers, persisted, aborts } = simulate('unaligned', streams, rnd);
    assert.equal(aborts, []);
    for (const t of triggers) {
      // A channel that ended before its barrier contributes all its records to the cut.
      const cut = new Set([...t.processedBefore, ...persisted.get(t.id)!]);
      assert.equal([...cut].sort(), [...before.get(t.id)!].sort());
    }
  }
});

test('a newer barrier aborts the pending alignment and unblocks', () => {
  const calls: string[] = [];
  const aligner = new BarrierAligner(2, 'exactly-once', {
    blockChannel: (c) => calls.push(`block ${c}`),
    unblockAll: () => calls.push('unblock'),
    triggerCheckpoint: (b) => calls.push(`trigger ${b.checkpointId}`),
    abortCheckpoint: (id) => calls.push(`abort ${id}`),
  });
  aligner.onBarrier(0, barrier(1));
  assert.ok(aligner.isBlocked(0));
  aligner.onBarrier(1, barrier(2));
  aligner.onBarrier(0, barrier(2));
  aligner.onBarrier(1, barrier(1)); // stale
  assert.equal(calls, ['block 0', 'unblock', 'abort 1', 'block 1', 'block 0', 'unblock', 'trigger 2']);
});

test('coordinator abort releases blocked channels; end of input completes alignment', () => {
  const calls: string[] = [];
  const aligner = new BarrierAligner(3, 'exactly-once', {
    blockChannel: (c) => calls.push(`block ${c}`),
    unblockAll: () => calls.push('unblock'),
    triggerCheckpoint: (b) => calls.push(`trigger ${b.checkpointId}`),
    abortCheckpoint: (id) => calls.push(`abort ${id}`),
  });
  aligner.onBarrier(0, barrier(5));
  aligner.onAbort(5);
  assert.is(aligner.currentCheckpointId, undefined);
  aligner.onBarrier(1, barrier(5)); // late barrier of an aborted checkpoint: ignored
  aligner.onBarrier(0, barrier(6));
  aligner.onBarrier(1, barrier(6));
  aligner.onEndOfInput(2);
  assert.equal(calls, ['block 0', 'unblock', 'abort 5', 'block 0', 'block 1', 'unblock', 'trigger 6']);
});

test('rejects an aligner without channels', () => {
  assert.throws(() => new BarrierAligner(0, 'exactly-once', {} as AlignmentHandler), /at least one input channel/);
});

test.run();
