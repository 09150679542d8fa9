// Trace: the hash covers every line in order, and firstDifference names where two traces part.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeDivergence, firstDifference, Trace, traceHash } from '../../testing/trace.ts';

test('the digest is the SHA-256 of the lines, each ending with a newline', () => {
  const t = new Trace();
  t.add('a');
  t.add('b');
  assert.is(t.length, 2);
  // sha256("a\nb\n")
  assert.is(t.digest(), '911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2');
  assert.is(traceHash(['a', 'b']), traceHash(['a', 'b']));
  assert.is.not(traceHash(['a', 'b']), traceHash(['b', 'a']));
  assert.is.not(traceHash(['ab']), traceHash(['a', 'b']));
});

test('a trace that keeps no lines still hashes them', () => {
  const kept = new Trace(true), dropped = new Trace(false);
  for (const line of ['x', 'y', 'z']) { kept.add(line); dropped.add(line); }
  assert.equal(dropped.lines, []);
  assert.is(dropped.digest(), kept.digest());
});

test('firstDifference names the first differing event, or the end of the shorter trace', () => {
  assert.is(firstDifference(['a', 'b'], ['a', 'b']), undefined);
  assert.equal(firstDifference(['a', 'b', 'c'], ['a', 'x', 'c']), { index: 1, a: 'b', b: 'x' });
  assert.equal(firstDifference(['a'], ['a', 'b']), { index: 1, a: undefined, b: 'b' });
  assert.match(describeDivergence(['0 #1 timer', '3 #2 tasks:taskmanager-0'], ['0 #1 timer', '3 #2 timer']),
    /first differ at event 1: 3 #2 tasks:taskmanager-0 \| 3 #2 timer/);
  assert.is(describeDivergence(['a'], ['a']), 'the traces are equal');
});

test.run();
