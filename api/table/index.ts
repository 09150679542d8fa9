// The Table API and SQL as the package exports them: the table environment, tables and their
// results, rows and changelogs, Table API expressions, the schema and type shapes, and the errors.
// The parser's barrel (./sql/index.ts) stays internal.
export { StreamTableEnvironment, type AggregateFunctionDefinition, type ScalarFunctionDefinition, type TableFunctionDefinition, type ViewSchema } from './table-environment.ts';
export { Table, GroupedTable, WindowedTable, WindowGroupedTable, type SelectItem } from './table.ts';
export { Tumble, Slide, type GroupWindow } from './group-windows.ts';
export { TableResult, type ResultKind } from './table-result.ts';
export { StatementSet } from './statement-set.ts';
export { $, lit, call$, Expression, type ExpressionLike } from './expressions.ts';
export { applyChangelog, type ChangelogRow, type Row, type RowKind } from './types/row.ts';
export { Schema as TableSchema, type Column as TableColumn } from './types/schema.ts';
export { typeToString, type LogicalType } from './types/logical-type.ts';
export { SqlValidationError, TableError } from './planner/validation-error.ts';
export { SqlRuntimeError } from './functions/scalar-runtime.ts';
export { SqlParseError } from './sql/sql-error.ts';
export { registerTableConnector, type TableConnector, type ConnectorContext, type LookupFunction } from './connectors/table-connector.ts';
