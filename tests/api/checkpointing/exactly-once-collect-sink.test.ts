import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExactlyOnceCollectSink } from '../../../api/sinks/collect-sink.ts';

const context = (attemptNumber: number) => ({ subtaskIndex: 0, parallelism: 1, attemptNumber, operatorName: 'collect' });

test('records appear only when their transaction commits, once, in order', () => {
  const sink = new ExactlyOnceCollectSink<number>();
  const a = sink.beginTransaction(context(0));
  sink.write(a, 1); sink.write(a, 2);
  sink.preCommit(a);
  const b = sink.beginTransaction(context(0));
  sink.write(b, 3);
  assert.equal(sink.results, []);
  sink.commit(a);
  sink.commit(a); // a recovery may commit again
  assert.equal(sink.results, [1, 2]);
  sink.abort(b);
  sink.preCommit(b);
  sink.commit(b);
  assert.equal(sink.results, [1, 2], 'an aborted transaction never shows');
});

test('transaction ids are unique across attempts and sinks', () => {
  const s1 = new ExactlyOnceCollectSink<number>();
  const s2 = new ExactlyOnceCollectSink<number>();
  const ids = [s1.beginTransaction(context(0)).id, s1.beginTransaction(context(1)).id, s2.beginTransaction(context(0)).id];
  assert.is(new Set(ids).size, 3);
});

test.run();
