// The PostgreSQL table connectors of SQL DDL, with Flink's option names:
// - 'jdbc' / 'postgres' (Flink's JDBC connector): a sink through PostgresSink. With a PRIMARY KEY
//   (NOT ENFORCED) it is an upsert sink that takes updating queries (+I/+U upsert the row, -D and
//   -U delete it by key; a -U followed by its +U in one batch is just the upsert); without one it appends and takes
//   insert-only queries. Exactly-once (prepared transactions committed at checkpoints) when
//   checkpointing is on; at-least-once upserts when it is off and there is a key. As a lookup
//   table (a lookup join's right side) through postgres-lookup.ts, with Flink's cache options.
// - 'postgres-cdc' (Flink CDC's option names): a changelog source through PostgresCdcSource,
//   with an initial snapshot by default ('scan.startup.mode' = 'initial'), decoding with
//   test_decoding or pgoutput ('decoding.plugin.name', with 'publication.name').
// Values convert by the declared column types (TIMESTAMPs as text to PostgreSQL, and from
// PostgreSQL's text back to epoch ms). Imports api/ connectors and the table types.
import { PostgresCdcSource, type ChangeRecord } from '../../connectors/postgres/postgres-cdc-source.ts';
import { PostgresSink } from '../../connectors/postgres/postgres-sink.ts';
import type { DataStream } from '../../datastream/data-stream.ts';
import { isTemporal } from '../types/logical-type.ts';
import type { Change } from '../types/row.ts';
import { LOOKUP_OPTIONS, postgresLookup } from './postgres-lookup.ts';
import { fromValue, toText } from './row-format.ts';
import { registerTableConnector, requireOption, type ConnectorContext } from './table-connector.ts';

const SINK_OPTIONS = new Set([
  'url', 'table-name', 'username', 'password', 'sink.delivery-guarantee', 'sink.transaction-prefix',
  'sink.buffer-flush.max-rows', 'sink.parallelism', 'driver', ...LOOKUP_OPTIONS,
]);

/** A positive integer option, or a clear error. */
function positiveInt(ctx: ConnectorContext, key: string, dflt: number): number {
  const v = ctx.options[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`table ${ctx.tableName}: option '${key}' must be a positive integer, got '${v}'`);
  return n;
}

