// CREATE TABLE validation: the columns' types (physical ones from the DDL, computed ones inferred
// from their expressions), the rowtime attribute named by `WATERMARK FOR` (a TIMESTAMP(3) or
// TIMESTAMP_LTZ(3) column whose watermark expression is a timestamp too), the primary key's
// columns, and the connector with its options. Errors point at the DDL. Imports the AST and types.
import type { CreateTable } from '../sql/ast.ts';
import { findTableConnector, tableConnectorNames } from '../connectors/table-connector.ts';
import '../connectors/builtin-connectors.ts';
import { fromDataType, isTemporal, typeToString, withNullable, type LogicalType } from '../types/logical-type.ts';
import { Schema } from '../types/schema.ts';
import { tableName, type CatalogTable } from './catalog.ts';
import { ExpressionCompiler, type ScopeField } from './expression-compiler.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import { SqlValidationError } from './validation-error.ts';

/** The catalog table a CREATE TABLE statement defines. */
export function createTableEntry(stmt: CreateTable, source: string, functions: FunctionCatalog): CatalogTable {
  const err = (reason: string, at: { pos: CreateTable['pos'] }): SqlValidationError => new SqlValidationError(reason, source, at.pos);
  const name = tableName(stmt.name);
  const options: Record<string, string> = {};
  for (const o of stmt.options) options[o.key] = o.value;
  const connectorName = options.connector;
  if (connectorName === undefined) throw err(`table ${name} needs a 'connector' option (one of ${tableConnectorNames().join(', ')})`, stmt);
  const connector = findTableConnector(connectorName);
  const optionAt = (key: string) => stmt.options.find((o) => o.key === key) ?? stmt;
  if (connector === undefined) throw err(`unknown connector '${connectorName}' (known: ${tableConnectorNames().join(', ')})`, optionAt('connector'));
  for (const key of Object.keys(options)) {
    if (key !== 'connector' && !connector.options(key)) throw err(`the ${connectorName} connector does not support the option '${key}'`, optionAt(key));
  }
  const seen = new Set<string>();
  const physical: ScopeField[] = [];
  for (const c of stmt.columns) {
    if (seen.has(c.name)) throw err(`column ${c.name} is declared twice`, c);
    seen.add(c.name);
    if (c.kind === 'metadata') throw err('METADATA columns are not supported', c);
    if (c.kind === 'physical') physical.push({ name: c.name, type: fromDataType(c.type) });
  }
  const compiler = new ExpressionCompiler(source, functions);
  const columns: { name: string; type: LogicalType }[] = stmt.columns.map((c) => {
    if (c.kind === 'computed') return { name: c.name, type: compiler.compile(c.expr, { fields: physical, aggregateContext: 'in a computed column' }).type };
    return { name: c.name, type: fromDataType((c as { type: Parameters<typeof fromDataType>[0] }).type) };
  });
  // PARTITIONED BY (Flink's filesystem connector): physical columns, each named once.
  for (const [i, k] of stmt.partitionedBy.entries()) {
    if (!connector.partitioned) throw err(`the ${connectorName} connector does not support PARTITIONED BY`, stmt);
    if (!physical.some((c) => c.name === k)) throw err(`PARTITIONED BY names ${columns.some((c) => c.name === k) ? 'the computed column' : 'unknown column'} ${k}`, stmt);
    if (stmt.partitionedBy.indexOf(k) !== i) throw err(`PARTITIONED BY names ${k} twice`, stmt);
  }
  if (stmt.partitionedBy.length > 0 && stmt.partitionedBy.length === physical.length) throw err('PARTITIONED BY names every column: nothing is left to write into the files', stmt);
  let watermark: CatalogTable['watermark'];
  if (stmt.watermark) {
    const w = stmt.watermark;
    const col = w.column[w.column.length - 1];
    const i = columns.findIndex((c) => c.name === col);
    if (i < 0) throw err(`WATERMARK FOR names unknown column ${col}`, w);
    const t = columns[i].type;
    if (t.kind !== 'TIMESTAMP' && t.kind !== 'TIMESTAMP_LTZ') throw err(`the rowtime column ${col} must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), but it is ${typeToString(t)}`, w);
    const wt = compiler.compile(w.expr, { fields: columns, aggregateContext: 'in a watermark' }).type;
    if (!isTemporal(wt)) throw err(`the watermark expression must be a TIMESTAMP, but it is ${typeToString(wt)}`, w.expr);
    columns[i] = { name: col, type: { ...t, precision: 3, timeAttribute: 'rowtime' } };
    watermark = { column: col, expr: w.expr };
  }
  let primaryKey: string[] | undefined;
  if (stmt.primaryKey) {
    for (const k of stmt.primaryKey.columns) {
      const i = columns.findIndex((c) => c.name === k);
      if (i < 0) throw err(`PRIMARY KEY names unknown column ${k}`, stmt.primaryKey);
      columns[i] = { name: k, type: withNullable(columns[i].type, false) };
    }
    primaryKey = [...stmt.primaryKey.columns];
  }
  return {
    kind: 'table', name, schema: new Schema(columns, primaryKey),
    computed: stmt.columns.map((c) => (c.kind === 'computed' ? c.expr : undefined)),
    ...(watermark ? { watermark } : {}), ...(stmt.partitionedBy.length > 0 ? { partitionKeys: [...stmt.partitionedBy] } : {}), options, source,
  };
}
