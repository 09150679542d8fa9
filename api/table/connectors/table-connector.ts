// The contract between the planner and a table connector named in DDL (`'connector' = '...'`):
// a source gives a DataStream of physical rows (arrays in the order of the physical columns); a
// sink takes the query's changelog. Connectors are looked up by name in a registry that the
// built-ins (datagen, filesystem, print, blackhole) fill. Imports api/ stream types only.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { DataStreamSink } from '../../datastream/data-stream-sink.ts';
import type { StreamExecutionEnvironment } from '../../environment/stream-execution-environment.ts';
import type { WatermarkStrategy } from '../../time/watermark-strategy.ts';
import type { Change } from '../types/row.ts';
import type { Schema } from '../types/schema.ts';

/** What a connector sees of a table: its name, physical columns (with the PRIMARY KEY) and WITH options. */
export interface ConnectorContext {
  readonly tableName: string;
  /** The physical columns (computed columns are the planner's). */
  readonly physical: Schema;
  readonly options: Readonly<Record<string, string>>;
  /** The physical columns of `PARTITIONED BY`, in order (empty or absent: not partitioned). */
  readonly partitionKeys?: readonly string[];
  /**
   * For a connector with `perSplitWatermarks`: turns a physical row into the table's full row
   * (computed columns appended in place); absent when there are none. Its source emits full rows.
   */
  readonly finish?: (physical: unknown[]) => unknown[];
  /** For a connector with `perSplitWatermarks`: the table's timestamps and watermarks over full rows, per split. */
  readonly watermarks?: WatermarkStrategy<unknown[]>;
}

/**
 * A lookup table: the right side of a lookup join (`JOIN t FOR SYSTEM_TIME AS OF a.proctime ON
 * a.k = t.k`), queried per input row. Synchronous, as it runs inside an operator's processElement.
 */
export interface LookupFunction {
  /** The table's physical rows whose lookup key columns equal `key` (in the order of the keys given). */
  lookup(key: readonly unknown[]): unknown[][];
  close(): void | Promise<void>;
}

/** A table connector. */
export interface TableConnector {
  /**
   * A lookup function over the table by the physical columns `keys` (a lookup join's equality
   * columns); `now` is the job's processing-time clock (for the cache's expiry).
   */
  createLookup?(ctx: ConnectorContext, keys: readonly string[], now: () => number): LookupFunction;
  /** Reads the table: physical rows. */
  createSource?(env: StreamExecutionEnvironment, ctx: ConnectorContext): DataStream<unknown[]>;
  /**
   * Reads the table as a changelog of physical rows (a CDC source: +I, -U/+U, -D), instead of
   * createSource; the planner then treats the table as updating.
   */
  createChangelogSource?(env: StreamExecutionEnvironment, ctx: ConnectorContext): DataStream<Change>;
  /** Writes a changelog into the table. */
  createSink?(stream: DataStream<Change>, ctx: ConnectorContext): DataStreamSink<unknown>;
  /** Whether the source emits full rows (`ctx.finish`) with `ctx.watermarks` per split (else the planner does both after it). */
  readonly perSplitWatermarks?: boolean;
  /**
   * Whether the sink takes updates and deletes (else an updating query into it is refused); a
   * function decides per table (an upsert sink needs a PRIMARY KEY).
   */
  readonly acceptsUpdates?: boolean | ((ctx: ConnectorContext) => boolean);
  /** Whether the connector takes `PARTITIONED BY` (else a partitioned table is refused). */
  readonly partitioned?: boolean;
  /** The option keys the connector understands (beyond 'connector'); others are refused. */
  readonly options: (key: string) => boolean;
}

const connectors = new Map<string, TableConnector>();

/** Registers a connector under `name` (the value of 'connector' in WITH). */
export function registerTableConnector(name: string, connector: TableConnector): void { connectors.set(name, connector); }

/** The connector `name`, if registered. */
export function findTableConnector(name: string): TableConnector | undefined { return connectors.get(name); }

/** The names of the registered connectors. */
export function tableConnectorNames(): string[] { return [...connectors.keys()].sort(); }

/** Whether `connector`'s sink takes the updates and deletes of an updating query into the table `ctx`. */
export function acceptsUpdates(connector: TableConnector, ctx: ConnectorContext): boolean {
  const a = connector.acceptsUpdates;
  return typeof a === 'function' ? a(ctx) : a === true;
}

/** A required option's value, or a clear error. */
export function requireOption(ctx: ConnectorContext, key: string): string {
  const v = ctx.options[key];
  if (v === undefined) throw new Error(`table ${ctx.tableName}: the ${ctx.options.connector} connector needs the option '${key}'`);
  return v;
}
