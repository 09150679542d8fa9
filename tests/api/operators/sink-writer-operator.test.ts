// SinkWriterOperator: the writer lifecycle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SinkWriterOperator } from '../../../api/operators/sink-writer-operator.ts';
import type { Sink } from '../../../api/sinks/sink.ts';
import { harness } from './operator-harness.ts';

test('creates one writer per subtask, writes, flushes at end of input, closes', async () => {
  const log: string[] = [];
  const sink: Sink<number> = {
    createWriter: (c) => ({
      write: (v, t) => { log.push(`w${c.subtaskIndex}:${v}@${t}`); },
      flush: async (end) => { log.push(`flush ${end}`); },
      close: () => { log.push('close'); },
    }),
  };
  const op = new SinkWriterOperator(sink);
  const h = await harness(op, { subtaskIndex: 2, parallelism: 3 });
  h.process(1, 5); h.watermark(9);
  op.endInput();
  await op.close();
  assert.equal(log, ['w2:1@5', 'flush true', 'close']);
  assert.equal(h.recorded.watermarks, []);
});

test.run();
