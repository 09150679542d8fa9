// The outputs that wire an operator chain: direct calls, key setting, fan-out by tag.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BroadcastingOutput, ChainingOutput, createOutput, KeyedChainingOutput } from '../../../actors/runtime/chain-outputs.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import type { Output } from '../../../api/operators/stream-operator.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';

const recorder = (log: string[], name: string): Output<unknown> => ({
  collect: (v, t) => { log.push(`${name}:${v}@${t}`); }, collectSide() {},
  emitWatermark: (t) => { log.push(`${name}:wm${t}`); }, emitWatermarkStatus: (i) => { log.push(`${name}:${i ? 'idle' : 'active'}`); },
});

test('chaining output calls the next operator directly; keyed sets the key first', () => {
  const log: string[] = [];
  const op = { processElement: (v: unknown, t: number) => log.push(`op:${v}@${t}`), processWatermark: (t: number) => log.push(`op:wm${t}`) } as never;
  const out = new ChainingOutput<number>(op);
  out.collect(1, 5); out.emitWatermark(7);
  const backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  const keyed = new KeyedChainingOutput<string>({ processElement: () => log.push(`key=${backend.getCurrentKey()}`) } as never, backend, (v) => v.toUpperCase(), 'K');
  keyed.collect('a', 0);
  assert.equal(log, ['op:1@5', 'op:wm7', 'key=A']);
  assert.throws(() => new KeyedChainingOutput<unknown>({ processElement() {} } as never, backend, () => undefined as never, 'Bad').collect(1, 0), /"Bad" returned undefined/);
});

test('broadcasting output: main to all, side outputs by tag, events to each consumer once', () => {
  const log: string[] = [];
  const a = recorder(log, 'a'), b = recorder(log, 'b'), s = recorder(log, 's');
  const out = createOutput<number>([a, b], new Map([['late', [s, a]]]));
  assert.instance(out, BroadcastingOutput);
  out.collect(1, 0);
  out.collectSide(new OutputTag<number>('late'), 2, 3);
  out.collectSide(new OutputTag<number>('unknown'), 9, 9);
  out.emitWatermark(4);
  assert.equal(log, ['a:1@0', 'b:1@0', 's:2@3', 'a:2@3', 'a:wm4', 'b:wm4', 's:wm4']);
  assert.is(createOutput([a], new Map()), a);
});

test.run();
