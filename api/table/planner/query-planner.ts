// QueryPlanner: turns a validated SQL query into a plan (plan-nodes.ts). SELECT becomes a fused
// Calc for WHERE and the projection, an Aggregate (GROUP BY, DISTINCT, window aggregation over a
// window TVF) with a Calc before it computing keys and arguments and one after it for HAVING and
// the SELECT list, a Rank for ROW_NUMBER() OVER, a Sort for ORDER BY/LIMIT; UNION [ALL], VALUES
// and WITH are handled here, FROM items in from-planner.ts. Every error names the node's position.
// Imports the SQL AST, types and the planner's parts.
import type { Expr, FunctionCall, OrderItem, Query, SelectQuery, ValuesQuery } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { commonType, isInteger, typeOf, typeToString, withNullable, withoutTimeAttribute, type LogicalType } from '../types/logical-type.ts';
import { Schema } from '../types/schema.ts';
import type { Catalog } from './catalog.ts';
import { ExpressionCompiler, resolveColumn, type CompileScope, type Compiled, type ScopeField } from './expression-compiler.ts';
import { findAggregates, findOverCall, findOverCalls } from './expr-walk.ts';
import { planOver } from './over-planner.ts';
import { planAggregate } from './aggregate-planner.ts';
import { planLegacyWindow } from './legacy-window-planner.ts';
import { planFrom, sessionTvfBelow } from './from-planner.ts';
import { conjunction, conjuncts, planSubqueries } from './subquery-planner.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import type { CalcStage, PlanNode } from './plan-nodes.ts';
import { compileCalc } from './runtime/calc-function.ts';
import { SqlValidationError } from './validation-error.ts';
import type { Clock } from '../../time/clock.ts';

/** A planned relation: its plan and the fields a query over it can name. */
export interface Planned { readonly node: PlanNode; readonly fields: readonly ScopeField[] }

/** What planning reads: the catalog, the functions and the clock PROCTIME() reads. */
export interface PlannerContext { readonly catalog: Catalog; readonly functions: FunctionCatalog; readonly clock?: Clock }

/** The schema of a list of fields. */
export function schemaOf(fields: readonly ScopeField[]): Schema {
  return new Schema(fields.map((f) => ({ name: f.name, type: f.type })));
}

/** Adds a projection/filter stage over `input`, fusing it into a Calc directly below. */
export function addCalc(input: Planned, stage: CalcStage, fields: readonly ScopeField[]): Planned {
  const schema = schemaOf(fields);
  if (input.node.kind === 'calc') {
    return { node: { ...input.node, stages: [...input.node.stages, stage], schema }, fields };
  }
  return { node: { kind: 'calc', input: input.node, stages: [stage], schema, insertOnly: input.node.insertOnly }, fields };
}

/** Names of output columns made unique as Flink does (`id`, `id0`, `id1`). */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 0; seen.has(name); k++) name = `${n}${k}`;
    seen.add(name);
    return name;
  });
}

/** Plans the queries of one statement. */
export class QueryPlanner {
  /** WITH items in scope, innermost last. */
  readonly ctes: Array<Map<string, Planned>> = [];

  constructor(readonly ctx: PlannerContext, readonly source: string) {}

  /** A fresh compiler for one generated function. */
  compiler(): ExpressionCompiler { return new ExpressionCompiler(this.source, this.ctx.functions, this.ctx.clock); }

  /** A validation error at `node`. */
  error(reason: string, node: { pos: Expr['pos'] }): SqlValidationError { return new SqlValidationError(reason, this.source, node.pos); }

  /** A WITH item visible here, if `name` is one. */
  cte(name: string): Planned | undefined {
    for (let i = this.ctes.length - 1; i >= 0; i--) { const p = this.ctes[i].get(name); if (p) return p; }
    return undefined;
  }

