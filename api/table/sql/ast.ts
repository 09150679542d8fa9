// The SQL abstract syntax tree: typed unions tagged by `kind`, one per syntactic category
// (expressions, data types, queries, FROM items, statements). Every node carries `pos`, the place
// in the SQL text where it starts, so that the planner can report an unknown column or a type
// mismatch at its line and column. Names keep the case they were written in (Flink identifiers are
// case-sensitive); keywords and units are upper-case. Imports only the position type.
// Just over 400 lines: every node type of the language in one place, so that the parser, printer
// and planner share one vocabulary; the parsers and the printer live apart.
import type { SourcePos } from './sql-error.ts';

export type { SourcePos } from './sql-error.ts';

/** Fields every node has. */
export interface NodeBase {
  readonly pos: SourcePos;
}

// ---------------------------------------------------------------------------------------------
// Data types

/** Time units of INTERVAL qualifiers, EXTRACT and FLOOR/CEIL ... TO. */
export type TimeUnit =
  | 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND'
  | 'MILLISECOND' | 'MICROSECOND' | 'NANOSECOND'
  | 'DOW' | 'DOY' | 'ISODOW' | 'ISOYEAR' | 'EPOCH' | 'DECADE' | 'CENTURY' | 'MILLENNIUM';

/** `DAY`, `MINUTE(3)`, `YEAR TO MONTH`, `DAY(2) TO SECOND(3)`, `SECOND(2, 6)`. */
export interface IntervalQualifier {
  readonly start: TimeUnit;
  /** The leading field's precision. */
  readonly precision?: number;
  readonly end?: TimeUnit;
  /** SECOND's fractional precision, on whichever end is SECOND. */
  readonly fractionalPrecision?: number;
}

/** Type names with no parameters. */
export type SimpleTypeName =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE'
  | 'STRING' | 'BYTES' | 'DATE' | 'NULL';

