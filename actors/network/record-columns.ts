// Record columns: the layout of a record batch whose records are all flat objects of one shape
// (the same own keys in the same order, each field holding numbers in every record, or strings,
// booleans and nulls in every record), as most stream records are. Such a batch travels as one
// column per field instead of one msgpack record per record: numbers as raw float64s (int32s
// when all are 32-bit integers), so they come back bit for bit, -0 and NaN included, and
// encoding and decoding cost a fraction of per-record encoding. Any other batch (nested values,
// class instances, mixed shapes) keeps per-record encoding; the codec chooses (codec.ts).
// Decoding validates what it reads and throws on anything malformed. Imports nothing.

/** A column: numbers as float64s or int32s, anything else as an array of primitives. */
export type RecordColumn = Float64Array | Int32Array | unknown[];

/** A batch in columns: field names, then one column per field. */
export interface RecordColumns {
  readonly names: string[];
  readonly columns: RecordColumn[];
  readonly length: number;
}

/** Fields per record above which a batch is not worth turning into columns. */
const MAX_FIELDS = 64;

/** The columns of the first `length` records of `values`, or undefined when they do not share one flat shape. */
export function toColumns(values: readonly unknown[], length: number): RecordColumns | undefined {
  if (length === 0) return undefined;
  const first = values[0];
  if (!isPlainObject(first)) return undefined;
  const names: string[] = [];
  const columns: RecordColumn[] = [];
  for (const name in first) {
    if (name === '__proto__' || names.length === MAX_FIELDS) return undefined;
    const value = (first as Record<string, unknown>)[name];
    if (typeof value === 'number') columns.push(new Float64Array(length));
    else if (isPrimitiveColumnValue(value)) columns.push(new Array(length));
    else return undefined;
    names.push(name);
  }
  if (names.length === 0) return undefined;
  const numeric = columns.map((c) => c instanceof Float64Array);
  for (let i = 0; i < length; i++) {
    const record = values[i];
    if (!isPlainObject(record)) return undefined;
    let f = 0;
    // for-in over a fast object reads each field through its enum cache: no keyed lookup.
    for (const name in record) {
      if (name !== names[f]) return undefined;
      const value = (record as Record<string, unknown>)[name];
      if (numeric[f] ? typeof value !== 'number' : !isPrimitiveColumnValue(value)) return undefined;
      columns[f++][i] = value;
    }
    if (f !== names.length) return undefined;
  }
  for (let f = 0; f < columns.length; f++) if (numeric[f]) columns[f] = compactNumbers(columns[f] as Float64Array);
  return { names, columns, length };
}

/** The records of a batch in columns; throws when the columns are malformed. */
export function fromColumns(columns: RecordColumns): unknown[] {
  const { names, length } = columns;
  if (!Array.isArray(names) || names.length === 0 || names.length > MAX_FIELDS || !Array.isArray(columns.columns)
    || columns.columns.length !== names.length || !(Number.isInteger(length) && length > 0)) {
    throw new Error('malformed record columns');
  }
  for (let f = 0; f < names.length; f++) {
    const name = names[f];
    if (typeof name !== 'string' || name === '__proto__' || names.indexOf(name) !== f) throw new Error('malformed record columns: bad field name');
    const column = columns.columns[f];
    if (!(column instanceof Float64Array) && !(column instanceof Int32Array) && !Array.isArray(column)) throw new Error(`malformed record columns: field '${name}'`);
    if (column.length !== length) throw new Error(`malformed record columns: field '${name}' has ${column.length} values, not ${length}`);
  }
  const make = recordFactory(names);
  const cols = columns.columns;
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) out[i] = make(cols, i);
  return out;
}

/** `column` as int32s when every value is a 32-bit integer (and none is -0), else itself. */
function compactNumbers(column: Float64Array): Float64Array | Int32Array {
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if ((v | 0) !== v || Object.is(v, -0)) return column;
  }
  return Int32Array.from(column);
}

type RecordFactory = (columns: readonly RecordColumn[], i: number) => unknown;

const factories = new Map<string, RecordFactory>();
/** Shapes whose factories are kept (a stream has few). */
const MAX_FACTORIES = 256;

/**
 * A function building record `i` from the columns as one object literal, so every record of a
 * shape gets the same hidden class at allocation. The names are embedded as JSON string
 * literals (JSON.stringify escapes them; `__proto__` was refused above).
 */
function recordFactory(names: readonly string[]): RecordFactory {
  const signature = JSON.stringify(names);
  let make = factories.get(signature);
  if (make === undefined) {
    const fields = names.map((name, f) => `${JSON.stringify(name)}: c[${f}][i]`).join(', ');
    make = new Function('c', 'i', `return { ${fields} };`) as RecordFactory;
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factories.set(signature, make);
  }
  return make;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrimitiveColumnValue(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || value === null;
}
