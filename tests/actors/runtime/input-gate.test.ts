// InputGate: fair polling, the combined watermark (minimum, idle channels excluded), end of input
// per input, blocking for barrier alignment, and barriers handed to the handler.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test('data that arrived before the gate existed is polled', () => {
  const channel = new LocalChannel(4);
  channel.push(batch(1, 2));
  const gate = new InputGate([{ channel, input: 1 }], { onWatermark() {}, onWatermarkStatus() {}, onEndOfInput() {} }, () => {});
  assert.equal(gate.pollBatch()!.values.slice(0, 2), [1, 2]);
});

test.run();
