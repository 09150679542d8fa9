// The built-in table connectors: `datagen` (rows generated from their index: random fields seeded
// per table and row, so a replay after a failure regenerates the same rows; sequences; bounded by
// 'number-of-rows'), `filesystem` (CSV or JSON lines; a bounded source reading every visible file
// under 'path' when the job is built; an exactly-once sink of rolling part files with partition
// commit; PARTITIONED BY writes and reads Hive-style `k=v/` directories), `print` and `blackhole`; the NATS
// and PostgreSQL connectors register from their own files.
// Imports api/ sources, sinks and the table types.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DataStream } from '../../datastream/data-stream.ts';
import { PrintSink } from '../../sinks/print-sink.ts';
import { DataGeneratorSource } from '../../sources/data-generator-source.ts';
import { isInteger, isTemporal, type LogicalType } from '../types/logical-type.ts';
import type { Change } from '../types/row.ts';
import { registerTableConnector, requireOption, type ConnectorContext } from './table-connector.ts';
import { csvFormat, jsonFormat, type RowFormat } from './row-format.ts';
import { partitionLayout, type PartitionLayout } from './filesystem-partitions.ts';
import { FILESYSTEM_SINK_OPTIONS } from './filesystem-options.ts';
import { createFileSystemSink } from './filesystem-sink.ts';
import type { Schema } from '../types/schema.ts';
import './nexmark-connector.ts';
import './nats-table-connector.ts';
import './postgres-table-connector.ts';