/** 'jdbc:postgresql://host:port/db' (or a postgres:// URL) with 'username' and 'password' applied. */
export function connectionUrl(ctx: ConnectorContext): string {
  const raw = requireOption(ctx, 'url');
  const text = raw.replace(/^jdbc:/, '');
  if (!/^postgres(ql)?:\/\//.test(text)) throw new Error(`table ${ctx.tableName}: 'url' must be jdbc:postgresql://host:port/database (or postgres://...), got '${raw}'`);
  const url = new URL(text);
  if (ctx.options.username !== undefined) url.username = encodeURIComponent(ctx.options.username);
  if (ctx.options.password !== undefined) url.password = encodeURIComponent(ctx.options.password);
  return url.toString();
}

/** Whether a table of this connector takes updates: with a primary key (an upsert sink). */
function hasKey(ctx: ConnectorContext): boolean { return (ctx.physical.primaryKey?.length ?? 0) > 0; }

function createPostgresSink(stream: DataStream<Change>, ctx: ConnectorContext) {
  const driver = ctx.options.driver;
  if (driver !== undefined && driver !== 'org.postgresql.Driver') throw new Error(`table ${ctx.tableName}: only PostgreSQL is supported ('driver' = 'org.postgresql.Driver'), got '${driver}'`);
  const url = connectionUrl(ctx);
  const table = requireOption(ctx, 'table-name');
  const columns = ctx.physical.columns.map((c) => c.name);
  const types = ctx.physical.columns.map((c) => c.type);
  const key = ctx.physical.primaryKey;
  const checkpointing = stream.environment.getCheckpointConfig().isCheckpointingEnabled();
  const guarantee = ctx.options['sink.delivery-guarantee'] ?? (checkpointing || !key ? 'exactly-once' : 'at-least-once');
  if (guarantee !== 'exactly-once' && guarantee !== 'at-least-once') throw new Error(`table ${ctx.tableName}: 'sink.delivery-guarantee' must be 'exactly-once' or 'at-least-once', got '${guarantee}'`);
  if (guarantee === 'at-least-once' && !key) throw new Error(`table ${ctx.tableName}: 'sink.delivery-guarantee' = 'at-least-once' needs a PRIMARY KEY (rows written again after a failure are upserted by it)`);
  const temporal = types.some(isTemporal);
  const sink = new PostgresSink<Change>({
    url, table, columns, ...(key ? { key, isDelete: (c: Change) => c.op === '-D' || c.op === '-U' } : {}),
    guarantee,
    transactionPrefix: ctx.options['sink.transaction-prefix'] ?? `actorflow_${table.replace(/[^\w]/g, '_')}`,
    batchSize: positiveInt(ctx, 'sink.buffer-flush.max-rows', 500),
    toRow: temporal ? (c) => c.row.map((v, i) => toText(v, types[i], true)) : (c) => c.row,
  });
  let input: DataStream<Change> = stream;
  if (key) {
    // Every change of a key goes to one subtask: in order, and no two open transactions lock the same row.
    // (A -U is a delete: when a filter after an aggregation drops the +U that would follow, the row must go.)
    const idx = key.map((k) => columns.indexOf(k));
    input = stream.keyBy((c: Change) => JSON.stringify(idx.map((i) => c.row[i])));
  }
  const out = input.sinkTo(sink).name(`postgres ${ctx.tableName}`);
  if (ctx.options['sink.parallelism'] !== undefined) out.setParallelism(positiveInt(ctx, 'sink.parallelism', 1));
  return out as never;
}

for (const name of ['jdbc', 'postgres']) {
  registerTableConnector(name, {
    acceptsUpdates: hasKey,
    options: (k) => SINK_OPTIONS.has(k),
    createSink: createPostgresSink,
    createLookup: (ctx, keys, now) => postgresLookup(ctx, connectionUrl(ctx), requireOption(ctx, 'table-name'), keys, now),
  });
}

const CDC_OPTIONS = new Set([
  'hostname', 'port', 'username', 'password', 'database-name', 'schema-name', 'table-name', 'slot.name',
  'decoding.plugin.name', 'publication.name', 'scan.startup.mode', 'scan.bounded', 'scan.snapshot.chunk-pages', 'scan.changes.fetch-size', 'scan.poll-interval-ms',
]);

registerTableConnector('postgres-cdc', {
  options: (k) => CDC_OPTIONS.has(k),
  createChangelogSource(env, ctx) {
    const host = requireOption(ctx, 'hostname');
    const user = requireOption(ctx, 'username');
    const database = requireOption(ctx, 'database-name');
    const table = `${ctx.options['schema-name'] ?? 'public'}.${requireOption(ctx, 'table-name')}`;
    const slot = requireOption(ctx, 'slot.name');
    const plugin = ctx.options['decoding.plugin.name'] ?? 'test_decoding';
    if (plugin !== 'test_decoding' && plugin !== 'pgoutput') throw new Error(`table ${ctx.tableName}: 'decoding.plugin.name' must be 'test_decoding' or 'pgoutput', got '${plugin}'`);
    const publication = ctx.options['publication.name'];
    if (publication !== undefined && plugin !== 'pgoutput') throw new Error(`table ${ctx.tableName}: 'publication.name' is for 'decoding.plugin.name' = 'pgoutput'`);
    if (publication !== undefined && !/^[a-z0-9_]{1,63}$/.test(publication)) throw new Error(`table ${ctx.tableName}: 'publication.name' must be 1-63 lower-case letters, digits or '_', got '${publication}'`);
    const mode = ctx.options['scan.startup.mode'] ?? 'initial';
    if (mode !== 'initial' && mode !== 'latest-offset') throw new Error(`table ${ctx.tableName}: 'scan.startup.mode' must be 'initial' or 'latest-offset', got '${mode}'`);
    const bounded = ctx.options['scan.bounded'] ?? 'false';
    if (bounded !== 'true' && bounded !== 'false') throw new Error(`table ${ctx.tableName}: 'scan.bounded' must be 'true' or 'false', got '${bounded}'`);
    const port = positiveInt(ctx, 'port', 5432);
    const url = new URL(`postgres://${host}:${port}/${encodeURIComponent(database)}`);
    url.username = encodeURIComponent(user);
    if (ctx.options.password !== undefined) url.password = encodeURIComponent(ctx.options.password);
    const source = new PostgresCdcSource({
      url: url.toString(), slot, tables: [table], bounded: bounded === 'true', startup: mode === 'initial' ? 'initial' : 'latest',
      decodingPluginName: plugin, ...(publication !== undefined ? { publicationName: publication } : {}),
      ...(ctx.options['scan.snapshot.chunk-pages'] !== undefined ? { snapshotChunkPages: positiveInt(ctx, 'scan.snapshot.chunk-pages', 64) } : {}),
      ...(ctx.options['scan.changes.fetch-size'] !== undefined ? { fetchSize: positiveInt(ctx, 'scan.changes.fetch-size', 10_000) } : {}),
      ...(ctx.options['scan.poll-interval-ms'] !== undefined ? { pollIntervalMs: positiveInt(ctx, 'scan.poll-interval-ms', 200) } : {}),
    });
    const cols = ctx.physical.columns;
    const toChange = (c: ChangeRecord): Change => ({
      op: c.op,
      row: cols.map((col) => {
        if (!(col.name in c.row)) throw new Error(`table ${ctx.tableName}: column ${col.name} is not in PostgreSQL table ${table} (it has ${Object.keys(c.row).join(', ')})`);
        return fromValue(c.row[col.name], col.type, () => `table ${ctx.tableName} column ${col.name}`);
      }),
    });
    return PostgresCdcSource.stream(env, source, `postgres-cdc ${ctx.tableName}`).map(toChange).name(`ToChange(${ctx.tableName})`).setParallelism(1);
  },
});
