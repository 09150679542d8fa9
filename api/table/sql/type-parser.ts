// TypeParser: the data types of Flink SQL (CAST targets, DDL columns, ROW fields) and INTERVAL
// qualifiers, which the INTERVAL type and interval literals share. Aliases are normalized here
// (INTEGER -> INT, NUMERIC/DEC -> DECIMAL, TIMESTAMP WITH LOCAL TIME ZONE -> TIMESTAMP_LTZ) so that
// later layers see one name per type. Unknown type names (RAW, structured types) are errors.
import type { DataType, IntervalQualifier, RowField, SimpleTypeName, TimeUnit } from './ast.ts';
import { posOf, TokenCursor } from './token-cursor.ts';

/** Interval and date-part units; plural spellings (`INTERVAL '5' MINUTES`, as in Flink's docs) read as singular. */
const TIME_UNITS: ReadonlyMap<string, TimeUnit> = new Map<string, TimeUnit>([
  ...(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND'] as const)
    .flatMap((u): [string, TimeUnit][] => [[u, u], [`${u}S`, u]]),
  ...(['DOW', 'DOY', 'ISODOW', 'ISOYEAR', 'EPOCH', 'DECADE', 'CENTURY', 'MILLENNIUM'] as const).map((u): [string, TimeUnit] => [u, u]),
]);

/** The units an INTERVAL qualifier may start or end with. */
const INTERVAL_UNITS: ReadonlySet<TimeUnit> = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);
/** For each leading unit, the units it may run TO. */
const INTERVAL_RANGES: Readonly<Record<string, readonly TimeUnit[]>> = {
  YEAR: ['MONTH'], DAY: ['HOUR', 'MINUTE', 'SECOND'], HOUR: ['MINUTE', 'SECOND'], MINUTE: ['SECOND'],
};

const SIMPLE_TYPES: ReadonlyMap<string, SimpleTypeName> = new Map<string, SimpleTypeName>([
  ['BOOLEAN', 'BOOLEAN'], ['TINYINT', 'TINYINT'], ['SMALLINT', 'SMALLINT'], ['INT', 'INT'], ['INTEGER', 'INT'],
  ['BIGINT', 'BIGINT'], ['FLOAT', 'FLOAT'], ['REAL', 'FLOAT'], ['DOUBLE', 'DOUBLE'], ['STRING', 'STRING'],
  ['BYTES', 'BYTES'], ['DATE', 'DATE'], ['NULL', 'NULL'],
]);

/** Data types and interval qualifiers on top of the token cursor. */
export class TypeParser extends TokenCursor {
  /** Whether the current token is a time unit word. */
  protected isTimeUnit(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && TIME_UNITS.has(t.upper);
  }

  /** Reads a time unit (EXTRACT, FLOOR ... TO, interval qualifiers). */
  protected timeUnit(what = 'a time unit'): TimeUnit {
    const t = this.peek();
    const unit = t.kind === 'word' ? TIME_UNITS.get(t.upper) : undefined;
    if (unit === undefined) throw this.expected(what);
    this.index++;
    return unit;
  }

  /** `DAY`, `MINUTE(3)`, `YEAR TO MONTH`, `DAY(2) TO SECOND(3)`, `SECOND(2, 6)`. */
  protected intervalQualifier(): IntervalQualifier {
    const startToken = this.peek();
    const start = this.timeUnit('an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)');
    if (!INTERVAL_UNITS.has(start)) throw this.error(`${start} is not an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)`, startToken);
    let precision: number | undefined;
    let fractionalPrecision: number | undefined;
    if (this.acceptOp('(')) {
      precision = this.integerLiteral('a precision');
      if (start === 'SECOND' && this.acceptOp(',')) fractionalPrecision = this.integerLiteral('a fractional precision');
      this.expectOp(')');
    }
    const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    if (!this.acceptWord('TO')) return defined({ start, precision, fractionalPrecision });
    const endToken = this.peek();
    const end = this.timeUnit('an interval unit');
    if (!(INTERVAL_RANGES[start] ?? []).includes(end)) throw this.error(`INTERVAL ${start} TO ${end} is not a valid interval qualifier`, endToken);
    if (fractionalPrecision !== undefined) throw this.error('SECOND(p, s) must end the qualifier', endToken);
    if (end === 'SECOND' && this.acceptOp('(')) {
      fractionalPrecision = this.integerLiteral('a fractional precision');
      this.expectOp(')');
    }
    return defined({ start, precision, end, fractionalPrecision });
  }

