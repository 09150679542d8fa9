// InputGate: fair polling, the combined watermark (minimum, idle channels excluded), end of input
// per input, blocking for barrier alignment, barriers handed to the handler, and the channel state
// an unaligned checkpoint records (with the real BarrierAligner, wired as a subtask wires it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BarrierAligner } from '../../../actors/checkpoint/barrier-aligner.ts';
import { InputGate } from '../../../actors/runtime/input-gate.ts';
import { LocalChannel } from '../../../actors/runtime/local-channel.ts';
import { createRecordBatch, type ChannelElement, type RecordBatch } from '../../../api/stream-elements.ts';

function batch(...values: unknown[]): RecordBatch {
  const b = createRecordBatch(values.length);
  values.forEach((v, i) => { b.values[i] = v; });
  b.length = values.length;
  return b;
}

function setup(inputs: Array<1 | 2>) {
  const channels = inputs.map(() => new LocalChannel(16));
  const events: string[] = [];
  let wakeups = 0;
  const gate = new InputGate(channels.map((channel, i) => ({ channel, input: inputs[i] })), {
    onWatermark: (t) => events.push(`wm ${t}`),
    onWatermarkStatus: (idle) => events.push(idle ? 'idle' : 'active'),
    onEndOfInput: (input) => events.push(`end ${input}`),
  }, () => { wakeups++; });
  const push = (c: number, e: ChannelElement) => channels[c].push(e);
  const pollAll = () => { const out: unknown[] = []; for (let b = gate.pollBatch(); b; b = gate.pollBatch()) out.push(...b.values.slice(0, b.length)); return out; };
  return { gate, channels, events, push, pollAll, wakeups: () => wakeups };
}

test('polls channels round robin and wakes the subtask when data arrives', () => {
  const { push, gate, wakeups } = setup([1, 1]);
  push(0, batch('a1')); push(0, batch('a2')); push(1, batch('b1'));
  assert.ok(wakeups() >= 2);
  const order: unknown[] = [];
  for (let b = gate.pollBatch(); b; b = gate.pollBatch()) order.push(b.values[0]);
  assert.equal(order, ['a1', 'b1', 'a2']);
});

test('the watermark is the minimum over channels; idle channels do not hold it back', () => {
  const { push, pollAll, events } = setup([1, 1, 1]);
  push(0, { kind: 'watermark', timestamp: 10 });
  push(1, { kind: 'watermark', timestamp: 5 });
  pollAll();
  assert.equal(events, []);
  push(2, { kind: 'watermark', timestamp: 7 });
  pollAll();
  assert.equal(events, ['wm 5']);
  push(1, { kind: 'watermark-status', idle: true });
  pollAll();
  assert.equal(events, ['wm 5', 'wm 7']);
  push(0, { kind: 'watermark-status', idle: true });
  push(2, { kind: 'watermark-status', idle: true });
  pollAll();
  assert.ok(events.includes('idle'));
});

test('end of input per input; ended channels release the watermark', () => {
  const { push, pollAll, events, gate } = setup([1, 2, 2]);
  push(1, { kind: 'watermark', timestamp: 3 });
  push(2, { kind: 'watermark', timestamp: 9 });
  push(0, { kind: 'end-of-input' });
  pollAll();
  assert.ok(events.includes('end 1'));
  assert.ok(events.includes('wm 3'));
  assert.not.ok(gate.isFinished());
  push(1, { kind: 'end-of-input' });
  push(2, { kind: 'end-of-input' });
  pollAll();
  assert.ok(events.includes('end 2'));
  assert.ok(gate.isFinished());
});

test('blocked channels are skipped until unblocked; barriers go to the handler', () => {
  const { push, gate, pollAll } = setup([1, 1]);
  const barriers: string[] = [];
  gate.barrierHandler = { processBarrier: (b, c, g) => { barriers.push(`${b.checkpointId}@${c}`); g.blockChannel(c); } };
  push(0, { kind: 'barrier', checkpointId: 1, timestamp: 0 });
  push(0, batch('after-barrier'));
  push(1, batch('x'));
  assert.equal(pollAll(), ['x']);
  assert.equal(barriers, ['1@0']);
  gate.unblockAll();
  assert.equal(pollAll(), ['after-barrier']);
  const bare = setup([1]);
  bare.push(0, { kind: 'barrier', checkpointId: 2, timestamp: 0 });
  assert.throws(() => bare.pollAll(), /no barrier handler/);
});

test('barrier alignment is timed by the given clock (a simulation\'s virtual one), not the real one', () => {
  const channels = [new LocalChannel(16), new LocalChannel(16)];
  let now = 1000;
  const gate = new InputGate(channels.map((channel) => ({ channel, input: 1 as const })), { onWatermark() {}, onWatermarkStatus() {}, onEndOfInput() {} }, () => {}, () => now);
  gate.barrierHandler = { processBarrier: (_b, c, g) => g.blockChannel(c) };
  channels[0].push({ kind: 'barrier', checkpointId: 4, timestamp: 0 });
  while (gate.pollBatch()) { /* drain */ }
  now = 1037;
  channels[1].push({ kind: 'barrier', checkpointId: 4, timestamp: 0 });
  while (gate.pollBatch()) { /* drain */ }
  assert.is(gate.alignmentDurationMs(4), 37);
});

/**
 * A subtask with an unaligned-checkpoint aligner on `setup`'s gate: records are "processed" by
 * pollBatch, mails (read-ahead requests) run between batches, and the snapshot notes what was
 * processed before it. Returns what a checkpoint must satisfy: every record processed after the
 * snapshot that came before its channel's barrier is in the channel state, and nothing else is.
 */