/** A 32-bit hash of (seed, row, field): the random draw of one generated value. */
function mix(seed: number, row: number, field: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const x of [row % 4294967296, Math.floor(row / 4294967296), field]) {
    h = Math.imul(h ^ x, 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A uniform float in [0, 1) for draw `k` of (seed, row, field). */
function uniform(seed: number, row: number, field: number, k = 0): number {
  return mix(seed + k * 7919, row, field) / 4294967296;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A generator of one field's value from the row index. */
function fieldGenerator(ctx: ConnectorContext, name: string, type: LogicalType, field: number, seed: number): (i: number) => unknown {
  const opt = (k: string): string | undefined => ctx.options[`fields.${name}.${k}`];
  const num = (k: string, dflt: number): number => {
    const v = opt(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (Number.isNaN(n)) throw new Error(`table ${ctx.tableName}: option 'fields.${name}.${k}' must be a number, got '${v}'`);
    return n;
  };
  const nullRate = num('null-rate', 0);
  const kind = opt('kind') ?? 'random';
  let gen: (i: number) => unknown;
  const values = opt('values');
  if (values !== undefined) {
    // An extension of Flink's datagen: pick from a list (duplicates and skew in test data).
    const list = values.split(',').map((v) => (type.kind === 'STRING' ? v : Number(v)));
    gen = (i) => list[Math.floor(uniform(seed, i, field, 1) * list.length)];
  } else if (kind === 'sequence') {
    const start = num('start', 0);
    gen = isTemporal(type) ? (i) => start + i * 1000 : type.kind === 'STRING' ? (i) => String(start + i) : (i) => start + i;
  } else if (kind !== 'random') {
    throw new Error(`table ${ctx.tableName}: 'fields.${name}.kind' must be 'random' or 'sequence', got '${kind}'`);
  } else {
    switch (type.kind) {
      case 'BOOLEAN': gen = (i) => uniform(seed, i, field, 1) < 0.5; break;
      case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
        const lo = num('min', type.kind === 'TINYINT' ? -128 : type.kind === 'SMALLINT' ? -32768 : type.kind === 'INT' ? -2147483648 : -(2 ** 53) + 1);
        const hi = num('max', type.kind === 'TINYINT' ? 127 : type.kind === 'SMALLINT' ? 32767 : type.kind === 'INT' ? 2147483647 : 2 ** 53 - 1);
        gen = (i) => lo + Math.floor(uniform(seed, i, field, 1) * (hi - lo + 1));
        break;
      }
      case 'FLOAT': case 'DOUBLE': case 'DECIMAL': {
        const lo = num('min', 0);
        const hi = num('max', 1000);
        const scale = type.kind === 'DECIMAL' ? type.scale ?? 0 : undefined;
        gen = (i) => {
          const v = lo + uniform(seed, i, field, 1) * (hi - lo);
          return scale === undefined ? v : Math.round(v * 10 ** scale) / 10 ** scale;
        };
        break;
      }
      case 'STRING': {
        const length = num('length', 100);
        gen = (i) => {
          let s = '';
          for (let k = 0; k < length; k++) s += ALPHABET[Math.floor(uniform(seed, i, field, k + 1) * ALPHABET.length)];
          return s;
        };
        break;
      }
      case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE': {
        // Flink draws a random time within 'max-past' before now; here before a fixed epoch so runs repeat.
        const base = num('start', Date.UTC(2024, 0, 1));
        const maxPast = num('max-past', 3_600_000);
        gen = (i) => base - Math.floor(uniform(seed, i, field, 1) * maxPast);
        break;
      }
      default: throw new Error(`table ${ctx.tableName}: datagen cannot generate ${type.kind} (field ${name})`);
    }
  }
  if (nullRate <= 0) return gen;
  return (i) => (uniform(seed, i, field, 99) < nullRate ? null : gen(i));
}

registerTableConnector('datagen', {
  perSplitWatermarks: true,
  options: (k) => ['number-of-rows', 'rows-per-second', 'seed'].includes(k) || k.startsWith('fields.'),
  createSource(env, ctx) {
    const cols = ctx.physical.columns;
    const seed = Number(ctx.options.seed ?? 0);
    for (const key of Object.keys(ctx.options)) {
      const m = /^fields\.(.+)\.[^.]+$/.exec(key);
      if (m && !cols.some((c) => c.name === m[1])) throw new Error(`table ${ctx.tableName}: option '${key}' names no column`);
    }
    const gens = cols.map((c, f) => fieldGenerator(ctx, c.name, c.type, f, seed));
    // Bounded by 'number-of-rows', or by the shortest sequence (as in Flink).
    let rows = ctx.options['number-of-rows'] !== undefined ? Number(ctx.options['number-of-rows']) : Infinity;
    cols.forEach((c) => {
      if (ctx.options[`fields.${c.name}.kind`] === 'sequence' && ctx.options[`fields.${c.name}.end`] !== undefined) {
        rows = Math.min(rows, Number(ctx.options[`fields.${c.name}.end`]) - Number(ctx.options[`fields.${c.name}.start`] ?? 0) + 1);
      }
    });
    if (!(rows >= 0)) throw new Error(`table ${ctx.tableName}: 'number-of-rows' must be a non-negative number`);
    const rate = ctx.options['rows-per-second'] !== undefined ? Number(ctx.options['rows-per-second']) : undefined;
    const finish = ctx.finish ?? ((r: unknown[]) => r);
    const source = new DataGeneratorSource<unknown[]>((i) => finish(gens.map((g) => g(i))), rows, rate !== undefined ? { ratePerSecond: rate } : {});
    return env.fromSource(source, ctx.watermarks, `datagen ${ctx.tableName}`);
  },
});

/** The format named by the 'format' option, over `schema` (the columns the files hold). */
function formatOf(ctx: ConnectorContext, file: string, schema: Schema = ctx.physical): RowFormat {
  const format = requireOption(ctx, 'format');
  if (format === 'csv') return csvFormat(schema, file);
  if (format === 'json') return jsonFormat(schema, file);
  throw new Error(`table ${ctx.tableName}: 'format' must be 'csv' or 'json', got '${format}'`);
}

/** The visible files under `path` (a file, or a directory read recursively), sorted. */
function visibleFiles(path: string): string[] {
  let st;
  try { st = statSync(path); } catch { throw new Error(`filesystem table path ${path} does not exist`); }
  if (st.isFile()) return [path];
  return readdirSync(path).filter((n) => !n.startsWith('.') && !n.startsWith('_')).sort().flatMap((n) => visibleFiles(join(path, n)));
}

/** The table's 'path' as a file system path (Flink's `file://` URIs are local paths). */
function pathOf(ctx: ConnectorContext): string {
  const path = requireOption(ctx, 'path');
  return path.startsWith('file://') ? path.slice('file://'.length) : path;
}

/** The partition layout of a partitioned table, else undefined. */
function layoutOf(ctx: ConnectorContext): PartitionLayout | undefined {
  return ctx.partitionKeys && ctx.partitionKeys.length > 0 ? partitionLayout(ctx.physical, ctx.partitionKeys, ctx.options['partition.default-name']) : undefined;
}

/** Every row of the files under the table's path (a partitioned table's values from the directories). */
function readRows(ctx: ConnectorContext): unknown[][] {
  const rows: unknown[][] = [];
  const root = pathOf(ctx);
  const layout = layoutOf(ctx);
  for (const file of visibleFiles(root)) {
    const format = formatOf(ctx, file, layout?.dataSchema);
    const dir = relative(root, join(file, '..'));
    readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
      if (line.trim() === '') return;
      const data = format.parse(line.replace(/\r$/, ''), n + 1);
      rows.push(layout ? layout.fullRow(data, dir, () => `${file}:${n + 1}`) : data);
    });
  }
  return rows;
}