/** A SQL data type; `nullable: false` is `NOT NULL`. Aliases are normalized (INTEGER is INT). */
export type DataType = NodeBase & { readonly nullable: boolean } & (
  | { readonly name: SimpleTypeName }
  | { readonly name: 'DECIMAL'; readonly precision?: number; readonly scale?: number }
  | { readonly name: 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY'; readonly length?: number }
  | { readonly name: 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; readonly precision?: number }
  | { readonly name: 'INTERVAL'; readonly qualifier: IntervalQualifier }
  | { readonly name: 'ARRAY' | 'MULTISET'; readonly element: DataType }
  | { readonly name: 'MAP'; readonly key: DataType; readonly value: DataType }
  | { readonly name: 'ROW'; readonly fields: readonly RowField[] }
);

/** One field of a ROW type. */
export interface RowField extends NodeBase {
  readonly name: string;
  readonly type: DataType;
  readonly comment?: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Binary operators; `!=` is read as `<>`. */
export type BinaryOp = 'OR' | 'AND' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

/** Any scalar expression. The last four kinds appear only as function arguments. */
export type Expr =
  | NumericLiteral | StringLiteral | BooleanLiteral | NullLiteral | TypedLiteral | IntervalLiteral
  | ColumnRef | FieldAccess | IndexAccess
  | UnaryExpr | BinaryExpr | IsExpr | IsDistinctFromExpr | BetweenExpr | InListExpr | InQueryExpr
  | ExistsExpr | SubqueryExpr | LikeExpr | CaseExpr | CastExpr | ExtractExpr | FloorCeilExpr | TrimExpr
  | FunctionCall | ArrayConstructor | MapConstructor | RowConstructor
  | NamedArgument | TableArgument | DescriptorExpr;

/** A number as written (`12`, `0.908`, `1.5E-3`); its text keeps DECIMAL precision exact. */
export interface NumericLiteral extends NodeBase { readonly kind: 'numeric'; readonly text: string }
/** `'it''s'` holds value `it's`. */
export interface StringLiteral extends NodeBase { readonly kind: 'string'; readonly value: string }
/** TRUE, FALSE (UNKNOWN is a NULL of type BOOLEAN and reads as NullLiteral). */
export interface BooleanLiteral extends NodeBase { readonly kind: 'boolean'; readonly value: boolean }
/** NULL. */
export interface NullLiteral extends NodeBase { readonly kind: 'null' }
/** `DATE '2024-01-31'`, `TIME '12:00:00'`, `TIMESTAMP '2024-01-31 12:00:00.000'`. */
export interface TypedLiteral extends NodeBase {
  readonly kind: 'typedLiteral';
  readonly type: 'DATE' | 'TIME' | 'TIMESTAMP';
  readonly value: string;
}
/** `INTERVAL '10' SECOND`, `INTERVAL '1-2' YEAR TO MONTH`; `negative` for `INTERVAL -'5' DAY`. */
export interface IntervalLiteral extends NodeBase {
  readonly kind: 'interval';
  readonly value: string;
  readonly negative: boolean;
  readonly qualifier: IntervalQualifier;
}
/** A possibly qualified name: `price`, `B.price`, `person.dateTime` (table, column or field). */
export interface ColumnRef extends NodeBase { readonly kind: 'column'; readonly names: readonly string[] }
/** `(expr).field`, `fn(x).field`: a field of a ROW-typed value that is not a plain name. */
export interface FieldAccess extends NodeBase { readonly kind: 'field'; readonly target: Expr; readonly field: string }
/** `arr[1]`, `m['key']`. */
export interface IndexAccess extends NodeBase { readonly kind: 'index'; readonly target: Expr; readonly index: Expr }
/** `-x`, `+x`, `NOT x`. */
export interface UnaryExpr extends NodeBase { readonly kind: 'unary'; readonly op: '-' | '+' | 'NOT'; readonly operand: Expr }
/** `a + b`, `a AND b`, `a || b`, ... */
export interface BinaryExpr extends NodeBase { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`. */
export interface IsExpr extends NodeBase {
  readonly kind: 'is';
  readonly negated: boolean;
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly operand: Expr;
}
/** `a IS [NOT] DISTINCT FROM b`. */
export interface IsDistinctFromExpr extends NodeBase {
  readonly kind: 'isDistinctFrom'; readonly negated: boolean; readonly left: Expr; readonly right: Expr;
}
/** `x [NOT] BETWEEN [SYMMETRIC] low AND high`. */
export interface BetweenExpr extends NodeBase {
  readonly kind: 'between'; readonly negated: boolean; readonly symmetric: boolean;
  readonly operand: Expr; readonly low: Expr; readonly high: Expr;
}
/** `x [NOT] IN (a, b, ...)`. */
export interface InListExpr extends NodeBase {
  readonly kind: 'inList'; readonly negated: boolean; readonly operand: Expr; readonly list: readonly Expr[];
}
/** `x [NOT] IN (SELECT ...)`: a semi or anti join for the planner. */
export interface InQueryExpr extends NodeBase {
  readonly kind: 'inQuery'; readonly negated: boolean; readonly operand: Expr; readonly query: Query;
}
/** `EXISTS (SELECT ...)` (NOT EXISTS is a NOT around it). */
export interface ExistsExpr extends NodeBase { readonly kind: 'exists'; readonly query: Query }
/** `(SELECT ...)` used as a value. */
export interface SubqueryExpr extends NodeBase { readonly kind: 'subquery'; readonly query: Query }
/** `x [NOT] LIKE pattern [ESCAPE c]`. */
export interface LikeExpr extends NodeBase {
  readonly kind: 'like'; readonly negated: boolean; readonly operand: Expr; readonly pattern: Expr; readonly escape?: Expr;
}
/** Simple (`CASE x WHEN 1 THEN ...`, with `operand`) or searched (`CASE WHEN cond THEN ...`). */
export interface CaseExpr extends NodeBase {
  readonly kind: 'case';
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}
/** `CAST(x AS type)`, or `TRY_CAST` (null instead of an error) when `safe`. */
export interface CastExpr extends NodeBase { readonly kind: 'cast'; readonly safe: boolean; readonly operand: Expr; readonly type: DataType }
/** `EXTRACT(unit FROM x)`. */
export interface ExtractExpr extends NodeBase { readonly kind: 'extract'; readonly unit: TimeUnit; readonly operand: Expr }
/** `FLOOR(x TO unit)`, `CEIL(x TO unit)` (the plain numeric forms are ordinary calls). */
export interface FloorCeilExpr extends NodeBase {
  readonly kind: 'floorCeil'; readonly fn: 'FLOOR' | 'CEIL'; readonly operand: Expr; readonly unit: TimeUnit;
}
/** `TRIM([BOTH | LEADING | TRAILING] [chars] FROM s)` or `TRIM(s)`. */
export interface TrimExpr extends NodeBase {
  readonly kind: 'trim'; readonly side: 'BOTH' | 'LEADING' | 'TRAILING'; readonly chars?: Expr; readonly operand: Expr;
}
/**
 * A function call: scalar, aggregate (`distinct`, `filter`), window (`over`), or table function.
 * `COUNT(*)` has `star` and no args; `SUBSTRING(s FROM a FOR b)` and `POSITION(a IN b)` read as
 * calls with positional args; `CURRENT_TIMESTAMP` and the like have `noParens`.
 */
export interface FunctionCall extends NodeBase {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly noParens: boolean;
  readonly filter?: Expr;
  readonly over?: WindowSpec;
}
/** `ARRAY[a, b]`. */
export interface ArrayConstructor extends NodeBase { readonly kind: 'array'; readonly elements: readonly Expr[] }
/** `MAP[k1, v1, k2, v2]`. */
export interface MapConstructor extends NodeBase {
  readonly kind: 'map'; readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
}
/** `ROW(a, b)`, or `(a, b)` when not `explicit`. */
export interface RowConstructor extends NodeBase { readonly kind: 'row'; readonly explicit: boolean; readonly fields: readonly Expr[] }
/** `name => value`, a named argument (window TVFs: `DATA => TABLE t`, `SIZE => INTERVAL ...`). */
export interface NamedArgument extends NodeBase { readonly kind: 'namedArg'; readonly name: string; readonly value: Expr }
/** `TABLE t [PARTITION BY a, b]`, the table argument of a table-valued function. */
export interface TableArgument extends NodeBase {
  readonly kind: 'tableArg'; readonly table: readonly string[]; readonly partitionBy: readonly Expr[];
}
/** `DESCRIPTOR(a, b)`, naming columns of a table argument (the time attribute of a window TVF). */
export interface DescriptorExpr extends NodeBase { readonly kind: 'descriptor'; readonly columns: readonly string[] }

/** One ORDER BY key. */
export interface OrderItem extends NodeBase {
  readonly expr: Expr;
  readonly direction?: 'ASC' | 'DESC';
  readonly nulls?: 'FIRST' | 'LAST';
}

/** One end of a window frame; `offset` for `n PRECEDING` / `n FOLLOWING`. */
export interface FrameBound extends NodeBase {
  readonly bound: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING';
  readonly offset?: Expr;
}

/** `ROWS | RANGE BETWEEN start AND end`; `ROWS start` reads with `end` CURRENT ROW. */
export interface WindowFrame extends NodeBase {
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** `OVER (...)` or `OVER w`: `ref` names a window of the WINDOW clause. */
export interface WindowSpec extends NodeBase {
  readonly ref?: string;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
}

// ---------------------------------------------------------------------------------------------
// Queries

/** A query: a SELECT, a set operation, VALUES, or WITH around one of them. */
export type Query = SelectQuery | SetOperation | ValuesQuery | WithQuery;

/** ORDER BY, LIMIT and OFFSET/FETCH, on a SELECT or on a set operation as a whole. */
export interface OrderLimit {
  readonly orderBy: readonly OrderItem[];
  /** LIMIT n or FETCH FIRST n ROWS ONLY. */
  readonly limit?: Expr;
  readonly offset?: Expr;
}

/** `SELECT [DISTINCT] items [FROM ...] [WHERE] [GROUP BY] [HAVING] [WINDOW] [ORDER BY] [LIMIT]`. */
export interface SelectQuery extends NodeBase, OrderLimit {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: FromItem;
  readonly where?: Expr;
  readonly groupBy: readonly GroupItem[];
  readonly having?: Expr;
  readonly windows: readonly NamedWindow[];
}

/** `left UNION [ALL] right`, `INTERSECT`, `EXCEPT`. */
export interface SetOperation extends NodeBase, OrderLimit {
  readonly kind: 'setOp';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
}

/** `VALUES (1, 'a'), (2, 'b')`. */
export interface ValuesQuery extends NodeBase { readonly kind: 'values'; readonly rows: readonly (readonly Expr[])[] }

/** `WITH name [(cols)] AS (query), ... body`. */
export interface WithQuery extends NodeBase {
  readonly kind: 'with';
  readonly ctes: readonly { readonly pos: SourcePos; readonly name: string; readonly columns?: readonly string[]; readonly query: Query }[];
  readonly body: Query;
}

/** One item of the SELECT list. */
export type SelectItem =
  | (NodeBase & { readonly kind: 'expr'; readonly expr: Expr; readonly alias?: string })
  | (NodeBase & { readonly kind: 'star'; readonly qualifier?: readonly string[] });

/** `WINDOW name AS (spec)`. */
export interface NamedWindow extends NodeBase { readonly name: string; readonly spec: WindowSpec }

/** One item of GROUP BY: an expression, or GROUPING SETS / ROLLUP / CUBE over lists of expressions. */
export type GroupItem =
  | (NodeBase & { readonly kind: 'expr'; readonly expr: Expr })
  | (NodeBase & { readonly kind: 'groupingSets' | 'rollup' | 'cube'; readonly sets: readonly (readonly Expr[])[] });

/** An alias with optional column names: `AS t (a, b)`. */
export interface Alias { readonly name: string; readonly columns?: readonly string[] }

/** Something in FROM. */
export type FromItem = TableRef | DerivedTable | TableFunctionRef | UnnestRef | JoinItem;

/** A named table or view; `systemTime` is `FOR SYSTEM_TIME AS OF expr` (a temporal or lookup join). */
export interface TableRef extends NodeBase {
  readonly kind: 'table'; readonly name: readonly string[]; readonly alias?: Alias; readonly systemTime?: Expr;
}
/** `(query) [AS] alias`; Flink allows the alias to be left out. */
export interface DerivedTable extends NodeBase {
  readonly kind: 'derived'; readonly lateral: boolean; readonly query: Query; readonly alias?: Alias;
}
/** `TABLE(fn(...))`, a window TVF or table function, `LATERAL` when correlated (`LATERAL TABLE(...)`). */
export interface TableFunctionRef extends NodeBase {
  readonly kind: 'tableFunction'; readonly lateral: boolean; readonly call: FunctionCall; readonly alias?: Alias;
}
/** `UNNEST(array) [WITH ORDINALITY] [AS t (x)]`. */
export interface UnnestRef extends NodeBase {
  readonly kind: 'unnest'; readonly args: readonly Expr[]; readonly withOrdinality: boolean; readonly alias?: Alias;
}
/** A join; `COMMA` is `FROM a, b` (a cross join whose condition sits in WHERE). */
export interface JoinItem extends NodeBase {
  readonly kind: 'join';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on?: Expr;
  readonly using?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Statements

/** Anything `parseStatement` returns. */
export type Statement =
  | Query | CreateTable | CreateView | CreateFunction | DropStatement | InsertStatement
  | ExplainStatement | SetStatement | ResetStatement | ShowStatement | DescribeStatement
  | StatementSetStatement;

/** `EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END`: the INSERTs run as one job. */
export interface StatementSetStatement extends NodeBase {
  readonly kind: 'statementSet';
  readonly inserts: readonly InsertStatement[];
}

/** A column of CREATE TABLE. */
export type ColumnDef =
  | (NodeBase & { readonly kind: 'physical'; readonly name: string; readonly type: DataType; readonly comment?: string })
  | (NodeBase & { readonly kind: 'computed'; readonly name: string; readonly expr: Expr; readonly comment?: string })
  | (NodeBase & {
    readonly kind: 'metadata'; readonly name: string; readonly type: DataType;
    readonly from?: string; readonly virtual: boolean; readonly comment?: string;
  });

/** `'key' = 'value'` of WITH (...) or SET. */
export interface TableOption extends NodeBase { readonly key: string; readonly value: string }

/** `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (...) [COMMENT] [PARTITIONED BY (...)] WITH (...)`. */
export interface CreateTable extends NodeBase {
  readonly kind: 'createTable';
  readonly name: readonly string[];
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: { readonly pos: SourcePos; readonly column: readonly string[]; readonly expr: Expr };
  readonly primaryKey?: { readonly pos: SourcePos; readonly name?: string; readonly columns: readonly string[] };
  readonly comment?: string;
  readonly partitionedBy: readonly string[];
  readonly options: readonly TableOption[];
}

/** `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(cols)] AS query`. */
export interface CreateView extends NodeBase {
  readonly kind: 'createView';
  readonly name: readonly string[];
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns?: readonly string[];
  readonly query: Query;
}

/** `CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'identifier' [LANGUAGE lang]`. */
export interface CreateFunction extends NodeBase {
  readonly kind: 'createFunction';
  readonly name: readonly string[];
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifNotExists: boolean;
  readonly identifier: string;
  readonly language?: string;
}

/** `DROP [TEMPORARY [SYSTEM]] TABLE | VIEW | FUNCTION [IF EXISTS] name`. */
export interface DropStatement extends NodeBase {
  readonly kind: 'drop';
  readonly object: 'TABLE' | 'VIEW' | 'FUNCTION';
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifExists: boolean;
  readonly name: readonly string[];
}

/** `INSERT INTO | OVERWRITE name [(cols)] query`. */
export interface InsertStatement extends NodeBase {
  readonly kind: 'insert';
  readonly overwrite: boolean;
  readonly table: readonly string[];
  readonly columns?: readonly string[];
  readonly query: Query;
}

/** `EXPLAIN [PLAN FOR | detail, ...] statement`. */
export interface ExplainStatement extends NodeBase {
  readonly kind: 'explain'; readonly details: readonly string[]; readonly statement: Statement;
}

/** `SET 'key' = 'value'`, or `SET` alone (list the settings). */
export interface SetStatement extends NodeBase { readonly kind: 'set'; readonly key?: string; readonly value?: string }
/** `RESET 'key'`, or `RESET` alone (every key). */
export interface ResetStatement extends NodeBase { readonly kind: 'reset'; readonly key?: string }
/** `SHOW TABLES | VIEWS | FUNCTIONS | CATALOGS | DATABASES | JOBS`. */
export interface ShowStatement extends NodeBase {
  readonly kind: 'show'; readonly object: 'TABLES' | 'VIEWS' | 'FUNCTIONS' | 'CATALOGS' | 'DATABASES' | 'JOBS';
}
/** `DESCRIBE | DESC [EXTENDED] name`. */
export interface DescribeStatement extends NodeBase { readonly kind: 'describe'; readonly name: readonly string[]; readonly extended: boolean }

/** Whether a statement is a query (the kinds a query can have). */
export function isQuery(s: Statement): s is Query {
  return s.kind === 'select' || s.kind === 'setOp' || s.kind === 'values' || s.kind === 'with';
}
