// The 'nats' table connector of SQL DDL: a NATS JetStream stream as a table, in the shape of
// Flink's Kafka connector. Source: 'servers', 'stream', a 'subject' filter or comma-separated
// partition 'subjects' (one split each), 'scan.startup.mode' ('earliest-offset', 'latest-offset',
// 'specific-offset' with 'scan.startup.specific-offset' = a stream sequence, 'timestamp' with
// 'scan.startup.timestamp-millis'), 'scan.bounded' = 'true' to stop at the stream's last message
// when the job starts; watermarks per split. Sink: 'servers', 'subject', 'sink.delivery-guarantee'
// ('exactly-once' by default, de-duplicated by message id; or 'at-least-once') and
// 'sink.message-id-prefix'; append-only. Payloads in 'format' = 'json' (one object per message,
// keyed by column name). Imports api/ connectors and the table types.
import { NatsJetStreamSink } from '../../connectors/nats/nats-jetstream-sink.ts';
import { NatsJetStreamSource } from '../../connectors/nats/nats-jetstream-source.ts';
import type { NatsStartPosition } from '../../connectors/nats/nats-split.ts';
import type { DataStream } from '../../datastream/data-stream.ts';
import type { Change } from '../types/row.ts';
import { jsonFormat, type RowFormat } from './row-format.ts';
import { registerTableConnector, requireOption, type ConnectorContext } from './table-connector.ts';

const OPTIONS = new Set([
  'servers', 'stream', 'subject', 'subjects', 'format', 'scan.startup.mode', 'scan.startup.specific-offset',
  'scan.startup.timestamp-millis', 'scan.bounded', 'scan.fetch-size', 'sink.delivery-guarantee', 'sink.message-id-prefix',
  'sink.parallelism',
]);

/** The row format named by 'format' (only 'json'). */
function format(ctx: ConnectorContext): RowFormat {
  const f = requireOption(ctx, 'format');
  if (f !== 'json') throw new Error(`table ${ctx.tableName}: the nats connector's 'format' must be 'json', got '${f}'`);
  return jsonFormat(ctx.physical, `table ${ctx.tableName}`);
}

/** A non-negative integer option. */
function integer(ctx: ConnectorContext, key: string): number {
  const v = requireOption(ctx, key);
  const n = Number(v);
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`table ${ctx.tableName}: option '${key}' must be a non-negative integer, got '${v}'`);
  return n;
}

/** The start position from 'scan.startup.mode' and its companion option. */
function startPosition(ctx: ConnectorContext): NatsStartPosition {
  const mode = ctx.options['scan.startup.mode'] ?? 'earliest-offset';
  switch (mode) {
    case 'earliest-offset': return 'earliest';
    case 'latest-offset': return 'latest';
    case 'specific-offset': return { sequence: integer(ctx, 'scan.startup.specific-offset') };
    case 'timestamp': return { time: integer(ctx, 'scan.startup.timestamp-millis') };
    default: throw new Error(`table ${ctx.tableName}: 'scan.startup.mode' must be 'earliest-offset', 'latest-offset', 'specific-offset' or 'timestamp', got '${mode}'`);
  }
}

const decoder = new TextDecoder();

registerTableConnector('nats', {
  perSplitWatermarks: true,
  options: (k) => OPTIONS.has(k),
  createSource(env, ctx) {
    const servers = requireOption(ctx, 'servers').split(',').map((s) => s.trim());
    const stream = requireOption(ctx, 'stream');
    if (ctx.options.subject !== undefined && ctx.options.subjects !== undefined) throw new Error(`table ${ctx.tableName}: give 'subject' (a filter) or 'subjects' (partitions), not both`);
    const bounded = ctx.options['scan.bounded'] ?? 'false';
    if (bounded !== 'true' && bounded !== 'false') throw new Error(`table ${ctx.tableName}: 'scan.bounded' must be 'true' or 'false', got '${bounded}'`);
    const rows = format(ctx);
    const finish = ctx.finish ?? ((r: unknown[]) => r);
    const source = new NatsJetStreamSource<unknown[]>({
      servers, stream, start: startPosition(ctx), bounded: bounded === 'true',
      ...(ctx.options.subject !== undefined ? { filterSubject: ctx.options.subject } : {}),
      ...(ctx.options.subjects !== undefined ? { partitionSubjects: ctx.options.subjects.split(',').map((s) => s.trim()) } : {}),
      ...(ctx.options['scan.fetch-size'] !== undefined ? { fetchSize: Math.max(1, integer(ctx, 'scan.fetch-size')) } : {}),
      deserialize: (data, meta) => finish(rows.parse(decoder.decode(data), meta.sequence)),
    });
    return env.fromSource(source, ctx.watermarks, `nats ${ctx.tableName}`);
  },
  createSink(stream: DataStream<Change>, ctx) {
    const servers = requireOption(ctx, 'servers').split(',').map((s) => s.trim());
    const subject = requireOption(ctx, 'subject');
    const guarantee = ctx.options['sink.delivery-guarantee'] ?? 'exactly-once';
    if (guarantee !== 'exactly-once' && guarantee !== 'at-least-once') throw new Error(`table ${ctx.tableName}: 'sink.delivery-guarantee' must be 'exactly-once' or 'at-least-once', got '${guarantee}'`);
    const rows = format(ctx);
    const sink = new NatsJetStreamSink<Change>({
      servers, subject, guarantee, serialize: (c) => rows.format(c.row),
      idPrefix: ctx.options['sink.message-id-prefix'] ?? `actorflow-${ctx.tableName.replace(/[^\w-]/g, '_')}`,
    });
    const out = stream.sinkTo(sink).name(`nats ${ctx.tableName}`);
    if (ctx.options['sink.parallelism'] !== undefined) out.setParallelism(Math.max(1, integer(ctx, 'sink.parallelism')));
    return out as never;
  },
});