  /** A data type, with an optional `NOT NULL` / `NULL` suffix. */
  parseDataType(): DataType {
    const t = this.peek();
    const pos = posOf(t);
    if (t.kind !== 'word') throw this.expected('a data type');
    const name = t.upper;
    this.index++;
    let type: DataType;
    const simple = SIMPLE_TYPES.get(name);
    if (name === 'DOUBLE') {
      this.acceptWord('PRECISION');
      type = { pos, nullable: true, name: 'DOUBLE' };
    } else if (simple !== undefined) {
      type = { pos, nullable: true, name: simple };
    } else if (name === 'DECIMAL' || name === 'DEC' || name === 'NUMERIC') {
      let precision: number | undefined;
      let scale: number | undefined;
      if (this.acceptOp('(')) {
        precision = this.integerLiteral('a precision');
        if (this.acceptOp(',')) scale = this.integerLiteral('a scale');
        this.expectOp(')');
      }
      type = { pos, nullable: true, name: 'DECIMAL', ...(precision !== undefined ? { precision } : {}), ...(scale !== undefined ? { scale } : {}) };
    } else if (name === 'CHAR' || name === 'CHARACTER' || name === 'VARCHAR' || name === 'BINARY' || name === 'VARBINARY') {
      let base: 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY' = name === 'CHARACTER' ? 'CHAR' : name;
      if ((base === 'CHAR' || base === 'BINARY') && this.acceptWord('VARYING')) base = base === 'CHAR' ? 'VARCHAR' : 'VARBINARY';
      const length = this.acceptOp('(') ? this.lengthThenClose() : undefined;
      type = { pos, nullable: true, name: base, ...(length !== undefined ? { length } : {}) };
    } else if (name === 'TIME' || name === 'TIMESTAMP' || name === 'TIMESTAMP_LTZ') {
      const precision = this.acceptOp('(') ? this.lengthThenClose('a precision') : undefined;
      let resolved: 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ' = name;
      if (name !== 'TIMESTAMP_LTZ' && this.isWord('WITHOUT')) {
        this.expectWords('WITHOUT', 'TIME', 'ZONE');
      } else if (name === 'TIMESTAMP' && this.isWord('WITH')) {
        this.index++;
        if (!this.isWord('LOCAL')) throw this.error('TIMESTAMP WITH TIME ZONE is not supported: use TIMESTAMP WITH LOCAL TIME ZONE (TIMESTAMP_LTZ)');
        this.expectWords('LOCAL', 'TIME', 'ZONE');
        resolved = 'TIMESTAMP_LTZ';
      }
      type = { pos, nullable: true, name: resolved, ...(precision !== undefined ? { precision } : {}) };
    } else if (name === 'INTERVAL') {
      type = { pos, nullable: true, name: 'INTERVAL', qualifier: this.intervalQualifier() };
    } else if (name === 'ARRAY' || name === 'MULTISET') {
      this.expectOp('<');
      const element = this.parseDataType();
      this.expectOp('>');
      type = { pos, nullable: true, name, element };
    } else if (name === 'MAP') {
      this.expectOp('<');
      const key = this.parseDataType();
      this.expectOp(',');
      const value = this.parseDataType();
      this.expectOp('>');
      type = { pos, nullable: true, name: 'MAP', key, value };
    } else if (name === 'ROW') {
      type = { pos, nullable: true, name: 'ROW', fields: this.rowFields() };
    } else {
      throw this.error(`unknown data type '${t.value}'`, t);
    }
    if (this.isWord('NOT') && this.isWord('NULL', 1)) {
      this.index += 2;
      return { ...type, nullable: false };
    }
    this.acceptWord('NULL');
    return type;
  }

  /** `<a INT, b STRING 'comment'>` or `(a INT, b STRING)`; `ROW<>` has no fields. */
  private rowFields(): RowField[] {
    if (this.acceptOp('<>')) return []; // `ROW<>` lexes as the operator <>
    const close = this.isOp('<') ? '>' : ')';
    if (!this.acceptOp('<') && !this.acceptOp('(')) throw this.expected("'<' or '(' after ROW");
    const fields: RowField[] = [];
    if (this.acceptOp(close)) return fields;
    do {
      const pos = this.here();
      const name = this.identifier('a field name');
      const type = this.parseDataType();
      const comment = this.peek().kind === 'string' ? this.next().value : undefined;
      fields.push(comment === undefined ? { pos, name, type } : { pos, name, type, comment });
    } while (this.acceptOp(','));
    this.expectOp(close);
    return fields;
  }

  private lengthThenClose(what = 'a length'): number {
    const n = this.integerLiteral(what);
    this.expectOp(')');
    return n;
  }
}
