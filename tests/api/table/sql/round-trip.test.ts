import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type {
  DataType, Expr, FrameBound, IntervalQualifier, OrderItem, Query, SourcePos, TimeUnit, WindowSpec,
} from '../../../../api/table/sql/ast.ts';
import { parseExpression } from '../../../../api/table/sql/parser.ts';
import { expressionToSql } from '../../../../api/table/sql/unparse.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { stripPositions } from './ast-support.ts';

// Random expression trees in the parser's own normal form (positions are dropped before comparing),
// printed to SQL and parsed back: the printer's parentheses and quoting must agree with the
// parser's binding strengths and keywords for every shape the generator reaches.

const pos: SourcePos = { line: 0, column: 0, offset: 0 };
const NAMES = ['a', 'price', 'dateTime', 'B', 'x1', 'select', 'from', 'day', 'value', 'a b', 'x`y', 'été', 'ROWS', 'CURRENT_DATE', 'TABLE', 'key'];
const FUNCTIONS = ['f', 'count', 'SUM', 'my_udf', 'LEFT', 'DATE', 'MAP', 'FLOOR', 'SUBSTRING', 'POSITION', 'date format', 'ROW', 'CAST', 'TRIM'];
const UNITS: TimeUnit[] = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'];
const RANGES: Partial<Record<TimeUnit, TimeUnit[]>> = { YEAR: ['MONTH'], DAY: ['HOUR', 'MINUTE', 'SECOND'], HOUR: ['MINUTE', 'SECOND'], MINUTE: ['SECOND'] };
const EXTRACT_UNITS: TimeUnit[] = [...UNITS, 'QUARTER', 'WEEK', 'MILLISECOND', 'DOW', 'DOY', 'EPOCH', 'CENTURY'];
const BINARY_OPS = ['OR', 'AND', '=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||'] as const;
const STRINGS = ['', 'abc', "it's", "''", '%_x', 'line\nbreak', '日本'];

class ExprGenerator {
  constructor(private readonly r: Random) {}

  names(max = 3): string[] {
    return Array.from({ length: this.r.int(1, max) }, () => this.r.pick(NAMES));
  }

  qualifier(): IntervalQualifier {
    const start = this.r.pick(UNITS);
    const precision = this.r.chance(0.3) ? this.r.int(1, 9) : undefined;
    const ends = RANGES[start];
    const end = ends && this.r.chance(0.5) ? this.r.pick(ends) : undefined;
    let fractionalPrecision: number | undefined;
    if (end === 'SECOND' && this.r.chance(0.5)) fractionalPrecision = this.r.int(0, 9);
    if (!end && start === 'SECOND' && precision !== undefined && this.r.chance(0.5)) fractionalPrecision = this.r.int(0, 9);
    return { start, ...(precision !== undefined ? { precision } : {}), ...(end ? { end } : {}), ...(fractionalPrecision !== undefined ? { fractionalPrecision } : {}) };
  }

