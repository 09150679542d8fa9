// The SQL printer: turns an AST back into Flink SQL on one line, for EXPLAIN and error messages,
// such that parsing the printed text gives the same tree (the round-trip test holds it to that).
// Parentheses are added only where the parser's binding strengths need them; identifiers are
// back-quoted when they are not plain words or could read as a keyword.
import type {
  Alias, ColumnDef, DataType, Expr, FrameBound, FromItem, FunctionCall, GroupItem, IntervalQualifier,
  OrderItem, Query, SelectItem, Statement, WindowSpec,
} from './ast.ts';
import { PRECEDENCE } from './precedence.ts';
import { CALLABLE_RESERVED_WORDS, RESERVED_WORDS } from './token-cursor.ts';

/** Words with a meaning of their own somewhere in the grammar: quoted when used as names. */
const KEYWORDS: ReadonlySet<string> = new Set([
  ...RESERVED_WORDS, 'ARRAY', 'MAP', 'ROW', 'MULTISET', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'CAST', 'TRY_CAST',
  'EXTRACT', 'TRIM', 'FLOOR', 'CEIL', 'CEILING', 'SUBSTRING', 'POSITION', 'DESCRIPTOR', 'CURRENT_TIMESTAMP', 'CURRENT_DATE',
  'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP', 'ROWS', 'RANGE', 'CURRENT', 'UNBOUNDED', 'PRECEDING', 'FOLLOWING',
  'NULLS', 'FIRST', 'LAST', 'SYSTEM_TIME', 'WATERMARK', 'PRIMARY', 'CONSTRAINT', 'METADATA', 'VIRTUAL', 'COMMENT',
  'PARTITIONED', 'ESCAPE', 'SYMMETRIC', 'ASYMMETRIC', 'ORDINALITY', 'GROUPING', 'ROLLUP', 'CUBE', 'TO',
  // Not keywords here, but reserved in Flink's own parser: quoted so that printed SQL also runs there.
  'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'VALUE', 'USER',
]);
/** Call names the parser reads as a special form (so a UDF of that name must be quoted). */
const SPECIAL_FORMS: ReadonlySet<string> = new Set(['CAST', 'TRY_CAST', 'EXTRACT', 'TRIM', 'ROW', 'DESCRIPTOR', 'EXISTS', 'CASE', 'INTERVAL']);

/** Calls the parser reads through a special form only when their arguments fit it. */
const SPECIAL_ARGUMENT_FORMS: ReadonlySet<string> = new Set(['POSITION', 'FLOOR', 'CEIL', 'CEILING', 'SUBSTRING']);

