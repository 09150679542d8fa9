// ExpressionCompiler: type-checks an SQL expression over the fields in scope and compiles it to
// a JavaScript expression over the row `r` (an array), constants `c` and the runtime helpers `h`
// (functions/scalar-runtime.ts). Nothing from the SQL text is ever spliced into code: literals,
// names, units and user functions go into the constants array and code refers to them as `c[i]`;
// only indices the compiler makes itself are printed. Errors name the node's line and column.
// Imports the SQL AST, the types and the built-in function table.
// Just over 400 lines: type checking and code generation walk the same expression tree in one
// pass; the built-ins (function-catalog.ts) and their runtime helpers live apart.
import type { ColumnRef, Expr, FunctionCall, IntervalLiteral, NumericLiteral } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { compileCall, isAggregateName } from '../functions/builtin-functions.ts';
import {
  commonType, fromDataType, isInteger, isInterval, isNumeric, isString, isTemporal, typeOf, typeToString,
  withNullable, withoutTimeAttribute, type LogicalType,
} from '../types/logical-type.ts';
import { parseTimestamp } from '../functions/scalar-runtime.ts';
import { SqlValidationError } from './validation-error.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import { systemClock, type Clock } from '../../time/clock.ts';

/** A field an expression can name: `qualifier.name` or `name`. */
export interface ScopeField { readonly name: string; readonly qualifier?: string; readonly type: LogicalType }

/** A compiled expression: JS code over `r`, `c`, `h` and its SQL type. */
export interface Compiled { readonly code: string; readonly type: LogicalType; readonly constant?: { value: unknown } }

/** What an expression is compiled against. */
export interface CompileScope {
  readonly fields: readonly ScopeField[];
  /**
   * Above an aggregation: group keys and aggregate calls (matched by their SQL text) are fields
   * of the aggregated row; returns the field index, or undefined.
   */
  readonly substitute?: (e: Expr) => number | undefined;
  /** Why an aggregate call is refused here (e.g. 'in WHERE'); undefined allows none either. */
  readonly aggregateContext?: string;
}

const MS_PER: Readonly<Record<string, number>> = {
  DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000, MILLISECOND: 1, WEEK: 604_800_000,
};

/** Compiles expressions of one generated function, sharing its constants. */
export class ExpressionCompiler {
  /** The constants the generated code reads as `c[i]`. */
  readonly constants: unknown[] = [];

  /** `clock`: what PROCTIME() and NOW() read (the job's processing-time clock, injected in tests). */
  constructor(readonly source: string, readonly functions: FunctionCatalog, readonly clock: Clock = systemClock) {}

  /** `c[i]` holding `value`. */
  constant(value: unknown): string {
    let i = this.constants.findIndex((v) => Object.is(v, value) && typeof v !== 'object');
    if (i < 0) { i = this.constants.length; this.constants.push(value); }
    return `c[${i}]`;
  }

  /** A validation error at `e`. */
  error(reason: string, e: { pos: Expr['pos'] }): SqlValidationError {
    return new SqlValidationError(reason, this.source, e.pos);
  }

