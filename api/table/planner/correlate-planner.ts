// Plans `FROM t, LATERAL TABLE(fn(args)) AS T(a, b)` (also CROSS JOIN / JOIN ... ON TRUE, and
// LEFT JOIN LATERAL ... ON TRUE) and `CROSS JOIN UNNEST(array) [WITH ORDINALITY] AS U(x)` as a
// Correlate: every input row joined with the rows the table function (a registered TypeScript
// generator) or UNNEST makes for it. Imports the AST and the planner's parts.
import type { JoinItem } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { typeOf, typeToString, withNullable, type LogicalType } from '../types/logical-type.ts';
import type { ScopeField } from './expression-compiler.ts';
import type { PlanNode } from './plan-nodes.ts';
import { schemaOf, type Planned, type QueryPlanner } from './query-planner.ts';

/** Whether the right side of a join is a table function or UNNEST (a correlated join). */
export function isCorrelated(p: QueryPlanner, j: JoinItem): boolean {
  const r = j.right;
  return r.kind === 'unnest' || (r.kind === 'tableFunction' && p.ctx.functions.table(r.call.name) !== undefined);
}

/** The Correlate of `left` with the table function or UNNEST on the right of `j`. */
export function planCorrelate(p: QueryPlanner, left: Planned, j: JoinItem): Planned {
  const right = j.right;
  const outer = j.joinType === 'LEFT';
  const onTrue = j.on === undefined || (j.on.kind === 'boolean' && j.on.value);
  if (!['INNER', 'CROSS', 'COMMA', 'LEFT'].includes(j.joinType) || !onTrue || j.using) {
    throw p.error('a table function joins with CROSS JOIN, a comma, or [LEFT] JOIN ... ON TRUE', j);
  }
  const c = p.compiler();
  const scope = { fields: left.fields, aggregateContext: 'in a table function call' };
  let columns: { name: string; type: LogicalType }[];
  let fn: (args: unknown[]) => Iterable<unknown[]>;
  let fnName: string;
  let argExprs;
  if (right.kind === 'unnest') {
    argExprs = right.args;
    if (argExprs.length !== 1) throw p.error('UNNEST takes one array', right);
    const arr = c.compile(argExprs[0], scope);
    if (arr.type.kind !== 'ARRAY') throw p.error(`UNNEST needs an ARRAY, but ${expressionToSql(argExprs[0])} is ${typeToString(arr.type)}`, argExprs[0]);
    const element = arr.type.element!;
    const isRow = element.kind === 'ROW';
    columns = isRow ? element.fields!.map((f) => ({ name: f.name, type: f.type })) : [{ name: 'EXPR$0', type: element }];
    if (right.withOrdinality) columns.push({ name: 'ORDINALITY', type: typeOf('INT', false) });
    const ordinal = right.withOrdinality;
    fn = function* (args) {
      const a = args[0] as unknown[] | null;
      if (!a) return;
      for (let i = 0; i < a.length; i++) {
        const v = isRow ? [...(a[i] as unknown[] ?? columns.map(() => null))] : [a[i] ?? null];
        if (ordinal) v.push(i + 1);
        yield v;
      }
    };
    fnName = 'UNNEST';
  } else if (right.kind === 'tableFunction') {
    const udf = p.ctx.functions.table(right.call.name)!;
    argExprs = right.call.args;
    const names = udf.columns.map((col) => col.name);
    columns = udf.columns.map((col) => ({ name: col.name, type: withNullable(col.type, true) }));
    fn = function* (args) {
      for (const r of udf.fn(...args)) {
        if (Array.isArray(r)) yield names.map((_, i) => r[i] ?? null);
        else if (r !== null && typeof r === 'object') yield names.map((n) => (r as Record<string, unknown>)[n] ?? null);
        else if (names.length === 1) yield [r ?? null];
        else throw new Error(`table function ${udf.name} returned ${String(r)}, not a row of ${names.length} columns`);
      }
    };
    fnName = udf.name;
  } else {
    throw p.error('expected a table function', right);
  }
  const args = argExprs.map((a) => c.compile(a, scope));
  const alias = right.alias;
  if (alias?.columns) {
    if (alias.columns.length !== columns.length) throw p.error(`the alias names ${alias.columns.length} columns, but ${fnName} makes ${columns.length}`, right);
    columns = columns.map((col, i) => ({ ...col, name: alias.columns![i] }));
  }
  const fields: ScopeField[] = [
    ...left.fields,
    ...columns.map((col) => ({ name: col.name, type: outer ? withNullable(col.type, true) : col.type, qualifier: alias?.name })),
  ];
  const node: PlanNode = {
    kind: 'correlate', input: left.node, fn, fnName, outer, width: columns.length,
    args: { projection: args.map((a) => a.code), constants: c.constants, projectionSql: argExprs.map(expressionToSql) },
    schema: schemaOf(fields), insertOnly: left.node.insertOnly,
  };
  return { node, fields };
}
