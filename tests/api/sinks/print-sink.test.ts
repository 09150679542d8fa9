// PrintSink line format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PrintSink } from '../../../api/sinks/print-sink.ts';

const ctx = (subtaskIndex: number, parallelism: number) => ({ subtaskIndex, parallelism, attemptNumber: 0, operatorName: 'p' });

test('Flink-style lines: prefix and subtask number only when useful', () => {
  const lines: string[] = [];
  const log = (l: string) => { lines.push(l); };
  new PrintSink<unknown>(undefined, log).createWriter(ctx(0, 1)).write('plain', 0);
  new PrintSink<unknown>('out', log).createWriter(ctx(0, 1)).write({ a: 1n }, 0);
  new PrintSink<unknown>(undefined, log).createWriter(ctx(1, 3)).write(42, 0);
  new PrintSink<unknown>('out', log).createWriter(ctx(2, 3)).write(['x', 1], 0);
  assert.equal(lines, ['plain', 'out> {"a":"1"}', '2> 42', 'out:3> ["x",1]']);
});

test.run();