  /** Compiles `e`, which must be BOOLEAN (a WHERE, ON or HAVING condition). */
  condition(e: Expr, scope: CompileScope, where: string): Compiled {
    const c = this.compile(e, scope);
    if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL') {
      throw this.error(`the ${where} condition must be BOOLEAN, but ${expressionToSql(e)} is ${typeToString(c.type)}`, e);
    }
    return c;
  }

  /** Compiles `e` over `scope`. */
  compile(e: Expr, scope: CompileScope): Compiled {
    if (scope.substitute) {
      const i = scope.substitute(e);
      if (i !== undefined) return { code: `r[${i}]`, type: scope.fields[i].type };
    }
    switch (e.kind) {
      case 'numeric': return this.numeric(e);
      case 'string': return this.literal(e.value, typeOf('STRING', false));
      case 'boolean': return this.literal(e.value, typeOf('BOOLEAN', false));
      case 'null': return this.literal(null, typeOf('NULL'));
      case 'typedLiteral': {
        const ms = parseTimestamp(e.value);
        if (ms === null || e.type === 'TIME') throw this.error(`cannot read ${e.type} literal '${e.value}'`, e);
        return this.literal(ms, e.type === 'DATE' ? typeOf('DATE', false) : typeOf('TIMESTAMP', false, { precision: 3 }));
      }
      case 'interval': return this.interval(e);
      case 'column': return this.column(e, scope);
      case 'unary': {
        const x = this.compile(e.operand, scope);
        if (e.op === 'NOT') return { code: `h.not(${this.bool(x, e.operand)})`, type: typeOf('BOOLEAN', x.type.nullable) };
        if (!isNumeric(x.type) && !isInterval(x.type) && x.type.kind !== 'NULL') throw this.error(`cannot apply unary ${e.op} to ${typeToString(x.type)}`, e);
        if (e.op !== '-') return x;
        return { code: `h.${x.type.kind === 'INT' ? 'ineg' : 'neg'}(${x.code})`, type: withoutTimeAttribute(x.type) };
      }
      case 'binary': return this.binary(e, scope);
      case 'is': {
        const x = this.compile(e.operand, scope);
        const test = e.test === 'NULL' ? `(${x.code}) === null` : e.test === 'TRUE' ? `(${x.code}) === true`
          : e.test === 'FALSE' ? `(${x.code}) === false` : `(${x.code}) === null`;
        return { code: e.negated ? `!(${test})` : `(${test})`, type: typeOf('BOOLEAN', false) };
      }
      case 'isDistinctFrom': {
        const [l, r] = this.comparable(e.left, e.right, scope, e);
        const code = `h.distinct(${l.code}, ${r.code})`;
        return { code: e.negated ? `!${code}` : code, type: typeOf('BOOLEAN', false) };
      }
      case 'between': {
        const x = this.compile(e.operand, scope);
        const lo = this.compile(e.low, scope);
        const hi = this.compile(e.high, scope);
        for (const [y, n] of [[lo, e.low], [hi, e.high]] as const) {
          if (commonType(x.type, y.type) === undefined) throw this.mismatch('BETWEEN', x.type, y.type, n);
        }
        let code = `h.between(${x.code}, ${lo.code}, ${hi.code})`;
        if (e.symmetric) code = `h.or(${code}, h.between(${x.code}, ${hi.code}, ${lo.code}))`;
        return { code: e.negated ? `h.not(${code})` : code, type: typeOf('BOOLEAN', x.type.nullable || lo.type.nullable || hi.type.nullable) };
      }
      case 'inList': {
        const x = this.compile(e.operand, scope);
        const items = e.list.map((i) => {
          const c = this.compile(i, scope);
          if (commonType(x.type, c.type) === undefined) throw this.mismatch('IN', x.type, c.type, i);
          return this.coerce(c, x.type);
        });
        const code = `h.inList(${this.coerce(x, x.type).code}, [${items.map((i) => i.code).join(', ')}])`;
        return { code: e.negated ? `h.not(${code})` : code, type: typeOf('BOOLEAN') };
      }
      case 'like': {
        const x = this.compile(e.operand, scope);
        const p = this.compile(e.pattern, scope);
        if (!isString(x.type) && x.type.kind !== 'NULL') throw this.error(`LIKE needs a string, but ${expressionToSql(e.operand)} is ${typeToString(x.type)}`, e.operand);
        const esc = e.escape ? this.compile(e.escape, scope).code : 'null';
        const code = `h.like(${x.code}, ${p.code}, ${esc})`;
        return { code: e.negated ? `h.not(${code})` : code, type: typeOf('BOOLEAN', x.type.nullable || p.type.nullable) };
      }
      case 'case': return this.caseExpr(e, scope);
      case 'cast': return this.cast(this.compile(e.operand, scope), fromDataType(e.type), e.safe, e);
      case 'extract': {
        const x = this.compile(e.operand, scope);
        if (!isTemporal(x.type) && x.type.kind !== 'NULL') throw this.error(`EXTRACT needs a DATE or TIMESTAMP, but ${expressionToSql(e.operand)} is ${typeToString(x.type)}`, e.operand);
        return { code: `h.extract(${this.constant(e.unit)}, ${x.code})`, type: typeOf('BIGINT', x.type.nullable) };
      }
      case 'floorCeil': {
        const x = this.compile(e.operand, scope);
        if (!isTemporal(x.type)) throw this.error(`${e.fn}(... TO ${e.unit}) needs a DATE or TIMESTAMP, but ${expressionToSql(e.operand)} is ${typeToString(x.type)}`, e.operand);
        return { code: `h.${e.fn === 'FLOOR' ? 'floorTo' : 'ceilTo'}(${x.code}, ${this.constant(e.unit)})`, type: withoutTimeAttribute(x.type) };
      }
      case 'trim': {
        const x = this.compile(e.operand, scope);
        this.requireString(x, e.operand, 'TRIM');
        const chars = e.chars ? this.compile(e.chars, scope).code : this.constant(' ');
        return { code: `h.trim(${x.code}, ${this.constant(e.side)}, ${chars})`, type: typeOf('STRING', x.type.nullable) };
      }
      case 'call': return this.call(e, scope);
      case 'index': {
        const t = this.compile(e.target, scope);
        const i = this.compile(e.index, scope);
        const type = t.type.kind === 'ARRAY' ? t.type.element! : t.type.kind === 'MAP' ? t.type.value! : undefined;
        if (type === undefined) throw this.error(`cannot index ${typeToString(t.type)}`, e);
        return { code: `h.index(${t.code}, ${i.code})`, type: withNullable(type, true) };
      }
      case 'field': {
        const t = this.compile(e.target, scope);
        return this.rowField(t, e.field, e);
      }
      case 'array': {
        const items = e.elements.map((x) => this.compile(x, scope));
        const element = items.reduce<LogicalType | undefined>((acc, x) => (acc === undefined ? x.type : commonType(acc, x.type)), undefined);
        if (element === undefined) throw this.error('the elements of ARRAY[...] have no common type', e);
        return { code: `[${items.map((x) => x.code).join(', ')}]`, type: typeOf('ARRAY', false, { element }) };
      }
      case 'row': {
        const items = e.fields.map((x) => this.compile(x, scope));
        return { code: `[${items.map((x) => x.code).join(', ')}]`, type: typeOf('ROW', false, { fields: items.map((x, i) => ({ name: `EXPR$${i}`, type: x.type })) }) };
      }
      case 'inQuery': case 'exists':
        throw this.error(`${describeKind(e.kind)} is only supported as a condition AND-ed into WHERE`, e);
      default:
        throw this.error(`${describeKind(e.kind)} is not supported here`, e);
    }
  }

  /** Converts a compiled value to `target` (implicit widening; numbers stay numbers). */
  coerce(c: Compiled, target: LogicalType): Compiled {
    if (isTemporal(target) && isString(c.type)) return { code: `h.castToTimestamp(${c.code}, false)`, type: target };
    return c;
  }

  /** CAST / TRY_CAST to `to`. */
  cast(x: Compiled, to: LogicalType, safe: boolean, node: Expr): Compiled {
    const nullable = x.type.nullable || safe || to.nullable;
    const type = withNullable(to, nullable);
    const s = safe ? 'true' : 'false';
    const from = x.type;
    if (from.kind === 'NULL') return { code: 'null', type: withNullable(to, true) };
    switch (to.kind) {
      case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT':
        if (isTemporal(from)) break;
        if (to.kind === 'INT' && from.kind === 'BIGINT') return { code: `h.toInt(${x.code})`, type };
        return { code: isInteger(from) ? x.code : `h.castToInteger(${x.code}, ${s})`, type };
      case 'FLOAT': case 'DOUBLE':
        if (isTemporal(from)) break;
        return { code: isNumeric(from) ? x.code : `h.castToDouble(${x.code}, ${s})`, type };
      case 'DECIMAL':
        if (isTemporal(from)) break;
        return { code: `h.castToDecimal(${x.code}, ${to.scale ?? 0}, ${s})`, type };
      case 'BOOLEAN': return { code: `h.castToBoolean(${x.code}, ${s})`, type };
      case 'STRING': return { code: isString(from) ? x.code : `h.castToString(${x.code}, ${this.constant(from.kind)})`, type };
      case 'TIMESTAMP': case 'TIMESTAMP_LTZ':
        if (isNumeric(from)) break;
        return { code: isTemporal(from) ? x.code : `h.castToTimestamp(${x.code}, ${s})`, type };
      case 'DATE': return { code: `h.castToDate(${x.code}, ${s})`, type };
      default:
        if (from.kind === to.kind) return { code: x.code, type };
    }
    throw this.error(`cannot cast ${typeToString(from)} to ${typeToString(to)}`, node);
  }

  /** A BOOLEAN operand's code (refuses other types). */
  bool(x: Compiled, node: Expr): string {
    if (x.type.kind !== 'BOOLEAN' && x.type.kind !== 'NULL') throw this.error(`expected a BOOLEAN, but ${expressionToSql(node)} is ${typeToString(x.type)}`, node);
    return x.code;
  }

  /** Refuses a non-string operand of `fn`. */
  requireString(x: Compiled, node: Expr, fn: string): void {
    if (!isString(x.type) && x.type.kind !== 'NULL') throw this.error(`${fn} needs a STRING, but ${expressionToSql(node)} is ${typeToString(x.type)}`, node);
  }

  /** A type mismatch between two operands of `op`. */
  mismatch(op: string, a: LogicalType, b: LogicalType, node: Expr): SqlValidationError {
    return this.error(`type mismatch: cannot apply ${op} to ${typeToString(a)} and ${typeToString(b)}`, node);
  }

  private literal(value: unknown, type: LogicalType): Compiled {
    if (value === null) return { code: 'null', type, constant: { value } };
    return { code: this.constant(value), type, constant: { value } };
  }

  private numeric(e: NumericLiteral): Compiled {
    const value = Number(e.text);
    if (/[eE]/.test(e.text)) return this.literal(value, typeOf('DOUBLE', false));
    if (e.text.includes('.')) {
      const scale = e.text.length - e.text.indexOf('.') - 1;
      return this.literal(value, typeOf('DECIMAL', false, { precision: Math.max(e.text.replace(/[.-]/g, '').length, scale), scale }));
    }
    if (Math.abs(value) <= 2147483647) return this.literal(value, typeOf('INT', false));
    if (!Number.isSafeInteger(value)) throw this.error(`the integer ${e.text} is out of range (at most 2^53 - 1 here)`, e);
    return this.literal(value, typeOf('BIGINT', false));
  }

  private interval(e: IntervalLiteral): Compiled {
    const q = e.qualifier;
    const sign = e.negative ? -1 : 1;
    const text = e.value.trim();
    const neg = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[+-]/, '');
    if (q.start === 'YEAR' || q.start === 'MONTH') {
      const parts = body.split('-').map(Number);
      const months = q.start === 'YEAR' ? parts[0] * 12 + (q.end === 'MONTH' ? parts[1] ?? 0 : 0) : parts[0];
      if (parts.some((p) => Number.isNaN(p))) throw this.error(`cannot read interval '${e.value}'`, e);
      return this.literal(sign * neg * months, typeOf('INTERVAL_YEAR_MONTH', false));
    }
    // Day-time: fields from the start unit to the end unit, separated by space, colon or dot.
    const order = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
    const from = order.indexOf(q.start);
    const to = q.end === undefined ? from : order.indexOf(q.end);
    const pieces = body.split(/[ :]/);
    if (from < 0 || pieces.length !== to - from + 1) throw this.error(`cannot read interval '${e.value}' as ${q.start}${q.end ? ` TO ${q.end}` : ''}`, e);
    let ms = 0;
    for (let k = 0; k < pieces.length; k++) {
      const n = Number(pieces[k]);
      if (Number.isNaN(n)) throw this.error(`cannot read interval '${e.value}'`, e);
      ms += n * MS_PER[order[from + k]];
    }
    return this.literal(Math.round(sign * neg * ms), typeOf('INTERVAL_DAY_TIME', false));
  }

  private column(e: ColumnRef, scope: CompileScope): Compiled {
    const i = resolveColumn(e, scope.fields, (reason) => this.error(reason, e));
    if (i.index >= 0) {
      let c: Compiled = { code: `r[${i.index}]`, type: scope.fields[i.index].type };
      for (const f of i.path) c = this.rowField(c, f, e);
      return c;
    }
    throw this.error(`unknown column ${e.names.join('.')}`, e);
  }

  private rowField(t: Compiled, field: string, node: Expr): Compiled {
    const fields = t.type.kind === 'ROW' ? t.type.fields! : undefined;
    const k = fields?.findIndex((f) => f.name === field) ?? -1;
    if (fields === undefined || k < 0) throw this.error(`${typeToString(t.type)} has no field ${field}`, node);
    // A plain field is read twice inline; anything else is evaluated once.
    const code = /^r\[\d+\]$/.test(t.code) ? `(${t.code} === null ? null : ${t.code}[${k}])` : `((x) => x === null ? null : x[${k}])(${t.code})`;
    return { code, type: withNullable(fields[k].type, true) };
  }

  private comparable(a: Expr, b: Expr, scope: CompileScope, node: Expr): [Compiled, Compiled] {
    const l = this.compile(a, scope);
    const r = this.compile(b, scope);
    let common = commonType(l.type, r.type);
    // Flink compares a string literal with a timestamp by casting the string.
    if (common === undefined && isTemporal(l.type) && isString(r.type)) common = l.type;
    if (common === undefined && isTemporal(r.type) && isString(l.type)) common = r.type;
    if (common === undefined) throw this.mismatch(expressionToSqlOp(node), l.type, r.type, node);
    return [this.coerce(l, common), this.coerce(r, common)];
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, scope: CompileScope): Compiled {
    switch (e.op) {
      case 'AND': case 'OR': {
        const l = this.compile(e.left, scope);
        const r = this.compile(e.right, scope);
        return { code: `h.${e.op === 'AND' ? 'and' : 'or'}(${this.bool(l, e.left)}, ${this.bool(r, e.right)})`, type: typeOf('BOOLEAN', l.type.nullable || r.type.nullable) };
      }
      case '=': case '<>': case '<': case '<=': case '>': case '>=': {
        const [l, r] = this.comparable(e.left, e.right, scope, e);
        const fn = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }[e.op];
        return { code: `h.${fn}(${l.code}, ${r.code})`, type: typeOf('BOOLEAN', l.type.nullable || r.type.nullable) };
      }
      case '||': {
        const l = this.compile(e.left, scope);
        const r = this.compile(e.right, scope);
        this.requireString(l, e.left, '||');
        this.requireString(r, e.right, '||');
        return { code: `h.concat(${l.code}, ${r.code})`, type: typeOf('STRING', l.type.nullable || r.type.nullable) };
      }
      default: {
        const l = this.compile(e.left, scope);
        const r = this.compile(e.right, scope);
        return this.arithmetic(e.op, l, r, e);
      }
    }
  }

  /** `+ - * / %` over numbers, and timestamp +/- interval. */
  arithmetic(op: string, l: Compiled, r: Compiled, node: Expr): Compiled {
    const nullable = l.type.nullable || r.type.nullable;
    if (isTemporal(l.type) && isInterval(r.type) && (op === '+' || op === '-')) {
      const type = withNullable(withoutTimeAttribute(l.type), nullable);
      if (r.type.kind === 'INTERVAL_YEAR_MONTH') return { code: `h.addMonths(${l.code}, ${op === '-' ? `h.neg(${r.code})` : r.code})`, type };
      return { code: `h.${op === '+' ? 'add' : 'sub'}(${l.code}, ${r.code})`, type };
    }
    if (isInterval(l.type) && isTemporal(r.type) && op === '+') return this.arithmetic('+', r, l, node);
    if (isInterval(l.type) && isInterval(r.type) && l.type.kind === r.type.kind && (op === '+' || op === '-')) {
      return { code: `h.${op === '+' ? 'add' : 'sub'}(${l.code}, ${r.code})`, type: typeOf(l.type.kind, nullable) };
    }
    if (isInterval(l.type) && isNumeric(r.type) && op === '*') return { code: `h.mul(${l.code}, ${r.code})`, type: typeOf(l.type.kind, nullable) };
    const lt = l.type.kind === 'NULL' ? typeOf('INT') : l.type;
    const rt = r.type.kind === 'NULL' ? typeOf('INT') : r.type;
    if (!isNumeric(lt) || !isNumeric(rt)) throw this.mismatch(op, l.type, r.type, node);
    const common = commonType(lt, rt)!;
    let type = withNullable(common, nullable);
    if (common.kind === 'DECIMAL' && (op === '/' )) type = typeOf('DECIMAL', nullable, { precision: 38, scale: Math.max(6, common.scale ?? 0) });
    const fn = op === '+' ? 'add' : op === '-' ? 'sub' : op === '*' ? 'mul' : op === '%' ? 'mod' : isInteger(common) ? 'idiv' : 'div';
    if (op === '/' && isInteger(common)) type = withNullable(common, nullable);
    if (common.kind === 'DECIMAL' && (op === '+' || op === '-' || op === '*')) {
      // Exact decimal results (Flink: the scale of a product is the sum of the scales): the
      // double is rounded to the result's scale, so 0.908 * price has three decimals, not a binary tail.
      const scaleOf = (t: LogicalType): number => (t.kind === 'DECIMAL' ? t.scale ?? 0 : isInteger(t) ? 0 : -1);
      const [ls, rs] = [scaleOf(lt), scaleOf(rt)];
      if (ls >= 0 && rs >= 0) {
        const scale = Math.min(38, op === '*' ? ls + rs : Math.max(ls, rs));
        return { code: `h.round(h.${fn}(${l.code}, ${r.code}), ${scale})`, type: { ...type, scale } };
      }
    }
    // INT results wrap at 32 bits (Flink's INT is Java's int); % cannot overflow.
    const wrapped = common.kind === 'INT' && fn !== 'mod' ? `i${fn}` : fn;
    return { code: `h.${wrapped}(${l.code}, ${r.code})`, type };
  }

  private caseExpr(e: Extract<Expr, { kind: 'case' }>, scope: CompileScope): Compiled {
    const operand = e.operand ? this.compile(e.operand, scope) : undefined;
    const thens = e.whens.map((w) => this.compile(w.then, scope));
    const otherwise = e.else ? this.compile(e.else, scope) : { code: 'null', type: typeOf('NULL') };
    let type: LogicalType | undefined = otherwise.type;
    thens.forEach((t, k) => {
      const next = commonType(type!, t.type);
      if (next === undefined) throw this.mismatch('CASE', type!, t.type, e.whens[k].then);
      type = next;
    });
    let code = otherwise.code;
    for (let k = e.whens.length - 1; k >= 0; k--) {
      const w = e.whens[k];
      const cond = operand
        ? `h.eq(${operand.code}, ${this.compile(w.when, scope).code}) === true`
        : `(${this.bool(this.compile(w.when, scope), w.when)}) === true`;
      code = `(${cond} ? ${thens[k].code} : ${code})`;
    }
    return { code, type: withoutTimeAttribute(type!) };
  }

  private call(e: FunctionCall, scope: CompileScope): Compiled {
    const name = e.name.toUpperCase();
    if (e.over) throw this.error(`${name}(...) OVER (...) is only supported in the SELECT list`, e);
    if (isAggregateName(name) || this.functions.aggregate(e.name)) {
      throw this.error(`aggregate function ${name} is not allowed ${scope.aggregateContext ?? 'here'}`, e);
    }
    const udf = this.functions.scalar(e.name);
    if (udf) {
      const args = e.args.map((a) => this.compile(a, scope));
      return { code: `${this.constant(udf.fn)}(${args.map((a) => a.code).join(', ')})`, type: udf.resultType };
    }
    const compiled = compileCall(name, e, (a) => this.compile(a, scope), this);
    if (compiled === undefined) throw this.error(`unknown function ${e.name}`, e);
    return compiled;
  }
}

