import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FromItem, Query, SelectQuery } from '../../../../api/table/sql/ast.ts';
import { parseQuery } from '../../../../api/table/sql/parser.ts';
import { fromToSql, queryToSql } from '../../../../api/table/sql/unparse.ts';
import { stripPositions, undefinedFields } from './ast-support.ts';

const shape = (sql: string) => stripPositions(parseQuery(sql));
const select = (sql: string) => {
  const q = parseQuery(sql);
  if (q.kind !== 'select') throw new Error(`not a SELECT: ${sql}`);
  return q;
};
/** The FROM clause printed back, to show how joins and aliases grouped. */
const from = (sql: string) => fromToSql(select(sql).from as FromItem);

/** Query constructs of the Flink dialect: window TVFs, joins, OVER, Top-N, grouping sets, set operations. */
const SNIPPETS = [
  'SELECT * FROM bid',
  'SELECT DISTINCT auction, bidder AS b, price p FROM bid AS x',
  'SELECT B.*, A.id FROM bid B, auction A WHERE A.id = B.auction',
  'SELECT 1',
  "SELECT window_start, window_end, SUM(price) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end",
  "SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))",
  "SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))",
  "SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY item, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))",
  "SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(bidtime), SIZE => INTERVAL '10' MINUTES))",
  'SELECT * FROM a INNER JOIN b ON a.id = b.id LEFT OUTER JOIN c ON b.x = c.x RIGHT JOIN d ON TRUE FULL JOIN e USING (k)',
  'SELECT * FROM a CROSS JOIN b, c',
  'SELECT o.id, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency',
  'SELECT a, t.w FROM src, LATERAL TABLE(split(a)) AS t(w)',
  'SELECT a, w FROM src LEFT JOIN LATERAL TABLE(split(a)) AS t(w) ON TRUE',
  'SELECT a, tag FROM src CROSS JOIN UNNEST(tags) AS t (tag)',
  'SELECT * FROM (SELECT a FROM t) AS s (x)',
  'SELECT * FROM (SELECT a FROM t)',
  'SELECT * FROM ((SELECT a FROM t) UNION ALL (SELECT a FROM u)) v',
  'SELECT * FROM (a JOIN b ON a.x = b.x)',
  'SELECT * FROM a, (b JOIN c ON b.y = c.y)',
  'SELECT a, COUNT(*) FROM t WHERE a > 0 GROUP BY a HAVING COUNT(*) > 1',
  'SELECT a, b, SUM(c) FROM t GROUP BY GROUPING SETS ((a, b), a, ())',
  'SELECT a, b, SUM(c) FROM t GROUP BY ROLLUP(a, b)',
  'SELECT a, b, SUM(c) FROM t GROUP BY CUBE(a, (a, b))',
  'SELECT SUM(c) FROM t GROUP BY ()',
  "SELECT user_id, TUMBLE_START(ts, INTERVAL '1' HOUR), TUMBLE_END(ts, INTERVAL '1' HOUR), TUMBLE_ROWTIME(ts, INTERVAL '1' HOUR), COUNT(*) FROM t GROUP BY user_id, TUMBLE(ts, INTERVAL '1' HOUR)",
  "SELECT HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR), COUNT(*) FROM t GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR)",
  "SELECT SESSION_START(ts, INTERVAL '10' SECOND), SESSION_END(ts, INTERVAL '10' SECOND) FROM t GROUP BY SESSION(ts, INTERVAL '10' SECOND)",
  'SELECT a FROM t ORDER BY a DESC NULLS LAST, b ASC LIMIT 10',
  'SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY',
  'SELECT a FROM t FETCH FIRST 3 ROWS ONLY',
  'SELECT a FROM t UNION SELECT a FROM u UNION ALL SELECT a FROM v',
  'SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT ALL SELECT a FROM v',
  'SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a LIMIT 5',
  '(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT a FROM u ORDER BY a LIMIT 1)',
  'WITH big AS (SELECT * FROM bid WHERE price > 100), agg (a, n) AS (SELECT auction, COUNT(*) FROM big GROUP BY auction) SELECT * FROM agg',
  "VALUES (1, 'a'), (2, 'b')",
  'VALUES 1, 2',
  "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t (id, name)",
  'SELECT a, SUM(b) OVER w, MAX(b) OVER w FROM t WINDOW w AS (PARTITION BY a ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
  'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS rn FROM shop) WHERE rn <= 3',
  "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rownum FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES))) WHERE rownum <= 3",
  "SELECT L.id, R.id FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) L JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) R ON L.id = R.id AND L.window_start = R.window_start AND L.window_end = R.window_end",
  "SELECT * FROM orders o, shipments s WHERE o.id = s.order_id AND o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time",
  'SELECT * FROM t WHERE a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v WHERE v.x = t.x)',
  'SELECT `select`, `from`.`where` FROM `from`',
  'SELECT key, `value` FROM kv',
];