  /** Plans any query. */
  planQuery(q: Query): Planned {
    switch (q.kind) {
      case 'select': return this.planSelect(q);
      case 'values': return this.planValues(q);
      case 'with': {
        const scope = new Map<string, Planned>();
        this.ctes.push(scope);
        try {
          for (const cte of q.ctes) {
            let p = this.planQuery(cte.query);
            if (cte.columns) p = this.rename(p, cte.columns, cte);
            scope.set(cte.name, { node: p.node, fields: p.fields.map((f) => ({ name: f.name, type: f.type, qualifier: cte.name })) });
          }
          return this.planQuery(q.body);
        } finally { this.ctes.pop(); }
      }
      case 'setOp': {
        const left = this.planQuery(q.left);
        const right = this.planQuery(q.right);
        if (left.fields.length !== right.fields.length) {
          throw this.error(`${q.op} needs inputs with the same number of columns, got ${left.fields.length} and ${right.fields.length}`, q);
        }
        const fields = left.fields.map((f, i) => {
          const t = commonType(withoutTimeAttribute(f.type), withoutTimeAttribute(right.fields[i].type));
          if (t === undefined) throw this.error(`${q.op} column ${i + 1} (${f.name}) has types ${typeToString(f.type)} and ${typeToString(right.fields[i].type)} with no common type`, q);
          // UNION ALL of two time attributes of one kind stays a time attribute (as in Flink).
          const attr = q.op === 'UNION' && q.all && f.type.timeAttribute !== undefined && f.type.timeAttribute === right.fields[i].type.timeAttribute ? f.type.timeAttribute : undefined;
          return { name: f.name, type: attr ? { ...t, timeAttribute: attr } : t };
        });
        let out: Planned;
        if (q.op === 'UNION') {
          out = { node: { kind: 'union', inputs: [left.node, right.node], schema: schemaOf(fields), insertOnly: left.node.insertOnly && right.node.insertOnly }, fields };
          if (!q.all) out = this.distinct(out);
        } else {
          // INTERSECT / EXCEPT: EXCEPT drops a row when the right side gains it, so it updates; INTERSECT
          // of append-only inputs only ever adds rows.
          out = { node: { kind: 'setOp', op: q.op, all: q.all, left: left.node, right: right.node, schema: schemaOf(fields), insertOnly: q.op === 'INTERSECT' && left.node.insertOnly && right.node.insertOnly }, fields };
        }
        return this.orderLimit(out, q);
      }
    }
  }

  /** Renames the fields of `p` (an alias with a column list). */
  rename(p: Planned, columns: readonly string[], at: { pos: Expr['pos'] }): Planned {
    if (columns.length !== p.fields.length) throw this.error(`the column list names ${columns.length} columns, but the query has ${p.fields.length}`, at);
    const fields = p.fields.map((f, i) => ({ ...f, name: columns[i] }));
    return { node: { ...p.node, schema: schemaOf(fields) } as PlanNode, fields };
  }

  private planValues(q: ValuesQuery): Planned {
    const c = this.compiler();
    const compiled = q.rows.map((row) => row.map((e) => c.compile(e, { fields: [], aggregateContext: 'in VALUES' })));
    const width = compiled[0]?.length ?? 0;
    const types: LogicalType[] = [];
    for (let i = 0; i < width; i++) {
      let t: LogicalType | undefined;
      for (const [k, row] of compiled.entries()) {
        if (row.length !== width) throw this.error('every row of VALUES must have the same number of values', q.rows[k][0] ?? q);
        t = t === undefined ? row[i].type : commonType(t, row[i].type);
        if (t === undefined) throw this.error(`VALUES column ${i + 1} has no common type`, q.rows[k][i]);
      }
      types.push(t!);
    }
    const calc = compileCalc([{ projection: compiled.flatMap((row) => row.map((x) => x.code)), constants: c.constants }]);
    const flat = calc([])!;
    const rows = compiled.map((_, k) => flat.slice(k * width, (k + 1) * width));
    const fields = types.map((type, i) => ({ name: `EXPR$${i}`, type }));
    return { node: { kind: 'values', rows, schema: schemaOf(fields), insertOnly: true }, fields };
  }

