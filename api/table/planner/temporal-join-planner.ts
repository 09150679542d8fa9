// Plans an event-time temporal join, `l JOIN v FOR SYSTEM_TIME AS OF l.rowtime ON l.k = v.k`, as
// Flink does: `v` must be a versioned table (a PRIMARY KEY and an event-time attribute), the AS OF
// time an event-time attribute of the append-only left side, and ON must equate the whole primary
// key with left columns. INNER and LEFT joins; the result keeps the left side's time attributes
// and only inserts. Processing-time temporal joins against a lookup table are lookup joins
// (lookup-join-planner.ts); against any other table they are refused naming the construct.
// Imports the AST and the planner's parts.
import type { Expr, JoinItem, TableRef } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { typeToString, withNullable, withoutTimeAttribute } from '../types/logical-type.ts';
import { tableName } from './catalog.ts';
import type { ScopeField } from './expression-compiler.ts';
import { equiKeys, planTableName, requalify } from './from-planner.ts';
import { isLookupTable, planLookupJoin } from './lookup-join-planner.ts';
import type { CalcStage, PlanNode } from './plan-nodes.ts';
import type { Planned, QueryPlanner } from './query-planner.ts';
import { schemaOf } from './query-planner.ts';

/** `left JOIN right FOR SYSTEM_TIME AS OF ... ON ...`. */
export function planTemporalJoin(p: QueryPlanner, left: Planned, j: JoinItem, right: TableRef): Planned {
  const asOf = right.systemTime!;
  if (j.joinType !== 'INNER' && j.joinType !== 'LEFT') throw p.error(`a temporal join (FOR SYSTEM_TIME AS OF) is INNER or LEFT, not ${j.joinType}`, j);
  if (!j.on) throw p.error('a temporal join needs ON with the versioned table\'s primary key', j);
  const timeCode = p.compiler().compile(asOf, { fields: left.fields, aggregateContext: 'in FOR SYSTEM_TIME AS OF' });
  const m = /^r\[(\d+)\]$/.exec(timeCode.code);
  if (!m) throw p.error('FOR SYSTEM_TIME AS OF must name a time attribute column of the left side', asOf);
  const leftTime = Number(m[1]);
  const attr = left.fields[leftTime].type.timeAttribute;
  if (attr === 'proctime') {
    if (isLookupTable(p, right)) return planLookupJoin(p, left, j, right);
    throw p.error(`processing-time temporal joins (lookup joins, FOR SYSTEM_TIME AS OF a PROCTIME() column) need a lookup table (a connector that can look rows up, e.g. jdbc); ${right.name.join('.')} is not one`, asOf);
  }
  if (attr !== 'rowtime') throw p.error(`FOR SYSTEM_TIME AS OF needs an event-time attribute of the left side, but ${expressionToSql(asOf)} is ${typeToString(left.fields[leftTime].type)}`, asOf);
  if (!left.node.insertOnly) throw p.error('an event-time temporal join needs an append-only left input, but it is updating', j.left);
  const qualifier = right.alias?.name ?? tableName(right.name);
  let versioned = requalify(planTableName(p, right.name, right), qualifier);
  if (right.alias?.columns) versioned = requalify(p.rename(versioned, right.alias.columns, right), qualifier);
  const name = right.name.join('.');
  const pk = versioned.node.schema.primaryKey;
  if (pk === undefined || pk.length === 0) throw p.error(`${name} is not a versioned table: a temporal join needs a PRIMARY KEY on it`, right);
  const rightTime = versioned.fields.findIndex((f) => f.type.timeAttribute === 'rowtime');
  if (rightTime < 0) throw p.error(`${name} is not a versioned table: a temporal join needs an event-time attribute on it (WATERMARK FOR)`, right);
  const rightKey = pk.map((k) => versioned.node.schema.indexOf(k));
  const fields: ScopeField[] = [
    ...left.fields,
    ...versioned.fields.map((f) => ({ ...f, type: withNullable(withoutTimeAttribute(f.type), f.type.nullable || j.joinType === 'LEFT') })),
  ];
  const { leftKeys, rightKeys, residual } = equiKeys(p, j.on, fields, left.fields.length);
  const missing = rightKey.filter((k) => !rightKeys.includes(k));
  if (missing.length > 0) {
    throw p.error(`a temporal join's ON must equate the primary key of ${name} with left columns; ${missing.map((k) => versioned.fields[k].name).join(', ')} is not`, j.on);
  }
  let residualStage: CalcStage | undefined;
  if (residual.length > 0) {
    const c = p.compiler();
    const codes = residual.map((e: Expr) => c.condition(e, { fields, aggregateContext: 'in ON' }, 'ON').code);
    residualStage = { condition: codes.reduce((a, b) => `h.and(${a}, ${b})`), constants: c.constants, conditionSql: residual.map(expressionToSql).join(' AND ') };
  }
  const node: PlanNode = {
    kind: 'join', joinType: j.joinType, left: left.node, right: versioned.node, leftKeys, rightKeys,
    ...(residualStage ? { residual: residualStage } : {}), temporal: { leftTime, rightTime, rightKey },
    conditionSql: expressionToSql(j.on), schema: schemaOf(fields), insertOnly: true,
  };
  return { node, fields };
}