test('every query snippet parses, and prints to SQL that parses back to the same tree', () => {
  for (const sql of SNIPPETS) {
    let tree: Query;
    try {
      tree = parseQuery(sql);
    } catch (e) {
      throw new Error(`${sql}: ${(e as Error).message}`);
    }
    assert.equal(undefinedFields(tree), [], sql);
    const printed = queryToSql(tree);
    assert.equal(stripPositions(parseQuery(printed)), stripPositions(tree), `${sql} -> ${printed}`);
  }
});

test('joins and comma joins group left to right at one level; aliases bind to their table', () => {
  assert.is(from('SELECT * FROM a, b JOIN c ON x'), 'a, b JOIN c ON x');
  const join = select('SELECT * FROM a, b JOIN c ON x').from;
  assert.ok(join?.kind === 'join' && join.joinType === 'INNER' && join.left.kind === 'join' && join.left.joinType === 'COMMA');
  assert.is(from('SELECT * FROM a, (b JOIN c ON x)'), 'a, (b JOIN c ON x)');
  assert.is(from('SELECT * FROM bid B LEFT OUTER JOIN auction AS A ON B.auction = A.id'), 'bid AS B LEFT JOIN auction AS A ON B.auction = A.id');
  assert.is(from('SELECT * FROM r FOR SYSTEM_TIME AS OF o.t s'), 'r FOR SYSTEM_TIME AS OF o.t AS s');
});

test('ORDER BY and LIMIT attach to the set operation, not its last branch', () => {
  const q = parseQuery('SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a LIMIT 5');
  assert.is(q.kind, 'setOp');
  if (q.kind !== 'setOp') return;
  assert.is(q.orderBy.length, 1);
  assert.ok(q.limit);
  assert.is((q.right as SelectQuery).orderBy.length, 0);
  const precedence = parseQuery('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3');
  assert.ok(precedence.kind === 'setOp' && precedence.op === 'UNION' && precedence.right.kind === 'setOp' && precedence.right.op === 'INTERSECT');
});

test('a SELECT list: stars, qualified stars, aliases with and without AS', () => {
  assert.equal(shape('SELECT *, t.*, a.b.*, x AS y, z w FROM t'), {
    kind: 'select', distinct: false, groupBy: [], windows: [], orderBy: [],
    items: [
      { kind: 'star' }, { kind: 'star', qualifier: ['t'] }, { kind: 'star', qualifier: ['a', 'b'] },
      { kind: 'expr', expr: { kind: 'column', names: ['x'] }, alias: 'y' },
      { kind: 'expr', expr: { kind: 'column', names: ['z'] }, alias: 'w' },
    ],
    from: { kind: 'table', name: ['t'] },
  });
});

test('grouping sets, rollup and cube hold lists of expressions; legacy group windows are calls', () => {
  const q = select("SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, ()), ROLLUP(c), TUMBLE(ts, INTERVAL '1' HOUR)");
  assert.equal(stripPositions(q.groupBy), [
    { kind: 'groupingSets', sets: [[{ kind: 'column', names: ['a'] }, { kind: 'column', names: ['b'] }], [{ kind: 'column', names: ['a'] }], []] },
    { kind: 'rollup', sets: [[{ kind: 'column', names: ['c'] }]] },
    {
      kind: 'expr', expr: {
        kind: 'call', name: 'TUMBLE', distinct: false, star: false, noParens: false,
        args: [{ kind: 'column', names: ['ts'] }, { kind: 'interval', value: '1', negative: false, qualifier: { start: 'HOUR' } }],
      },
    },
  ]);
});

test('a window TVF in FROM and a lateral table function keep their call and alias', () => {
  const tvf = select("SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) AS w").from;
  assert.ok(tvf?.kind === 'tableFunction' && !tvf.lateral && tvf.call.name === 'TUMBLE' && tvf.alias?.name === 'w');
  const lateral = select('SELECT * FROM src, LATERAL TABLE(split(a)) AS t(w)').from;
  assert.ok(lateral?.kind === 'join' && lateral.right.kind === 'tableFunction' && lateral.right.lateral);
  if (lateral?.kind === 'join' && lateral.right.kind === 'tableFunction') assert.equal(lateral.right.alias, { name: 't', columns: ['w'] });
});

test('WITH holds named queries with optional column lists; VALUES holds rows', () => {
  assert.equal(shape('WITH x (a) AS (VALUES (1), (2)) SELECT a FROM x'), {
    kind: 'with',
    ctes: [{ name: 'x', columns: ['a'], query: { kind: 'values', rows: [[{ kind: 'numeric', text: '1' }], [{ kind: 'numeric', text: '2' }]] } }],
    body: {
      kind: 'select', distinct: false, groupBy: [], windows: [], orderBy: [],
      items: [{ kind: 'expr', expr: { kind: 'column', names: ['a'] } }], from: { kind: 'table', name: ['x'] },
    },
  });
});

test.run();
