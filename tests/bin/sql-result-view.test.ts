// The SQL client's result view on a terminal: an updating table is redrawn in place (throttled by
// the scheduler it is given) and a redraw still due when the query ends draws nothing more.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResultView } from '../../bin/commands/sql/result-view.ts';

test('table mode on a terminal: throttled redraws of the materialized rows, none after the end', () => {
  const drawn: string[][] = [];
  const due: (() => void)[] = [];
  const view = new ResultView('table', [{ name: 'k', type: { kind: 'STRING', nullable: true } }, { name: 'c', type: { kind: 'BIGINT', nullable: false } }],
    { println: () => { throw new Error('a terminal view redraws rather than prints'); }, refresh: (lines) => { drawn.push([...lines]); } },
    (fn) => { due.push(fn); });
  view.add({ op: '+I', row: { k: 'a', c: 1 } });
  view.add({ op: '-U', row: { k: 'a', c: 1 } });
  view.add({ op: '+U', row: { k: 'a', c: 2 } });
  assert.is(due.length, 1, 'one redraw scheduled for the three changes');
  due.shift()!();
  assert.equal(drawn.at(-1), ['+---+---+', '| k | c |', '+---+---+', '| a | 2 |', '+---+---+', '1 row in set']);
  view.add({ op: '+I', row: { k: null, c: 1 } });
  view.end(false);
  assert.equal(drawn.at(-1), ['+--------+---+', '|      k | c |', '+--------+---+', '|      a | 2 |', '| <NULL> | 1 |', '+--------+---+', '2 rows in set']);
  const count = drawn.length;
  for (const fn of due.splice(0)) fn();
  assert.is(drawn.length, count, 'the redraw due after the end drew nothing');
});

test.run();
