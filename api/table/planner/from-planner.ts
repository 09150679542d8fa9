// Plans the FROM clause: catalog tables and views, WITH items, derived tables, window TVFs
// (TUMBLE, HOP, CUMULATE over `TABLE t` and `DESCRIPTOR(time)`), and joins (equi-join keys pulled
// out of ON, the rest kept as a residual condition). Imports the AST, types and the planner.
import type { Expr, FromItem, FunctionCall, JoinItem, TableFunctionRef } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { typeOf, typeToString, withNullable, withoutTimeAttribute } from '../types/logical-type.ts';
import { findTableConnector } from '../connectors/table-connector.ts';
import { tableName } from './catalog.ts';
import { resolveColumn, type ScopeField } from './expression-compiler.ts';
import { isCorrelated, planCorrelate } from './correlate-planner.ts';
import { isWindowEndOfAggregate } from './aggregate-planner.ts';
import { intervalBounds } from './interval-bounds.ts';
import { planTemporalJoin } from './temporal-join-planner.ts';
import type { PlanNode, WindowSpec } from './plan-nodes.ts';
import { schemaOf, type Planned, type QueryPlanner } from './query-planner.ts';

/** Plans one FROM item. */
export function planFrom(p: QueryPlanner, f: FromItem): Planned {
  switch (f.kind) {
    case 'table': {
      if (f.systemTime) throw p.error('FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN (a temporal join)', f.systemTime);
      const planned = planTableName(p, f.name, f);
      const qualifier = f.alias?.name ?? tableName(f.name);
      const out = requalify(planned, qualifier);
      return f.alias?.columns ? requalify(p.rename(out, f.alias.columns, f), qualifier) : out;
    }
    case 'derived': {
      if (f.lateral) throw p.error('LATERAL subqueries are not supported', f);
      const planned = p.planQuery(f.query);
      const qualifier = f.alias?.name;
      const out = qualifier === undefined ? planned : requalify(planned, qualifier);
      return f.alias?.columns ? requalify(p.rename(out, f.alias.columns, f), qualifier) : out;
    }
    case 'tableFunction': return planWindowTvf(p, f);
    case 'join': return planJoin(p, f);
    case 'unnest': throw p.error('UNNEST is not supported', f);
  }
}

/** `planned` with every field under `qualifier`. */
export function requalify(planned: Planned, qualifier: string | undefined): Planned {
  return { node: planned.node, fields: planned.fields.map((x) => ({ name: x.name, type: x.type, qualifier })) };
}

/** A catalog table, view or WITH item by name. */
export function planTableName(p: QueryPlanner, name: readonly string[], at: { pos: Expr['pos'] }): Planned {
  const plain = tableName(name);
  const cte = name.length === 1 ? p.cte(plain) : undefined;
  if (cte) return cte;
  const entry = p.ctx.catalog.get(plain);
  if (entry === undefined) throw p.error(`unknown table ${name.join('.')}`, at);
  switch (entry.kind) {
    case 'table': {
      const fields = entry.schema.columns.map((c) => ({ name: c.name, type: c.type }));
      // A changelog (CDC) connector makes the table updating.
      const insertOnly = findTableConnector(entry.options.connector ?? '')?.createChangelogSource === undefined;
      return { node: { kind: 'scan', table: entry, schema: entry.schema, insertOnly }, fields };
    }
    case 'stream': {
      const fields = entry.schema.columns.map((c) => ({ name: c.name, type: c.type }));
      return { node: { kind: 'streamScan', name: entry.name, stream: entry.stream, schema: entry.schema, insertOnly: entry.insertOnly }, fields };
    }
    case 'planned': {
      const fields = entry.node.schema.columns.map((c) => ({ name: c.name, type: c.type }));
      return { node: entry.node, fields };
    }
    case 'view': {
      // A view's query is planned in its own text, so that its errors point into its definition.
      const inner = new (p.constructor as new (ctx: QueryPlanner['ctx'], source: string) => QueryPlanner)(p.ctx, entry.source);
      const planned = inner.planQuery(entry.query);
      return entry.columns ? inner.rename(planned, entry.columns, entry.query) : planned;
    }
  }
}