registerTableConnector('filesystem', {
  partitioned: true,
  options: (k) => ['path', 'format'].includes(k) || FILESYSTEM_SINK_OPTIONS.includes(k) || ['csv.', 'json.', 'lookup.'].some((p) => k.startsWith(p)),
  createSource(env, ctx) {
    return env.fromCollection(readRows(ctx)).name(`filesystem ${ctx.tableName}`);
  },
  // A lookup join (Flink's filesystem lookup source) reads the files once per subtask into an
  // index by the lookup columns. Flink reloads them after 'lookup.join.cache.ttl' (60 min); here
  // the files are read when the join opens.
  createLookup(ctx, keys) {
    const at = keys.map((k) => ctx.physical.indexOf(k));
    const index = new Map<string, unknown[][]>();
    for (const row of readRows(ctx)) {
      const key = JSON.stringify(at.map((i) => row[i]));
      const list = index.get(key);
      if (list) list.push(row); else index.set(key, [row]);
    }
    return { lookup: (key) => index.get(JSON.stringify(key)) ?? [], close: () => {} };
  },
  // Rolling part files, and with 'sink.partition-commit.policy.kind' a partition committer (filesystem-sink.ts).
  createSink(stream, ctx) {
    const path = pathOf(ctx);
    const layout = layoutOf(ctx);
    const format = formatOf(ctx, path, layout?.dataSchema);
    return createFileSystemSink(stream as DataStream<Change>, ctx, path, layout, (row) => format.format(row as unknown[]));
  },
});

/** `+I[a, b]`, as Flink's print connector writes a change. */
function printChange(c: Change): string {
  return `${c.op}[${c.row.map((v) => (v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]`;
}

registerTableConnector('print', {
  acceptsUpdates: true,
  options: (k) => ['print-identifier', 'standard-error', 'sink.parallelism'].includes(k),
  createSink(stream, ctx) {
    return stream.map(printChange).sinkTo(new PrintSink<string>(ctx.options['print-identifier'])).name(`print ${ctx.tableName}`) as never;
  },
});

registerTableConnector('blackhole', {
  acceptsUpdates: true,
  options: () => false,
  createSink(stream, ctx) {
    return stream.addSink(() => {}).name(`blackhole ${ctx.tableName}`) as never;
  },
});

void isInteger;
