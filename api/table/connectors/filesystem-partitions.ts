// Hive-style partitions of the filesystem connector (Flink's PartitionPathUtils): a partitioned
// table's rows go under `k1=v1/k2=v2/`, values escaped as Hive escapes path names (':' becomes
// %3A), null or empty values under the default partition name; the files hold the other columns.
// Reading a partitioned directory takes the values back from the path. Imports the table types.
import type { LogicalType } from '../types/logical-type.ts';
import { Schema } from '../types/schema.ts';
import { fromValue, toText } from './row-format.ts';

/** The directory of rows whose partition value is null or empty (Flink's 'partition.default-name'). */
export const DEFAULT_PARTITION_NAME = '__DEFAULT_PARTITION__';

/** Characters Hive (and Flink) escape in partition path segments: controls, DEL and the ones listed. */
function needsEscape(code: number): boolean {
  return code < 0x20 || code === 0x7f || '"#%\'*/:=?\\{[]^'.includes(String.fromCharCode(code));
}

/** A partition value or name as a path segment part. */
export function escapePathName(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    out += ch.length === 1 && needsEscape(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** The inverse of escapePathName. */
export function unescapePathName(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** How a partitioned table's rows map to paths and file rows. */
export interface PartitionLayout {
  /** The columns written into the files (all but the partition columns), in table order. */
  readonly dataSchema: Schema;
  /** A row's partition directory, `k1=v1/k2=v2`. */
  partitionPath(row: readonly unknown[]): string;
  /** A row without its partition columns. */
  dataRow(row: readonly unknown[]): unknown[];
  /** A full row from a file row and the partition directory (relative to the table path) it was read from. */
  fullRow(data: readonly unknown[], relativeDir: string, where: () => string): unknown[];
}

/** The layout of a table with `physical` columns partitioned by `keys` (null values under `defaultName`). */
export function partitionLayout(physical: Schema, keys: readonly string[], defaultName = DEFAULT_PARTITION_NAME): PartitionLayout {
  const keyAt = keys.map((k) => physical.indexOf(k));
  const dataAt = physical.columns.map((_, i) => i).filter((i) => !keyAt.includes(i));
  const dataSchema = new Schema(dataAt.map((i) => physical.columns[i]));
  const text = (v: unknown, t: LogicalType): string => {
    const s = toText(v, t);
    return s === null || s === '' ? escapePathName(defaultName) : escapePathName(String(s));
  };
  return {
    dataSchema,
    partitionPath: (row) => keys.map((k, j) => `${escapePathName(k)}=${text(row[keyAt[j]], physical.columns[keyAt[j]].type)}`).join('/'),
    dataRow: (row) => dataAt.map((i) => row[i]),
    fullRow(data, relativeDir, where) {
      const values = new Map<string, string>();
      for (const segment of relativeDir.split(/[\\/]/)) {
        const eq = segment.indexOf('=');
        if (eq > 0) values.set(unescapePathName(segment.slice(0, eq)), unescapePathName(segment.slice(eq + 1)));
      }
      const row = new Array<unknown>(physical.columns.length);
      dataAt.forEach((i, j) => { row[i] = data[j]; });
      keys.forEach((k, j) => {
        const v = values.get(k);
        if (v === undefined) throw new Error(`${where()}: the file is not under a '${k}=...' partition directory`);
        const col = physical.columns[keyAt[j]];
        row[keyAt[j]] = v === defaultName ? null : fromValue(v, col.type, () => `${where()} partition ${k}`);
      });
      return row;
    },
  };
}