/** The millisecond value of a constant INTERVAL argument. */
export function intervalArg(p: QueryPlanner, e: Expr, what: string): number {
  const c = p.compiler().compile(e, { fields: [] });
  if (c.type.kind !== 'INTERVAL_DAY_TIME' || c.constant === undefined) throw p.error(`${what} must be a day-time INTERVAL literal`, e);
  const ms = c.constant.value as number;
  if (!(ms > 0) && what !== 'OFFSET') throw p.error(`${what} must be positive`, e);
  return ms;
}

const TVF_PARAMS: Readonly<Record<string, readonly string[]>> = {
  TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
  HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
  SESSION: ['DATA', 'TIMECOL', 'GAP'],
};

/** `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL ...))` and HOP, CUMULATE. */
function planWindowTvf(p: QueryPlanner, f: TableFunctionRef): Planned {
  const call: FunctionCall = f.call;
  const name = call.name.toUpperCase();
  const params = TVF_PARAMS[name];
  if (params === undefined) throw p.error(`unknown table function ${call.name}`, call);
  const args = new Map<string, Expr>();
  call.args.forEach((a, i) => {
    if (a.kind === 'namedArg') args.set(a.name.toUpperCase(), a.value);
    else if (i < params.length) args.set(params[i], a);
    else throw p.error(`${name} takes at most ${params.length} arguments`, a);
  });
  const data = args.get('DATA');
  const timecol = args.get('TIMECOL');
  if (!data || data.kind !== 'tableArg') throw p.error(`${name} needs TABLE <name> as its first argument`, data ?? call);
  if (data.partitionBy.length > 0 && name !== 'SESSION') throw p.error(`PARTITION BY is only allowed in a SESSION window TVF, not in ${name}`, data);
  if (!timecol || timecol.kind !== 'descriptor' || timecol.columns.length !== 1) throw p.error(`${name} needs DESCRIPTOR(<time column>) as its second argument`, timecol ?? call);
  const input = requalify(planTableName(p, data.table, data), tableName(data.table));
  const timeField = input.fields.findIndex((x) => x.name === timecol.columns[0]);
  if (timeField < 0) throw p.error(`unknown column ${timecol.columns[0]} in DESCRIPTOR`, timecol);
  const tt = input.fields[timeField].type;
  if (tt.timeAttribute === undefined) {
    throw p.error(`the DESCRIPTOR column ${timecol.columns[0]} must be a time attribute (declared by WATERMARK FOR, or a PROCTIME() column), but it is ${typeToString(tt)}`, timecol);
  }
  const proctime = tt.timeAttribute === 'proctime' ? { proctime: true } : {};
  if (name === 'SESSION') {
    const partitionKeys = data.partitionBy.map((e) => {
      const i = e.kind === 'column' ? resolveColumn(e, input.fields, (r) => p.error(r, e)).index : -2;
      if (i === -2) throw p.error('PARTITION BY of a SESSION window TVF must name columns', e);
      if (i < 0) throw p.error(`unknown column ${expressionToSql(e)} in PARTITION BY`, e);
      return i;
    });
    const window: WindowSpec = { kind: 'SESSION', size: intervalArg(p, args.get('GAP') ?? call, 'GAP'), partitionKeys, ...proctime };
    return windowTvfOver(input, timeField, window, f.alias?.name);
  }
  const size = intervalArg(p, args.get('SIZE') ?? call, 'SIZE');
  const step = name === 'TUMBLE' ? undefined : intervalArg(p, args.get(name === 'HOP' ? 'SLIDE' : 'STEP') ?? call, name === 'HOP' ? 'SLIDE' : 'STEP');
  if (name === 'CUMULATE' && size % step! !== 0) throw p.error(`CUMULATE's SIZE must be a multiple of its STEP`, call);
  const offset = args.get('OFFSET') ? intervalArg(p, args.get('OFFSET')!, 'OFFSET') : undefined;
  const window: WindowSpec = { kind: name as WindowSpec['kind'], size, ...(step !== undefined ? { step } : {}), ...(offset !== undefined ? { offset } : {}), ...proctime };
  return windowTvfOver(input, timeField, window, f.alias?.name);
}