function unalignedSubtask(inputs: Array<1 | 2>) {
  const s = setup(inputs);
  const mails: Array<() => void> = [];
  const processed: unknown[] = [];
  let snapshot: unknown[] | undefined;
  const channelState = new Map<number, unknown[]>();
  const values = (elements: ReturnType<InputGate['stopPersisting']>): unknown[] =>
    elements.flatMap((e) => (e.kind === 'records' ? e.values.slice(0, e.length) : []));
  const aligner = new BarrierAligner(inputs.length, 'unaligned', {
    blockChannel: (c) => s.gate.blockChannel(c),
    unblockAll: () => s.gate.unblockAll(),
    triggerCheckpoint: (b) => { s.gate.startOvertaking(b.checkpointId); snapshot = [...processed]; },
    abortCheckpoint: (id, reason) => { throw new Error(`checkpoint ${id} aborted: ${reason}`); },
    startPersistingChannel: (_id, c) => s.gate.startPersisting(c),
    stopPersistingChannel: (_id, c) => { channelState.set(c, values(s.gate.stopPersisting(c))); },
    alignmentComplete: () => s.gate.stopOvertaking(),
  });
  s.gate.barrierHandler = { processBarrier: (b, c) => aligner.onBarrier(c, b), requestOvertake: (g) => mails.push(() => g.overtake()) };
  const run = (): void => {
    for (let turns = 0; ; turns++) {
      if (turns > 1000) throw new Error('the gate keeps asking to read ahead without progress');
      for (const mail of mails.splice(0)) mail();
      const b = s.gate.pollBatch();
      if (b === undefined && mails.length === 0) return;
      if (b) { processed.push(...b.values.slice(0, b.length)); s.gate.releaseBatch(b); }
    }
  };
  return { ...s, run, processed, channelState, snapshot: () => snapshot };
}

const unalignedBarrier = (checkpointId: number): ChannelElement => ({ kind: 'barrier', checkpointId, timestamp: 0, unaligned: true });

test('unaligned: a first barrier taken in order does not let the gate read past it, nor record what follows it', () => {
  const t = unalignedSubtask([1, 1]);
  t.push(1, unalignedBarrier(1)); t.push(1, batch('b-after'));
  t.push(0, batch('a-before'));
  t.run();
  t.push(0, unalignedBarrier(1)); t.push(0, batch('a-after'));
  t.run();
  assert.equal(t.snapshot(), []);
  assert.equal(Object.fromEntries(t.channelState), { 0: ['a-before'], 1: [] });
  assert.equal([...t.processed].sort(), ['a-after', 'a-before', 'b-after']);
});

test('unaligned: barriers met while the first one is handled wait until the snapshot and persisting have begun', () => {
  const t = unalignedSubtask([1, 1]);
  // Channel 1's barrier is polled in order; reading ahead then finds channel 0's barrier at once.
  t.push(1, unalignedBarrier(1)); t.push(1, batch('b-after'));
  t.push(0, batch('a-before')); t.push(0, unalignedBarrier(1)); t.push(0, batch('a-after'));
  t.run();
  assert.equal(t.snapshot(), []);
  assert.equal(Object.fromEntries(t.channelState), { 0: ['a-before'], 1: [] });
  assert.equal([...t.processed].sort(), ['a-after', 'a-before', 'b-after']);
});

test('unaligned: barriers overtaking queued data record exactly the data they overtook', () => {
  const t = unalignedSubtask([1, 1]);
  t.push(0, batch('a1')); t.push(1, batch('b1'));
  t.run();
  t.gate.startOvertaking(1); // the coordinator's trigger reached the subtask
  t.push(0, batch('a2')); t.push(0, unalignedBarrier(1)); t.push(0, batch('a3'));
  t.push(1, batch('b2')); t.push(1, batch('b3'));
  t.run();
  t.push(1, unalignedBarrier(1)); t.push(1, batch('b4'));
  t.run();
  assert.equal(t.snapshot(), ['a1', 'b1']);
  assert.equal(Object.fromEntries(t.channelState), { 0: ['a2'], 1: ['b2', 'b3'] });
  assert.equal([...t.processed].sort(), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4']);
});

test('processed batches go back to their channel, except those read ahead or recorded (unaligned)', () => {
  const t = unalignedSubtask([1, 1]);
  const recycled: unknown[] = [];
  for (const ch of t.channels) {
    const recycle = ch.recycle.bind(ch);
    ch.recycle = (b) => { recycled.push(b.values[0]); recycle(b); };
  }
  t.push(0, batch('a1')); t.push(1, batch('b1'));
  t.run();
  t.gate.startOvertaking(1);
  t.push(0, batch('a2')); t.push(0, unalignedBarrier(1)); t.push(0, batch('a3'));
  t.push(1, batch('b2')); t.push(1, batch('b3'));
  t.run();
  t.push(1, unalignedBarrier(1)); t.push(1, batch('b4'));
  t.run();
  assert.equal(Object.fromEntries(t.channelState), { 0: ['a2'], 1: ['b2', 'b3'] });
  assert.ok(recycled.includes('a1') && recycled.includes('b1') && recycled.includes('b4'), `recycled: ${recycled.join(', ')}`);
  for (const v of ['a2', 'b2', 'b3']) assert.not.ok(recycled.includes(v), `${v} is in the checkpoint's channel state`);
});

test('data that arrived before the gate existed is polled', () => {
  const channel = new LocalChannel(4);
  channel.push(batch(1, 2));
  const gate = new InputGate([{ channel, input: 1 }], { onWatermark() {}, onWatermarkStatus() {}, onEndOfInput() {} }, () => {});
  assert.equal(gate.pollBatch()!.values.slice(0, 2), [1, 2]);
});

test.run();
