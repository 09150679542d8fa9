// Plans a lookup join (Flink's processing-time temporal join against a lookup source):
// `l JOIN d FOR SYSTEM_TIME AS OF l.proctime ON l.k = d.k` where d's connector can look rows up
// (TableConnector.createLookup, e.g. jdbc). Each left change queries d by the right columns that ON
// equates with left expressions, at the time it is processed; INNER and LEFT joins; the output
// changes as the left side does. Imports the AST and the planner's parts.
import type { Expr, JoinItem, TableRef } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { withNullable, withoutTimeAttribute } from '../types/logical-type.ts';
import { findTableConnector } from '../connectors/table-connector.ts';
import { tableName } from './catalog.ts';
import type { ScopeField } from './expression-compiler.ts';
import { equiKeys, planTableName, requalify } from './from-planner.ts';
import { leftKeyExpressions } from './key-expressions.ts';
import type { CalcStage, PlanNode } from './plan-nodes.ts';
import { schemaOf, type Planned, type QueryPlanner } from './query-planner.ts';

/** Whether the table `right` names can be looked up (its connector offers a lookup function). */
export function isLookupTable(p: QueryPlanner, right: TableRef): boolean {
  const entry = p.ctx.catalog.get(tableName(right.name));
  return entry?.kind === 'table' && findTableConnector(entry.options.connector ?? '')?.createLookup !== undefined;
}

/** `left JOIN right FOR SYSTEM_TIME AS OF <proctime> ON ...` as a lookup join. */
export function planLookupJoin(p: QueryPlanner, left: Planned, j: JoinItem, right: TableRef): Planned {
  const entry = p.ctx.catalog.get(tableName(right.name));
  if (entry?.kind !== 'table') throw p.error(`${right.name.join('.')} is not a table`, right);
  const name = right.name.join('.');
  if (j.joinType !== 'INNER' && j.joinType !== 'LEFT') throw p.error(`a lookup join is INNER or LEFT, not ${j.joinType}`, j);
  if (!j.on) throw p.error(`a lookup join needs ON equating columns of ${name} with the left side`, j);
  if (entry.computed.some((e) => e !== undefined)) throw p.error(`lookup table ${name} has computed columns, which a lookup join does not support`, right);
  const qualifier = right.alias?.name ?? tableName(right.name);
  let dim = requalify(planTableName(p, right.name, right), qualifier);
  if (right.alias?.columns) dim = requalify(p.rename(dim, right.alias.columns, right), qualifier);
  // Keys computed from the left row (`ON MOD(l.a, 10) = d.k`) become fields of the left input.
  const keyed = leftKeyExpressions(p, left, dim.fields, j.on);
  left = keyed.left;
  const fields: ScopeField[] = [
    ...left.fields,
    ...dim.fields.map((f) => ({ ...f, type: withNullable(withoutTimeAttribute(f.type), f.type.nullable || j.joinType === 'LEFT') })),
  ];
  const { leftKeys, rightKeys, residual } = equiKeys(p, keyed.on, fields, left.fields.length);
  if (rightKeys.length === 0) throw p.error(`a lookup join's ON must equate at least one column of ${name} with the left side`, j.on);
  let residualStage: CalcStage | undefined;
  if (residual.length > 0) {
    const c = p.compiler();
    const codes = residual.map((e: Expr) => c.condition(e, { fields, aggregateContext: 'in ON' }, 'ON').code);
    residualStage = { condition: codes.reduce((a, b) => `h.and(${a}, ${b})`), constants: c.constants, conditionSql: residual.map(expressionToSql).join(' AND ') };
  }
  const keys = rightKeys.map((k) => entry.schema.columns[k].name);
  const node: PlanNode = {
    kind: 'join', joinType: j.joinType, left: left.node, right: dim.node, leftKeys, rightKeys,
    ...(residualStage ? { residual: residualStage } : {}), lookup: { table: entry, keys },
    conditionSql: expressionToSql(j.on), schema: schemaOf(fields), insertOnly: left.node.insertOnly,
  };
  return { node, fields };
}