  /** SELECT DISTINCT over all fields: a grouping with no aggregates. */
  private distinct(p: Planned): Planned {
    const fields = p.fields.map((f) => ({ ...f, type: withoutTimeAttribute(f.type) }));
    return {
      node: { kind: 'aggregate', input: p.node, groupKeys: p.fields.map((_, i) => i), calls: [], schema: schemaOf(fields), insertOnly: false },
      fields,
    };
  }

  private planSelect(query: SelectQuery): Planned {
    let q = query;
    // `FROM a, b WHERE cond` is the inner join `a JOIN b ON cond`: its equalities become join keys.
    if (q.from?.kind === 'join' && q.from.joinType === 'COMMA' && q.where && findAggregates(q.where, () => false).length === 0) {
      const parts = conjuncts(q.where);
      const isSub = (e: Expr): boolean => e.kind === 'inQuery' || e.kind === 'exists' || (e.kind === 'unary' && e.operand.kind === 'exists');
      const on = conjunction(parts.filter((e) => !isSub(e)));
      if (on) q = { ...q, from: { ...q.from, joinType: 'INNER', on }, where: conjunction(parts.filter(isSub)) };
    }
    let input: Planned = q.from ? planFrom(this, q.from) : this.planValues({ kind: 'values', pos: q.pos, rows: [[]] });
    // IN / EXISTS subqueries among WHERE's conjuncts: semi and anti joins.
    if (q.where) {
      const split = planSubqueries(this, input, q.where);
      input = split.input;
      q = { ...q, where: split.rest };
    }
    if (q.where) input = this.pushRankLimit(input, q.where);
    if (q.where) {
      const aggs = findAggregates(q.where, (n) => this.ctx.functions.aggregate(n) !== undefined);
      if (aggs.length > 0) throw this.error(`aggregate function ${aggs[0].name} is not allowed in WHERE`, aggs[0]);
      const c = this.compiler();
      const cond = c.condition(q.where, { fields: input.fields, aggregateContext: 'in WHERE' }, 'WHERE');
      input = addCalc(input, { condition: cond.code, constants: c.constants, conditionSql: expressionToSql(q.where) }, input.fields);
    }
    const isUdaf = (n: string): boolean => this.ctx.functions.aggregate(n) !== undefined;
    const itemExprs = q.items.flatMap((i) => (i.kind === 'expr' ? [i.expr] : []));
    const aggCalls = [...itemExprs, ...(q.having ? [q.having] : [])].flatMap((e) => findAggregates(e, isUdaf));
    let scope: CompileScope = { fields: input.fields, aggregateContext: 'without GROUP BY context' };
    if (q.groupBy.length > 0 || aggCalls.length > 0) {
      const legacy = planLegacyWindow(this, q, input);
      ({ input, scope } = planAggregate(this, legacy.q, legacy.input, aggCalls, legacy.session));
    } else if (q.having) {
      throw this.error('HAVING needs GROUP BY or an aggregate', q.having);
    } else if (sessionTvfBelow(input.node)) {
      throw this.error('the SESSION window TVF is supported in a window aggregation only (GROUP BY window_start, window_end, ...)', q.from ?? q);
    }
    // OVER aggregates: their frames' values appended as fields.
    const overAggs = itemExprs.flatMap((e) => findOverCalls(e)).filter((c) => c.name.toUpperCase() !== 'ROW_NUMBER');
    if (overAggs.length > 0) ({ input, scope } = planOver(this, overAggs, input, scope, q.windows));
    // ROW_NUMBER() OVER (...): a Top-N over the input, its number appended as a field.
    const overItem = itemExprs.map(findOverCall).find((x) => x !== undefined && x.name.toUpperCase() === 'ROW_NUMBER');
    if (overItem) ({ input, scope } = this.rank(overItem, input, scope));
    const c = this.compiler();
    const codes: Compiled[] = [];
    const names: string[] = [];
    const fields: ScopeField[] = [];
    // The output field of each item (a star expands to several).
    const itemField: number[] = [];
    for (const item of q.items) {
      itemField.push(names.length);
      if (item.kind === 'star') {
        const q2 = item.qualifier?.[item.qualifier.length - 1];
        const picked = input.fields.map((f, i) => ({ f, i })).filter(({ f }) => q2 === undefined || f.qualifier === q2);
        if (picked.length === 0) throw this.error(q2 ? `unknown table ${q2} in ${q2}.*` : 'SELECT * over no columns', item);
        for (const { f, i } of picked) {
          if (f.name.startsWith('$')) continue;
          codes.push({ code: `r[${i}]`, type: f.type });
          names.push(f.name);
          fields.push({ name: f.name, qualifier: f.qualifier, type: f.type });
        }
        continue;
      }
      const e = item.expr;
      const compiled = overItem && e === overItem ? this.rankRef(input) : c.compile(e, scope);
      codes.push(compiled);
      const name = item.alias ?? (e.kind === 'column' ? e.names[e.names.length - 1] : `EXPR$${names.length}`);
      names.push(name);
      const qualifier = item.alias === undefined && e.kind === 'column' ? this.qualifierOf(e, scope) : undefined;
      fields.push({ name, qualifier, type: compiled.type });
    }
    const unique = uniqueNames(names);
    const outFields = fields.map((f, i) => ({ ...f, name: unique[i] }));
    let having: Compiled | undefined;
    if (q.having) having = c.condition(q.having, scope, 'HAVING');
    const identity = !having && codes.length === input.fields.length && codes.every((x, i) => x.code === `r[${i}]`);
    let out = identity
      ? { node: { ...input.node, schema: schemaOf(outFields) } as PlanNode, fields: outFields }
      : addCalc(input, {
        condition: having?.code, conditionSql: q.having ? expressionToSql(q.having) : undefined,
        projection: codes.map((x) => x.code), constants: c.constants,
        projectionSql: q.items.map((i, k) => (i.kind === 'star' ? `${i.qualifier ? `${i.qualifier.join('.')}.` : ''}*` : `${expressionToSql(i.expr)}${unique[itemField[k]] !== expressionToSql(i.expr) ? ` AS ${unique[itemField[k]]}` : ''}`)),
      }, outFields);
    if (q.distinct) out = this.distinct(out);
    return this.orderLimit(out, q);
  }