/** Whether a call named like a special form reads back as itself when printed plainly. */
function specialFormFits(c: FunctionCall): boolean {
  if (c.distinct || c.star || c.filter || c.over || c.args.some((a) => a.kind === 'namedArg' || a.kind === 'tableArg')) return false;
  return c.name.toUpperCase() === 'POSITION' ? c.args.length === 2 : c.args.length >= 1;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** An identifier, back-quoted when needed. */
export function quoteIdentifier(name: string): string {
  if (PLAIN_NAME.test(name) && !KEYWORDS.has(name.toUpperCase())) return name;
  return '`' + name.replace(/`/g, '``') + '`';
}

const quoteString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const names = (parts: readonly string[]) => parts.map(quoteIdentifier).join('.');
const nameList = (parts: readonly string[]) => `(${parts.map(quoteIdentifier).join(', ')})`;

/** Any statement, query or expression as SQL text. */
export function toSql(node: Statement | Expr): string {
  switch (node.kind) {
    case 'select': case 'setOp': case 'values': case 'with':
    case 'createTable': case 'createView': case 'createFunction': case 'drop': case 'insert':
    case 'explain': case 'set': case 'reset': case 'show': case 'describe': case 'statementSet':
      return statementToSql(node);
    default:
      return expressionToSql(node);
  }
}

/** How tightly an expression binds when printed (atoms 100). */
function precedenceOf(e: Expr): number {
  switch (e.kind) {
    case 'binary':
      switch (e.op) {
        case 'OR': return PRECEDENCE.OR;
        case 'AND': return PRECEDENCE.AND;
        case '+': case '-': return PRECEDENCE.ADDITIVE;
        case '*': case '/': case '%': case '||': return PRECEDENCE.MULTIPLICATIVE;
        default: return PRECEDENCE.COMPARISON;
      }
    case 'unary': return e.op === 'NOT' ? PRECEDENCE.NOT : PRECEDENCE.UNARY;
    case 'is': case 'isDistinctFrom': return PRECEDENCE.IS;
    case 'between': case 'inList': case 'inQuery': case 'like': return PRECEDENCE.LIKE;
    default: return PRECEDENCE.POSTFIX;
  }
}

/** `e`, parenthesized unless it binds at least as tightly as `min`. */
function operand(e: Expr, min: number): string {
  const s = expressionToSql(e);
  return precedenceOf(e) >= min ? s : `(${s})`;
}

/** An expression as SQL text. */
export function expressionToSql(e: Expr): string {
  switch (e.kind) {
    case 'numeric': return e.text;
    case 'string': return quoteString(e.value);
    case 'boolean': return e.value ? 'TRUE' : 'FALSE';
    case 'null': return 'NULL';
    case 'typedLiteral': return `${e.type} ${quoteString(e.value)}`;
    case 'interval': return `INTERVAL ${e.negative ? '-' : ''}${quoteString(e.value)} ${qualifierToSql(e.qualifier)}`;
    case 'column': return names(e.names);
    case 'field': {
      const plainTarget = e.target.kind !== 'column' && e.target.kind !== 'numeric' && precedenceOf(e.target) >= PRECEDENCE.POSTFIX;
      const target = expressionToSql(e.target);
      return `${plainTarget ? target : `(${target})`}.${quoteIdentifier(e.field)}`;
    }
    case 'index': return `${operand(e.target, PRECEDENCE.POSTFIX)}[${expressionToSql(e.index)}]`;
    case 'unary':
      // One more than the operator's own strength: `-(-x)` must not print as the comment `--x`.
      return e.op === 'NOT' ? `NOT ${operand(e.operand, PRECEDENCE.NOT + 1)}` : `${e.op}${operand(e.operand, PRECEDENCE.UNARY + 1)}`;
    case 'binary': {
      const p = precedenceOf(e);
      return `${operand(e.left, p)} ${e.op} ${operand(e.right, p + 1)}`;
    }
    case 'is': return `${operand(e.operand, PRECEDENCE.IS)} IS ${e.negated ? 'NOT ' : ''}${e.test}`;
    case 'isDistinctFrom':
      return `${operand(e.left, PRECEDENCE.IS)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${operand(e.right, PRECEDENCE.COMPARISON + 1)}`;
    case 'between':
      return `${operand(e.operand, PRECEDENCE.LIKE)} ${e.negated ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}`
        + `${operand(e.low, PRECEDENCE.LIKE + 1)} AND ${operand(e.high, PRECEDENCE.LIKE + 1)}`;
    case 'inList': return `${operand(e.operand, PRECEDENCE.LIKE)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(expressionToSql).join(', ')})`;
    case 'inQuery': return `${operand(e.operand, PRECEDENCE.LIKE)} ${e.negated ? 'NOT ' : ''}IN (${queryToSql(e.query)})`;
    case 'like':
      return `${operand(e.operand, PRECEDENCE.LIKE)} ${e.negated ? 'NOT ' : ''}LIKE ${operand(e.pattern, PRECEDENCE.LIKE + 1)}`
        + (e.escape ? ` ESCAPE ${operand(e.escape, PRECEDENCE.LIKE + 1)}` : '');
    case 'exists': return `EXISTS (${queryToSql(e.query)})`;
    case 'subquery': return `(${queryToSql(e.query)})`;
    case 'case':
      return `CASE${e.operand ? ' ' + expressionToSql(e.operand) : ''}`
        + e.whens.map((w) => ` WHEN ${expressionToSql(w.when)} THEN ${expressionToSql(w.then)}`).join('')
        + (e.else ? ` ELSE ${expressionToSql(e.else)}` : '') + ' END';
    case 'cast': return `${e.safe ? 'TRY_CAST' : 'CAST'}(${expressionToSql(e.operand)} AS ${dataTypeToSql(e.type)})`;
    case 'extract': return `EXTRACT(${e.unit} FROM ${expressionToSql(e.operand)})`;
    case 'floorCeil': {
      // An operand ending in an interval literal would take `TO unit` as its qualifier's end.
      const plain = e.operand.kind === 'column' || e.operand.kind === 'call' || e.operand.kind === 'numeric';
      return `${e.fn}(${plain ? expressionToSql(e.operand) : `(${expressionToSql(e.operand)})`} TO ${e.unit})`;
    }
    case 'trim':
      return `TRIM(${e.side} ${e.chars ? expressionToSql(e.chars) + ' ' : ''}FROM ${expressionToSql(e.operand)})`;
    case 'call': return callToSql(e);
    case 'array': return `ARRAY[${e.elements.map(expressionToSql).join(', ')}]`;
    case 'map': return `MAP[${e.entries.map((en) => `${expressionToSql(en.key)}, ${expressionToSql(en.value)}`).join(', ')}]`;
    case 'row': return `${e.explicit ? 'ROW' : ''}(${e.fields.map(expressionToSql).join(', ')})`;
    case 'namedArg': return `${quoteIdentifier(e.name)} => ${expressionToSql(e.value)}`;
    case 'tableArg': {
      const partition = e.partitionBy.length === 0 ? ''
        : e.partitionBy.length === 1 ? ` PARTITION BY ${expressionToSql(e.partitionBy[0])}`
          : ` PARTITION BY (${e.partitionBy.map(expressionToSql).join(', ')})`;
      return `TABLE ${names(e.table)}${partition}`;
    }
    case 'descriptor': return `DESCRIPTOR${nameList(e.columns)}`;
  }
}

function callToSql(c: FunctionCall): string {
  if (c.noParens) return c.name;
  const upper = c.name.toUpperCase();
  const plain = PLAIN_NAME.test(c.name) && !SPECIAL_FORMS.has(upper) && (!RESERVED_WORDS.has(upper) || CALLABLE_RESERVED_WORDS.has(upper))
    && !(SPECIAL_ARGUMENT_FORMS.has(upper) && !specialFormFits(c));
  const name = plain ? c.name : '`' + c.name.replace(/`/g, '``') + '`';
  let args: string;
  if (c.star) args = '*';
  else if (plain && upper === 'POSITION' && c.args.length === 2 && !c.distinct) {
    args = `${operand(c.args[0], PRECEDENCE.LIKE + 1)} IN ${expressionToSql(c.args[1])}`;
  } else args = (c.distinct ? 'DISTINCT ' : '') + c.args.map(expressionToSql).join(', ');
  let s = `${name}(${args})`;
  if (c.filter) s += ` FILTER (WHERE ${expressionToSql(c.filter)})`;
  if (c.over) s += c.over.ref !== undefined && c.over.partitionBy.length === 0 && c.over.orderBy.length === 0 && !c.over.frame
    ? ` OVER ${quoteIdentifier(c.over.ref)}` : ` OVER (${windowSpecToSql(c.over)})`;
  return s;
}

function windowSpecToSql(w: WindowSpec): string {
  const parts: string[] = [];
  if (w.ref !== undefined) parts.push(quoteIdentifier(w.ref));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.map(expressionToSql).join(', ')}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${orderItemsToSql(w.orderBy)}`);
  if (w.frame) parts.push(`${w.frame.unit} BETWEEN ${frameBoundToSql(w.frame.start)} AND ${frameBoundToSql(w.frame.end)}`);
  return parts.join(' ');
}

function frameBoundToSql(b: FrameBound): string {
  return b.offset ? `${operand(b.offset, PRECEDENCE.LIKE + 1)} ${b.bound}` : b.bound;
}

function orderItemsToSql(items: readonly OrderItem[]): string {
  return items.map((o) => expressionToSql(o.expr) + (o.direction ? ` ${o.direction}` : '') + (o.nulls ? ` NULLS ${o.nulls}` : '')).join(', ');
}

/** `DAY`, `MINUTE(3)`, `DAY(2) TO SECOND(3)`, `SECOND(2, 6)`. */
export function qualifierToSql(q: IntervalQualifier): string {
  const fractionOnStart = q.end === undefined && q.fractionalPrecision !== undefined;
  let s: string = q.start;
  if (q.precision !== undefined) s += `(${q.precision}${fractionOnStart ? `, ${q.fractionalPrecision}` : ''})`;
  if (q.end !== undefined) s += ` TO ${q.end}${q.fractionalPrecision !== undefined ? `(${q.fractionalPrecision})` : ''}`;
  return s;
}

/** A data type as SQL text (normalized names: INT, DECIMAL, TIMESTAMP_LTZ). */
export function dataTypeToSql(t: DataType): string {
  let s: string;
  switch (t.name) {
    case 'DECIMAL': s = t.precision === undefined ? 'DECIMAL' : `DECIMAL(${t.precision}${t.scale !== undefined ? `, ${t.scale}` : ''})`; break;
    case 'CHAR': case 'VARCHAR': case 'BINARY': case 'VARBINARY': s = t.length === undefined ? t.name : `${t.name}(${t.length})`; break;
    case 'TIME': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': s = t.precision === undefined ? t.name : `${t.name}(${t.precision})`; break;
    case 'INTERVAL': s = `INTERVAL ${qualifierToSql(t.qualifier)}`; break;
    case 'ARRAY': case 'MULTISET': s = `${t.name}<${dataTypeToSql(t.element)}>`; break;
    case 'MAP': s = `MAP<${dataTypeToSql(t.key)}, ${dataTypeToSql(t.value)}>`; break;
    case 'ROW':
      s = `ROW<${t.fields.map((f) => `${quoteIdentifier(f.name)} ${dataTypeToSql(f.type)}${f.comment !== undefined ? ' ' + quoteString(f.comment) : ''}`).join(', ')}>`;
      break;
    default: s = t.name;
  }
  return t.nullable ? s : `${s} NOT NULL`;
}

/** A query as SQL text. */
export function queryToSql(q: Query): string {
  switch (q.kind) {
    case 'with':
      return `WITH ${q.ctes.map((c) => `${quoteIdentifier(c.name)}${c.columns ? ' ' + nameList(c.columns) : ''} AS (${queryToSql(c.query)})`).join(', ')} ${queryToSql(q.body)}`;
    case 'values':
      return `VALUES ${q.rows.map((r) => `(${r.map(expressionToSql).join(', ')})`).join(', ')}`;
    case 'setOp': {
      // INTERSECT binds tighter, and set operations group to the left: parenthesize otherwise.
      const tight = (side: Query, right: boolean) => {
        const s = queryToSql(side);
        const needs = side.kind === 'with' || (side.kind === 'setOp' && (right || (q.op === 'INTERSECT' && side.op !== 'INTERSECT')))
          || ((side.kind === 'select' || side.kind === 'setOp') && (side.orderBy.length > 0 || side.limit || side.offset));
        return needs ? `(${s})` : s;
      };
      return `${tight(q.left, false)} ${q.op}${q.all ? ' ALL' : ''} ${tight(q.right, true)}${orderLimitToSql(q)}`;
    }
    case 'select': {
      let s = `SELECT ${q.distinct ? 'DISTINCT ' : ''}${q.items.map(selectItemToSql).join(', ')}`;
      if (q.from) s += ` FROM ${fromToSql(q.from)}`;
      if (q.where) s += ` WHERE ${expressionToSql(q.where)}`;
      if (q.groupBy.length > 0) s += ` GROUP BY ${q.groupBy.map(groupItemToSql).join(', ')}`;
      if (q.having) s += ` HAVING ${expressionToSql(q.having)}`;
      if (q.windows.length > 0) s += ` WINDOW ${q.windows.map((w) => `${quoteIdentifier(w.name)} AS (${windowSpecToSql(w.spec)})`).join(', ')}`;
      return s + orderLimitToSql(q);
    }
  }
}

function orderLimitToSql(q: { orderBy: readonly OrderItem[]; limit?: Expr; offset?: Expr }): string {
  let s = q.orderBy.length > 0 ? ` ORDER BY ${orderItemsToSql(q.orderBy)}` : '';
  if (q.limit && !q.offset) s += ` LIMIT ${expressionToSql(q.limit)}`;
  if (q.offset) s += ` OFFSET ${expressionToSql(q.offset)} ROWS`;
  if (q.limit && q.offset) s += ` FETCH NEXT ${expressionToSql(q.limit)} ROWS ONLY`;
  return s;
}

function selectItemToSql(item: SelectItem): string {
  if (item.kind === 'star') return item.qualifier ? `${names(item.qualifier)}.*` : '*';
  return expressionToSql(item.expr) + (item.alias !== undefined ? ` AS ${quoteIdentifier(item.alias)}` : '');
}

function groupItemToSql(g: GroupItem): string {
  if (g.kind === 'expr') return expressionToSql(g.expr);
  const sets = g.sets.map((set) => (set.length === 1 ? expressionToSql(set[0]) : `(${set.map(expressionToSql).join(', ')})`)).join(', ');
  return g.kind === 'groupingSets' ? `GROUPING SETS (${sets})` : `${g.kind.toUpperCase()}(${sets})`;
}

function aliasToSql(a: Alias | undefined): string {
  if (!a) return '';
  return ` AS ${quoteIdentifier(a.name)}${a.columns ? ' ' + nameList(a.columns) : ''}`;
}

/** A FROM item as SQL text. */
export function fromToSql(f: FromItem): string {
  switch (f.kind) {
    case 'table':
      return names(f.name) + (f.systemTime ? ` FOR SYSTEM_TIME AS OF ${expressionToSql(f.systemTime)}` : '') + aliasToSql(f.alias);
    case 'derived': return `${f.lateral ? 'LATERAL ' : ''}(${queryToSql(f.query)})${aliasToSql(f.alias)}`;
    case 'tableFunction': return `${f.lateral ? 'LATERAL ' : ''}TABLE(${callToSql(f.call)})${aliasToSql(f.alias)}`;
    case 'unnest': return `UNNEST(${f.args.map(expressionToSql).join(', ')})${f.withOrdinality ? ' WITH ORDINALITY' : ''}${aliasToSql(f.alias)}`;
    case 'join': {
      // Joins group to the left; a join on the right side needs parentheses.
      const right = f.right.kind === 'join' ? `(${fromToSql(f.right)})` : fromToSql(f.right);
      if (f.joinType === 'COMMA') return `${fromToSql(f.left)}, ${right}`;
      const kind = f.joinType === 'INNER' ? 'JOIN' : `${f.joinType} JOIN`;
      const cond = f.on ? ` ON ${expressionToSql(f.on)}` : f.using ? ` USING ${nameList(f.using)}` : '';
      return `${fromToSql(f.left)} ${kind} ${right}${cond}`;
    }
  }
}

function columnToSql(c: ColumnDef): string {
  const comment = c.comment !== undefined ? ` COMMENT ${quoteString(c.comment)}` : '';
  switch (c.kind) {
    case 'physical': return `${quoteIdentifier(c.name)} ${dataTypeToSql(c.type)}${comment}`;
    case 'computed': return `${quoteIdentifier(c.name)} AS ${expressionToSql(c.expr)}${comment}`;
    case 'metadata':
      return `${quoteIdentifier(c.name)} ${dataTypeToSql(c.type)} METADATA${c.from !== undefined ? ` FROM ${quoteString(c.from)}` : ''}${c.virtual ? ' VIRTUAL' : ''}${comment}`;
  }
}

/** A statement as SQL text. */
export function statementToSql(s: Statement): string {
  const temporary = (t: boolean, system = false) => (t ? 'TEMPORARY ' : '') + (system ? 'SYSTEM ' : '');
  switch (s.kind) {
    case 'select': case 'setOp': case 'values': case 'with': return queryToSql(s);
    case 'createTable': {
      const elements = s.columns.map(columnToSql);
      if (s.watermark) elements.push(`WATERMARK FOR ${names(s.watermark.column)} AS ${expressionToSql(s.watermark.expr)}`);
      if (s.primaryKey) {
        elements.push(`${s.primaryKey.name !== undefined ? `CONSTRAINT ${quoteIdentifier(s.primaryKey.name)} ` : ''}PRIMARY KEY ${nameList(s.primaryKey.columns)} NOT ENFORCED`);
      }
      return `CREATE ${temporary(s.temporary)}TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)} (${elements.join(', ')})`
        + (s.comment !== undefined ? ` COMMENT ${quoteString(s.comment)}` : '')
        + (s.partitionedBy.length > 0 ? ` PARTITIONED BY ${nameList(s.partitionedBy)}` : '')
        + (s.options.length > 0 ? ` WITH (${s.options.map((o) => `${quoteString(o.key)} = ${quoteString(o.value)}`).join(', ')})` : '');
    }
    case 'createView':
      return `CREATE ${temporary(s.temporary)}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)}${s.columns ? ' ' + nameList(s.columns) : ''} AS ${queryToSql(s.query)}`;
    case 'createFunction':
      return `CREATE ${temporary(s.temporary, s.system)}FUNCTION ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)} AS ${quoteString(s.identifier)}${s.language ? ` LANGUAGE ${s.language}` : ''}`;
    case 'drop': return `DROP ${temporary(s.temporary, s.system)}${s.object} ${s.ifExists ? 'IF EXISTS ' : ''}${names(s.name)}`;
    case 'insert':
      return `INSERT ${s.overwrite ? 'OVERWRITE' : 'INTO'} ${names(s.table)}${s.columns ? ' ' + nameList(s.columns) : ''} ${queryToSql(s.query)}`;
    case 'explain': return `EXPLAIN ${s.details.length > 0 ? s.details.join(', ') : 'PLAN FOR'} ${statementToSql(s.statement)}`;
    case 'set': return s.key === undefined ? 'SET' : `SET ${quoteString(s.key)} = ${quoteString(s.value ?? '')}`;
    case 'reset': return s.key === undefined ? 'RESET' : `RESET ${quoteString(s.key)}`;
    case 'show': return `SHOW ${s.object}`;
    case 'describe': return `DESCRIBE ${s.extended ? 'EXTENDED ' : ''}${names(s.name)}`;
    case 'statementSet': return `EXECUTE STATEMENT SET BEGIN\n${s.inserts.map((i) => `${statementToSql(i)};\n`).join('')}END`;
  }
}