/** Where a column reference points: a field index (or -1) and nested ROW fields after it. */
export function resolveColumn(
  e: ColumnRef, fields: readonly ScopeField[], fail: (reason: string) => Error,
): { index: number; path: string[] } {
  const names = e.names;
  // `t.col` (qualified) first, then `col.field...` (a ROW column).
  if (names.length >= 2) {
    const q = fields.flatMap((f, i) => (f.qualifier === names[0] && f.name === names[1] ? [i] : []));
    if (q.length > 1) throw fail(`column ${names[0]}.${names[1]} is ambiguous`);
    if (q.length === 1) return { index: q[0], path: names.slice(2) };
  }
  const m = fields.flatMap((f, i) => (f.name === names[0] ? [i] : []));
  if (m.length > 1) throw fail(`column ${names[0]} is ambiguous (qualify it with its table)`);
  if (m.length === 1) return { index: m[0], path: names.slice(1) };
  if (names.length >= 2 && fields.some((f) => f.qualifier === names[0])) throw fail(`unknown column ${names.join('.')}`);
  return { index: -1, path: [] };
}

function describeKind(kind: string): string {
  switch (kind) {
    case 'inQuery': return 'IN (subquery)';
    case 'exists': return 'EXISTS (subquery)';
    case 'subquery': return 'a scalar subquery';
    case 'map': return 'MAP[...]';
    default: return `the ${kind} expression`;
  }
}

function expressionToSqlOp(node: Expr): string {
  return node.kind === 'binary' ? node.op : node.kind === 'isDistinctFrom' ? 'IS DISTINCT FROM' : node.kind;
}