/** `input` with window_start, window_end and window_time appended, one row per window (a window TVF). */
export function windowTvfOver(input: Planned, timeField: number, window: WindowSpec, qualifier: string | undefined, keepQualifiers = false): Planned {
  const ts = typeOf('TIMESTAMP', false, { precision: 3 });
  const fields: ScopeField[] = [
    ...input.fields.map((x) => ({ name: x.name, type: x.type, qualifier: keepQualifiers ? x.qualifier : qualifier })),
    { name: 'window_start', type: ts, qualifier },
    { name: 'window_end', type: ts, qualifier },
    { name: 'window_time', type: { ...ts, timeAttribute: window.proctime ? 'proctime' as const : 'rowtime' as const }, qualifier },
  ];
  const node: PlanNode = { kind: 'windowTvf', input: input.node, timeField, window, schema: schemaOf(fields), insertOnly: input.node.insertOnly };
  return { node, fields };
}

/** The SESSION window TVF right below `node` (through filters), if there is one. */
export function sessionTvfBelow(node: PlanNode): Extract<PlanNode, { kind: 'windowTvf' }> | undefined {
  let n = node;
  while (n.kind === 'calc' && n.stages.every((s) => s.projection === undefined)) n = n.input;
  return n.kind === 'windowTvf' && n.window.kind === 'SESSION' ? n : undefined;
}

/** The equi-join keys among the conjuncts of `condition` (`l = r` across the sides) and the rest. */
export function equiKeys(p: QueryPlanner, condition: Expr | undefined, fields: readonly ScopeField[], leftWidth: number): { leftKeys: number[]; rightKeys: number[]; residual: Expr[] } {
  const conjuncts: Expr[] = [];
  const split = (e: Expr): void => { if (e.kind === 'binary' && e.op === 'AND') { split(e.left); split(e.right); } else conjuncts.push(e); };
  if (condition) split(condition);
  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const residual: Expr[] = [];
  const sideOf = (e: Expr): { side: 'left' | 'right'; index: number } | undefined => {
    if (e.kind !== 'column') return undefined;
    const r = resolveColumn(e, fields, (reason) => p.error(reason, e));
    if (r.index < 0 || r.path.length > 0) return undefined;
    return r.index < leftWidth ? { side: 'left', index: r.index } : { side: 'right', index: r.index - leftWidth };
  };
  for (const e of conjuncts) {
    if (e.kind === 'binary' && e.op === '=') {
      const a = sideOf(e.left);
      const b = sideOf(e.right);
      if (a && b && a.side !== b.side) {
        const [l, r] = a.side === 'left' ? [a, b] : [b, a];
        leftKeys.push(l.index);
        rightKeys.push(r.index);
        continue;
      }
    }
    residual.push(e);
  }
  return { leftKeys, rightKeys, residual };
}