  type(depth: number): DataType {
    const nullable = this.r.chance(0.8);
    const k = depth <= 0 ? this.r.int(0, 4) : this.r.int(0, 8);
    switch (k) {
      case 0: return { pos, nullable, name: this.r.pick(['BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'STRING', 'BYTES', 'DATE'] as const) };
      case 1: {
        const precision = this.r.chance(0.7) ? this.r.int(1, 38) : undefined;
        const scale = precision !== undefined && this.r.chance(0.5) ? this.r.int(0, precision) : undefined;
        return { pos, nullable, name: 'DECIMAL', ...(precision !== undefined ? { precision } : {}), ...(scale !== undefined ? { scale } : {}) };
      }
      case 2: return { pos, nullable, name: this.r.pick(['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'] as const), ...(this.r.chance(0.5) ? { length: this.r.int(1, 100) } : {}) };
      case 3: return { pos, nullable, name: this.r.pick(['TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ'] as const), ...(this.r.chance(0.5) ? { precision: this.r.int(0, 9) } : {}) };
      case 4: return { pos, nullable, name: 'INTERVAL', qualifier: this.qualifier() };
      case 5: return { pos, nullable, name: this.r.pick(['ARRAY', 'MULTISET'] as const), element: this.type(depth - 1) };
      case 6: return { pos, nullable, name: 'MAP', key: this.type(depth - 1), value: this.type(depth - 1) };
      default:
        return {
          pos, nullable, name: 'ROW',
          fields: Array.from({ length: this.r.int(0, 3) }, () => ({ pos, name: this.r.pick(NAMES), type: this.type(depth - 1), ...(this.r.chance(0.3) ? { comment: this.r.pick(STRINGS) } : {}) })),
        };
    }
  }

  literal(): Expr {
    switch (this.r.int(0, 7)) {
      case 0: return { kind: 'numeric', pos, text: this.r.pick(['0', '7', '123456789012345678901234567890', '0.908', '.5', '1.5E-3', '2e10']) };
      case 1: return { kind: 'string', pos, value: this.r.pick(STRINGS) };
      case 2: return { kind: 'boolean', pos, value: this.r.chance(0.5) };
      case 3: return { kind: 'null', pos };
      case 4: return { kind: 'typedLiteral', pos, type: this.r.pick(['DATE', 'TIME', 'TIMESTAMP'] as const), value: '2024-01-31' };
      case 5: return { kind: 'interval', pos, value: this.r.pick(['5', '1-2', '10 00:00:00.004']), negative: this.r.chance(0.2), qualifier: this.qualifier() };
      case 6: return { kind: 'call', pos, name: this.r.pick(['CURRENT_TIMESTAMP', 'LOCALTIME']), args: [], distinct: false, star: false, noParens: true };
      default: return { kind: 'column', pos, names: this.names() };
    }
  }

  query(depth: number): Query {
    return {
      kind: 'select', pos, distinct: this.r.chance(0.2), items: [{ kind: 'expr', pos, expr: this.expr(depth - 1), ...(this.r.chance(0.5) ? { alias: this.r.pick(NAMES) } : {}) }],
      from: { kind: 'table', pos, name: this.names(2) }, groupBy: [], windows: [], orderBy: [],
      ...(this.r.chance(0.3) ? { where: this.expr(depth - 1) } : {}),
    };
  }

  orderItems(depth: number): OrderItem[] {
    return Array.from({ length: this.r.int(1, 2) }, () => ({
      pos, expr: this.expr(depth - 1),
      ...(this.r.chance(0.5) ? { direction: this.r.pick(['ASC', 'DESC'] as const) } : {}),
      ...(this.r.chance(0.3) ? { nulls: this.r.pick(['FIRST', 'LAST'] as const) } : {}),
    }));
  }

  bound(depth: number): FrameBound {
    const bound = this.r.pick(['UNBOUNDED PRECEDING', 'PRECEDING', 'CURRENT ROW', 'FOLLOWING', 'UNBOUNDED FOLLOWING'] as const);
    return bound === 'PRECEDING' || bound === 'FOLLOWING' ? { pos, bound, offset: this.expr(depth - 1) } : { pos, bound };
  }

  window(depth: number): WindowSpec {
    if (this.r.chance(0.2)) return { pos, ref: this.r.pick(NAMES), partitionBy: [], orderBy: [] };
    return {
      pos,
      ...(this.r.chance(0.1) ? { ref: this.r.pick(NAMES) } : {}),
      partitionBy: this.r.chance(0.6) ? this.list(depth, 1, 2) : [],
      orderBy: this.r.chance(0.7) ? this.orderItems(depth) : [],
      ...(this.r.chance(0.5) ? { frame: { pos, unit: this.r.pick(['ROWS', 'RANGE'] as const), start: this.bound(depth), end: this.bound(depth) } } : {}),
    };
  }

  list(depth: number, min: number, max: number): Expr[] {
    return Array.from({ length: this.r.int(min, max) }, () => this.expr(depth - 1));
  }

  argument(depth: number): Expr {
    switch (this.r.int(0, 9)) {
      case 0: return { kind: 'tableArg', pos, table: this.names(2), partitionBy: Array.from({ length: this.r.int(0, 2) }, () => ({ kind: 'column', pos, names: this.names(2) })) };
      case 1: return { kind: 'descriptor', pos, columns: this.names() };
      case 2: {
        // A named argument's value is anything but another named argument.
        let value = this.argument(depth);
        while (value.kind === 'namedArg') value = this.argument(depth);
        return { kind: 'namedArg', pos, name: this.r.pick(NAMES), value };
      }
      default: return this.expr(depth - 1);
    }
  }

  call(depth: number): Expr {
    const star = this.r.chance(0.1);
    const args = star ? [] : Array.from({ length: this.r.int(0, 3) }, () => (this.r.chance(0.15) ? this.argument(depth) : this.expr(depth - 1)));
    const filter = this.r.chance(0.15) ? this.expr(depth - 1) : undefined;
    const over = this.r.chance(0.15) ? this.window(depth) : undefined;
    return {
      kind: 'call', pos, name: this.r.pick(FUNCTIONS), args, distinct: !star && args.length > 0 && !args.some((a) => a.kind === 'namedArg') && this.r.chance(0.2),
      star, noParens: false, ...(filter ? { filter } : {}), ...(over ? { over } : {}),
    };
  }

  expr(depth: number): Expr {
    if (depth <= 0) return this.literal();
    const r = this.r;
    const d = depth - 1;
    switch (r.int(0, 24)) {
      case 0: case 1: return this.literal();
      case 2: case 3: case 4: return { kind: 'binary', pos, op: r.pick(BINARY_OPS), left: this.expr(d), right: this.expr(d) };
      case 5: return { kind: 'unary', pos, op: r.pick(['-', '+', 'NOT'] as const), operand: this.expr(d) };
      case 6: return { kind: 'is', pos, negated: r.chance(0.5), test: r.pick(['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const), operand: this.expr(d) };
      case 7: return { kind: 'isDistinctFrom', pos, negated: r.chance(0.5), left: this.expr(d), right: this.expr(d) };
      case 8: return { kind: 'between', pos, negated: r.chance(0.5), symmetric: r.chance(0.3), operand: this.expr(d), low: this.expr(d), high: this.expr(d) };
      case 9: return { kind: 'inList', pos, negated: r.chance(0.5), operand: this.expr(d), list: this.list(depth, 1, 3) };
      case 10: return { kind: 'inQuery', pos, negated: r.chance(0.5), operand: this.expr(d), query: this.query(d) };
      case 11: return r.chance(0.5) ? { kind: 'exists', pos, query: this.query(d) } : { kind: 'subquery', pos, query: this.query(d) };
      case 12: return { kind: 'like', pos, negated: r.chance(0.5), operand: this.expr(d), pattern: this.expr(d), ...(r.chance(0.3) ? { escape: this.expr(d) } : {}) };
      case 13: return {
        kind: 'case', pos, ...(r.chance(0.4) ? { operand: this.expr(d) } : {}),
        whens: Array.from({ length: r.int(1, 3) }, () => ({ when: this.expr(d), then: this.expr(d) })), ...(r.chance(0.5) ? { else: this.expr(d) } : {}),
      };
      case 14: return { kind: 'cast', pos, safe: r.chance(0.3), operand: this.expr(d), type: this.type(2) };
      case 15: return r.chance(0.5)
        ? { kind: 'extract', pos, unit: r.pick(EXTRACT_UNITS), operand: this.expr(d) }
        : { kind: 'floorCeil', pos, fn: r.pick(['FLOOR', 'CEIL'] as const), operand: this.expr(d), unit: r.pick(EXTRACT_UNITS) };
      case 16: return { kind: 'trim', pos, side: r.pick(['BOTH', 'LEADING', 'TRAILING'] as const), ...(r.chance(0.5) ? { chars: this.expr(d) } : {}), operand: this.expr(d) };
      case 17: case 18: return this.call(depth);
      case 19: return { kind: 'array', pos, elements: this.list(depth, 0, 3) };
      case 20: return { kind: 'map', pos, entries: Array.from({ length: r.int(0, 2) }, () => ({ key: this.expr(d), value: this.expr(d) })) };
      case 21: return r.chance(0.5) ? { kind: 'row', pos, explicit: true, fields: this.list(depth, 0, 3) } : { kind: 'row', pos, explicit: false, fields: this.list(depth, 2, 3) };
      case 22: return { kind: 'index', pos, target: this.expr(d), index: this.expr(d) };
      case 23: return { kind: 'field', pos, target: this.expr(d), field: r.pick(NAMES) };
      default: return { kind: 'column', pos, names: this.names() };
    }
  }
}

test('random expressions print to SQL that parses back to the same tree', () => {
  const seed = testSeed('sql-round-trip');
  const r = new Random(seed);
  const gen = new ExprGenerator(r);
  for (let i = 0; i < 3000; i++) {
    const tree = gen.expr(r.int(1, 5));
    const sql = expressionToSql(tree);
    let back: Expr;
    try {
      back = parseExpression(sql);
    } catch (e) {
      throw new Error(`seed ${seed}, case ${i}: ${sql}\n${(e as Error).message}`);
    }
    assert.equal(stripPositions(back), stripPositions(tree), `seed ${seed}, case ${i}: ${sql}`);
    assert.is(expressionToSql(back), sql, `seed ${seed}, case ${i}: printing is stable`);
  }
});

test.run();
