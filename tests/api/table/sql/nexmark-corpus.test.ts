import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InsertStatement, Query, SelectQuery, Statement } from '../../../../api/table/sql/ast.ts';
import { parseStatements } from '../../../../api/table/sql/parser.ts';
import { toSql } from '../../../../api/table/sql/unparse.ts';
import { assertGolden, stripPositions, undefinedFields } from './ast-support.ts';
import { NEXMARK_DDL, NEXMARK_QUERIES } from './nexmark-queries.ts';

const insertOf = (statements: Statement[]): InsertStatement => {
  const last = statements[statements.length - 1];
  assert.is(last.kind, 'insert');
  return last as InsertStatement;
};

test('the DDL parses: a table of nested rows with a computed column and a watermark, three views', () => {
  const statements = parseStatements(NEXMARK_DDL);
  assert.equal(statements.map((s) => s.kind), ['createTable', 'createView', 'createView', 'createView']);
  const table = statements[0];
  if (table.kind !== 'createTable') throw new Error('unreachable');
  assert.equal(table.columns.map((c) => `${c.kind} ${c.name}`), ['physical event_type', 'physical person', 'physical auction', 'physical bid', 'computed dateTime']);
  assert.equal(table.watermark?.column, ['dateTime']);
  assert.equal(table.options.map((o) => o.key), ['connector', 'first-event.rate', 'next-event.rate', 'events.num']);
  assertGolden('nexmark-ddl', statements);
});

for (const [name, script] of Object.entries(NEXMARK_QUERIES)) {
  test(`${name} parses, and its printed SQL parses back to the same tree`, () => {
    const statements = parseStatements(script);
    assert.ok(statements.length >= 2, `${name}: sink DDL and INSERT`);
    insertOf(statements);
    assert.equal(undefinedFields(statements), [], `${name}: optional fields are left out, not undefined`);
    for (const s of statements) {
      const again = parseStatements(toSql(s));
      assert.equal(stripPositions(again), [stripPositions(s)], `${name}: ${toSql(s)}`);
    }
  });
}

test('golden ASTs of q5 (HOP TVF, joins), q6 (OVER ROWS), q11 (legacy SESSION), q13 (FOR SYSTEM_TIME), q15 (FILTER), q21 (CASE, IN)', () => {
  for (const name of ['q5', 'q6', 'q11', 'q13', 'q15', 'q21']) assertGolden(name, insertOf(parseStatements(NEXMARK_QUERIES[name])));
});

test('q7: the window TVF, its join and the BETWEEN bound group as Flink reads them', () => {
  const q = insertOf(parseStatements(NEXMARK_QUERIES.q7)).query as SelectQuery;
  assert.is(q.from?.kind, 'join');
  if (q.from?.kind !== 'join') return;
  assert.is(q.from.joinType, 'INNER');
  assert.equal(q.from.left, { kind: 'table', pos: q.from.left.pos, name: ['bid'], alias: { name: 'B' } });
  const right = q.from.right;
  assert.is(right.kind, 'derived');
  if (right.kind !== 'derived') return;
  assert.is(right.alias?.name, 'B1');
  const inner = right.query as SelectQuery;
  assert.is(inner.from?.kind, 'tableFunction');
  if (inner.from?.kind === 'tableFunction') {
    assert.is(inner.from.call.name, 'TUMBLE');
    assert.equal(inner.from.call.args.map((a) => a.kind), ['tableArg', 'descriptor', 'interval']);
  }
  assert.equal(toSql(q.where!), "B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime");
  assert.equal(stripPositions(q.where), {
    kind: 'between', negated: false, symmetric: false,
    operand: { kind: 'column', names: ['B', 'dateTime'] },
    low: {
      kind: 'binary', op: '-', left: { kind: 'column', names: ['B1', 'dateTime'] },
      right: { kind: 'interval', value: '10', negative: false, qualifier: { start: 'SECOND' } },
    },
    high: { kind: 'column', names: ['B1', 'dateTime'] },
  });
});

test('q9 and q18: Top-N and deduplication read as ROW_NUMBER() OVER in a subquery without an alias', () => {
  for (const name of ['q9', 'q18']) {
    const outer = insertOf(parseStatements(NEXMARK_QUERIES[name])).query as SelectQuery;
    assert.is(outer.from?.kind, 'derived');
    if (outer.from?.kind !== 'derived') continue;
    assert.is(outer.from.alias, undefined);
    const inner = outer.from.query as SelectQuery;
    const rn = inner.items.find((i) => i.kind === 'expr' && i.expr.kind === 'call' && i.expr.name === 'ROW_NUMBER');
    assert.ok(rn && rn.kind === 'expr' && rn.expr.kind === 'call' && rn.expr.over, `${name}: ROW_NUMBER() OVER`);
    assert.is(toSql(outer.where!), name === 'q9' ? 'rownum <= 1' : 'rank_number <= 1');
  }
});

test('positions point at the first token of each node, across lines', () => {
  const statements = parseStatements(NEXMARK_QUERIES.q3);
  const insert = insertOf(statements);
  assert.equal(insert.pos, { line: 2, column: 1, offset: NEXMARK_QUERIES.q3.indexOf('INSERT') });
  const q = insert.query as SelectQuery;
  assert.equal([q.pos.line, q.pos.column], [3, 1]);
  assert.equal([q.from!.pos.line, q.from!.pos.column], [4, 6]);
  assert.equal([q.where!.pos.line, q.where!.pos.column], [5, 7]);
  const second = q.items[1];
  assert.equal([second.pos.line, second.pos.column], [3, 16]);
});

test('parsing a Nexmark query takes well under 1 ms after warm-up', () => {
  const scripts = Object.values(NEXMARK_QUERIES);
  for (let i = 0; i < 200; i++) for (const s of scripts) parseStatements(s);
  const rounds = 200;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) for (const s of scripts) parseStatements(s);
  const perQueryUs = ((performance.now() - start) / (rounds * scripts.length)) * 1000;
  console.log(`nexmark-corpus: ${perQueryUs.toFixed(1)} µs per query script (sink DDL + INSERT), mean over ${scripts.length} queries`);
  assert.ok(perQueryUs < 1000, `${perQueryUs} µs per query`);
});

// Keeps the import of Query used for readers of the golden files: every INSERT holds a Query.
export type { Query };

test.run();