/** A join: equi-keys from ON's conjuncts `l = r`, the rest as a residual over the joined row. */
function planJoin(p: QueryPlanner, j: JoinItem): Planned {
  const left = planFrom(p, j.left);
  if (isCorrelated(p, j)) return planCorrelate(p, left, j);
  if (j.right.kind === 'table' && j.right.systemTime) return planTemporalJoin(p, left, j, j.right);
  const right = planFrom(p, j.right);
  for (const [side, at] of [[left, j.left], [right, j.right]] as const) {
    if (sessionTvfBelow(side.node)) throw p.error('the SESSION window TVF is supported in a window aggregation only (GROUP BY window_start, window_end, ...), not in a join', at);
  }
  const type = j.joinType === 'COMMA' || j.joinType === 'CROSS' ? 'INNER' : j.joinType;
  const outerLeft = type === 'RIGHT' || type === 'FULL';
  const outerRight = type === 'LEFT' || type === 'FULL';
  // Regular joins keep no time attribute (Flink: the output is not ordered by time).
  const fields: ScopeField[] = [
    ...left.fields.map((f) => ({ ...f, type: withNullable(withoutTimeAttribute(f.type), f.type.nullable || outerLeft) })),
    ...right.fields.map((f) => ({ ...f, type: withNullable(withoutTimeAttribute(f.type), f.type.nullable || outerRight) })),
  ];
  let condition: Expr | undefined = j.on;
  if (j.using) {
    for (const col of j.using) {
      const l = { kind: 'column' as const, pos: j.pos, names: [col] };
      if (resolveColumn(l, left.fields, (r) => p.error(r, j)).index < 0 || resolveColumn(l, right.fields, (r) => p.error(r, j)).index < 0) {
        throw p.error(`USING column ${col} is not in both sides of the join`, j);
      }
    }
  }
  const { leftKeys, rightKeys, residual } = equiKeys(p, condition, fields, left.fields.length);
  if (j.using) {
    for (const col of j.using) {
      leftKeys.push(left.fields.findIndex((f) => f.name === col));
      rightKeys.push(right.fields.findIndex((f) => f.name === col));
    }
  }
  if (j.joinType !== 'COMMA' && j.joinType !== 'CROSS' && !condition && !j.using) throw p.error(`${j.joinType} JOIN needs ON or USING`, j);
  let residualStage;
  let residualSql = '';
  if (residual.length > 0) {
    const c = p.compiler();
    const codes = residual.map((e) => c.condition(e, { fields, aggregateContext: 'in ON' }, 'ON').code);
    residualSql = residual.map(expressionToSql).join(' AND ');
    residualStage = { condition: codes.length === 1 ? codes[0] : `h.and(${codes.join(', ')})`, constants: c.constants, conditionSql: residualSql };
    if (codes.length > 2) residualStage = { ...residualStage, condition: codes.reduce((a, b) => `h.and(${a}, ${b})`) };
  }
  // An inner join of append-only inputs bounding one event time by the other is an interval join:
  // it keeps both time attributes and cleans its state by the watermark.
  const appendOnly = left.node.insertOnly && right.node.insertOnly;
  const withTime: ScopeField[] = [...left.fields, ...right.fields];
  const interval = type === 'INNER' && appendOnly && residual.length > 0 ? intervalBounds(p, residual, withTime, left.fields.length) : undefined;
  const outFields = interval ? withTime : fields;
  // Two window aggregations joined on their window ends (q5's AuctionBids and MaxBids): a window join.
  const w = interval || !appendOnly ? -1 : leftKeys.findIndex((l, i) => isWindowEndOfAggregate(left.node, l) && isWindowEndOfAggregate(right.node, rightKeys[i]));
  const window = w >= 0 ? { leftEnd: leftKeys[w], rightEnd: rightKeys[w] } : undefined;
  const node: PlanNode = {
    kind: 'join', joinType: type, left: left.node, right: right.node, leftKeys, rightKeys,
    ...(residualStage ? { residual: residualStage } : {}), ...(interval ? { interval } : {}), ...(window ? { window } : {}),
    conditionSql: condition ? expressionToSql(condition) : j.using ? `USING (${j.using.join(', ')})` : 'true',
    schema: schemaOf(outFields), insertOnly: window !== undefined || (appendOnly && type === 'INNER'),
  };
  return { node, fields: outFields };
}