  private qualifierOf(e: Expr & { kind: 'column' }, scope: CompileScope): string | undefined {
    const r = resolveColumn(e, scope.fields, () => new Error('ambiguous'));
    return r.index >= 0 ? scope.fields[r.index].qualifier : undefined;
  }

  /** ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): a Rank node appending the number. */
  private rank(call: FunctionCall, input: Planned, scope: CompileScope): { input: Planned; scope: CompileScope } {
    if (call.name.toUpperCase() !== 'ROW_NUMBER') throw this.error(`${call.name.toUpperCase()}(...) OVER (...) is not supported (only ROW_NUMBER() for Top-N and deduplication)`, call);
    const spec = call.over!;
    if (spec.ref || spec.frame) throw this.error('ROW_NUMBER() needs an inline OVER (PARTITION BY ... ORDER BY ...) without a frame', spec);
    if (spec.orderBy.length === 0) throw this.error('ROW_NUMBER() OVER (...) needs ORDER BY', spec);
    const c = this.compiler();
    const fieldOf = (e: Expr): number => {
      const x = c.compile(e, scope);
      const m = /^r\[(\d+)\]$/.exec(x.code);
      if (!m) throw this.error('PARTITION BY and ORDER BY of ROW_NUMBER() must name columns', e);
      return Number(m[1]);
    };
    const partitionKeys = spec.partitionBy.map(fieldOf);
    const orderKeys = spec.orderBy.map((o) => this.sortKey(o, fieldOf(o.expr)));
    const fields = [...scope.fields, { name: '$rownum', type: typeOf('BIGINT', false) }];
    const node: PlanNode = {
      kind: 'rank', input: input.node, partitionKeys, orderKeys, limit: Infinity, outputRank: true,
      schema: schemaOf(fields), insertOnly: false,
    };
    return { input: { node, fields }, scope: { ...scope, fields } };
  }

  /**
   * Top-N: `WHERE rn <= n` (or `rn < n`, `rn = 1`) over a ROW_NUMBER column of the input bounds
   * the Rank itself, so it keeps only the first n rows per partition in its output. The WHERE
   * still runs after it (it is then always true).
   */
  private pushRankLimit(input: Planned, where: Expr): Planned {
    if (where.kind !== 'binary' || !['<=', '<', '='].includes(where.op) || where.left.kind !== 'column' || where.right.kind !== 'numeric') return input;
    const n = Number(where.right.text);
    if (!Number.isInteger(n) || (where.op === '=' && n !== 1)) return input;
    const limit = where.op === '<' ? n - 1 : n;
    const field = resolveColumn(where.left, input.fields, () => new Error('ambiguous')).index;
    if (field < 0) return input;
    // Follow the column down through projections to the Rank's row-number field.
    let node = input.node;
    let index = field;
    const path: PlanNode[] = [];
    while (node.kind === 'calc') {
      const last = [...node.stages].reverse().find((st) => st.projection !== undefined);
      if (node.stages.some((st) => st.condition !== undefined)) return input;
      if (last) {
        const m = /^r\[(\d+)\]$/.exec(last.projection![index] ?? '');
        if (!m || node.stages.filter((st) => st.projection !== undefined).length > 1) return input;
        index = Number(m[1]);
      }
      path.push(node);
      node = node.input;
    }
    if (node.kind !== 'rank' || index !== node.schema.columns.length - 1 || limit < 1 || limit >= node.limit) return input;
    let rebuilt: PlanNode = { ...node, limit };
    for (let i = path.length - 1; i >= 0; i--) rebuilt = { ...(path[i] as Extract<PlanNode, { kind: 'calc' }>), input: rebuilt };
    return { node: rebuilt, fields: input.fields };
  }

  private rankRef(input: Planned): Compiled {
    const i = input.fields.length - 1;
    return { code: `r[${i}]`, type: input.fields[i].type };
  }

  private sortKey(o: OrderItem, field: number): { field: number; descending: boolean; nullsFirst: boolean } {
    const descending = o.direction === 'DESC';
    // Flink orders NULL as the smallest value: first ascending, last descending.
    const nullsFirst = o.nulls === undefined ? !descending : o.nulls === 'FIRST';
    return { field, descending, nullsFirst };
  }

  /** ORDER BY / LIMIT / OFFSET over the output columns. */
  private orderLimit(p: Planned, q: { orderBy: readonly OrderItem[]; limit?: Expr; offset?: Expr }): Planned {
    if (q.orderBy.length === 0 && q.limit === undefined && q.offset === undefined) return p;
    const keys = q.orderBy.map((o) => {
      let field = -1;
      if (o.expr.kind === 'numeric' && /^\d+$/.test(o.expr.text)) field = Number(o.expr.text) - 1;
      else if (o.expr.kind === 'column') field = resolveColumn(o.expr, p.fields, (r) => this.error(r, o.expr)).index;
      else field = p.fields.findIndex((f) => f.name === expressionToSql(o.expr));
      if (field < 0 || field >= p.fields.length) throw this.error(`ORDER BY ${expressionToSql(o.expr)} must name a column of the SELECT list (or its position)`, o.expr);
      return this.sortKey(o, field);
    });
    const count = (e: Expr | undefined, what: string): number | undefined => {
      if (e === undefined) return undefined;
      if (e.kind !== 'numeric' || !/^\d+$/.test(e.text)) throw this.error(`${what} must be a non-negative integer literal`, e);
      return Number(e.text);
    };
    const limit = count(q.limit, 'LIMIT');
    const offset = count(q.offset, 'OFFSET') ?? 0;
    return { node: { kind: 'sort', input: p.node, keys, limit, offset, schema: p.node.schema, insertOnly: true }, fields: p.fields };
  }
}

/** Whether a type holds integers (AVG of one truncates, as in Flink). */
export function integerResult(t: LogicalType): boolean { return isInteger(t); }

/** The same type, NULL allowed (outer join sides). */
export function nullableField(f: ScopeField): ScopeField { return { ...f, type: withNullable(withoutTimeAttribute(f.type), true) }; }

