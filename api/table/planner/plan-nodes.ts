// The plan of a query: a tree of relational operators, each with its output schema and whether
// it only ever inserts rows (append-only) or also updates and deletes them (updating; its
// changelog carries -U/+U/-D). The planner (query-planner.ts) builds it from the SQL AST, the
// translator (stream-translator.ts) turns it into DataStream operators, and explain prints it.
// Imports only the types and the source shapes (type-only).
import type { DataStream } from '../../datastream/data-stream.ts';
import type { Change } from '../types/row.ts';
import type { Schema } from '../types/schema.ts';
import type { CatalogTable } from './catalog.ts';

/** One stage of a fused projection/filter chain: a condition and a projection, as generated code. */
export interface CalcStage {
  /** JS code of the condition over `r`, `c`, `h`; absent keeps every row. */
  readonly condition?: string;
  /** JS code of each output value; absent passes the row on unchanged. */
  readonly projection?: readonly string[];
  readonly constants: readonly unknown[];
  /** For explain: the condition and projections as SQL. */
  readonly conditionSql?: string;
  readonly projectionSql?: readonly string[];
}

/** An aggregate call over fields of the aggregate's input. */
export interface AggregateCall {
  /** COUNT, SUM, AVG, MIN, MAX, SUM0, or a user-defined aggregate's name. */
  readonly name: string;
  /** Input field indices of the arguments (empty for COUNT(*)). */
  readonly args: readonly number[];
  readonly distinct: boolean;
  /** Input field index of the FILTER (WHERE ...) condition. */
  readonly filter?: number;
  /** As written, for explain. */
  readonly sql: string;
}

/** A window TVF's assignment. */
export interface WindowSpec {
  readonly kind: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  /** Window size (ms); SESSION's gap. */
  readonly size: number;
  /** Windows of processing time (the DESCRIPTOR column is a PROCTIME() attribute): they fire on the clock. */
  readonly proctime?: boolean;
  /** SESSION's PARTITION BY columns (input fields). */
  readonly partitionKeys?: readonly number[];
  /** HOP's slide, CUMULATE's step (ms). */
  readonly step?: number;
  readonly offset?: number;
}

/** Fields every plan node has. */
interface NodeBase {
  readonly schema: Schema;
  /** True when the node's changelog holds only +I. */
  readonly insertOnly: boolean;
}

/** A catalog table read through its connector (computed columns and watermark included). */
export interface ScanNode extends NodeBase { readonly kind: 'scan'; readonly table: CatalogTable }
/** A DataStream registered as a view (createTemporaryView, fromChangelogStream). */
export interface StreamScanNode extends NodeBase {
  readonly kind: 'streamScan'; readonly name: string; readonly stream: DataStream<Change>;
}
/** Literal rows (VALUES). */
export interface ValuesNode extends NodeBase { readonly kind: 'values'; readonly rows: readonly unknown[][] }
/** Fused projections and filters. */
export interface CalcNode extends NodeBase { readonly kind: 'calc'; readonly input: PlanNode; readonly stages: readonly CalcStage[] }
/** GROUP BY aggregation (updating), or a window aggregation (append-only) when `windowEnd` is set. */
export interface AggregateNode extends NodeBase {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly groupKeys: readonly number[];
  readonly calls: readonly AggregateCall[];
  /** Window aggregation: the input field holding window_end (results fire when the watermark passes it). */
  readonly windowEnd?: number;
  /** Session windows (SESSION TVF, legacy GROUP BY SESSION): the input's time field and the gap (ms); window_start, window_end and window_time follow the keys in the output. */
  readonly session?: { readonly timeField: number; readonly gap: number };
  /** A window or session aggregation over processing time: windows fire on processing-time timers. */
  readonly proctime?: boolean;
}
/** Grouping sets: each row once per set, keys outside the set NULL, the set's number and its GROUPING values appended. */
export interface ExpandNode extends NodeBase {
  readonly kind: 'expand';
  readonly input: PlanNode;
  /** The first `keyCount` input fields are the group keys; each set lists the ones it keeps. */
  readonly keyCount: number;
  readonly sets: readonly (readonly number[])[];
  /** Per set, the values of the query's GROUPING(...) calls. */
  readonly groupingValues: readonly (readonly number[])[];
}
/** A window TVF: each row with window_start, window_end, window_time appended (one row per window). */
export interface WindowTvfNode extends NodeBase {
  readonly kind: 'windowTvf'; readonly input: PlanNode; readonly timeField: number; readonly window: WindowSpec;
}
/** A regular join on equal keys, with a residual condition over the joined row. */
export interface JoinNode extends NodeBase {
  readonly kind: 'join';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly residual?: CalcStage;
  readonly conditionSql: string;
  /** An event-time temporal join (FOR SYSTEM_TIME AS OF): the left time, the versioned table's rowtime and primary key. */
  readonly temporal?: { readonly leftTime: number; readonly rightTime: number; readonly rightKey: readonly number[] };
  /** An interval join: bounds of right time - left time (both inputs append-only, state cleaned by the watermark). */
  readonly interval?: { readonly leftTime: number; readonly rightTime: number; readonly lower: number; readonly upper: number };
  /**
   * A window join: an equi-key on each side is the window_end of an event-time window aggregation,
   * so every row of a window has arrived once the watermark passes its end; rows are joined then
   * and their state dropped (append-only for every join type). The fields of window_end per side.
   */
  readonly window?: { readonly leftEnd: number; readonly rightEnd: number };
  /** A lookup join (AS OF a processing-time attribute): `right` is not read; its table is queried by `keys` per left change. */
  readonly lookup?: { readonly table: CatalogTable; readonly keys: readonly string[] };
}
/** A semi join (IN / EXISTS) or anti join (NOT IN / NOT EXISTS): left rows with (without) a match. */
export interface SemiJoinNode extends NodeBase {
  readonly kind: 'semiJoin';
  readonly anti: boolean;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Over the left row followed by the right row. */
  readonly residual?: CalcStage;
  readonly conditionSql: string;
}
/** UNION ALL. */
export interface UnionNode extends NodeBase { readonly kind: 'union'; readonly inputs: readonly PlanNode[] }
/** INTERSECT [ALL] / EXCEPT [ALL]: rows compared whole (NULLs equal); an updating result. */
export interface SetOpNode extends NodeBase {
  readonly kind: 'setOp'; readonly op: 'INTERSECT' | 'EXCEPT'; readonly all: boolean; readonly left: PlanNode; readonly right: PlanNode;
}
/** ORDER BY / LIMIT / OFFSET of a bounded query: emitted once the input has ended. */
export interface SortNode extends NodeBase {
  readonly kind: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly { readonly field: number; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly limit?: number;
  readonly offset: number;
}
/** Top-N per partition (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) <= n): an updating result. */
export interface RankNode extends NodeBase {
  readonly kind: 'rank';
  readonly input: PlanNode;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly { readonly field: number; readonly descending: boolean; readonly nullsFirst: boolean }[];
  readonly limit: number;
  /** Whether the row number is appended as the last output field. */
  readonly outputRank: boolean;
}

/** OVER aggregation: each input row with the aggregates of its frame appended (append-only). */
export interface OverAggregateNode extends NodeBase {
  readonly kind: 'overAggregate';
  readonly input: PlanNode;
  readonly partitionKeys: readonly number[];
  /** The input field of the ORDER BY time attribute. */
  readonly timeField: number;
  /** ROWS: a row count; RANGE: ms; preceding undefined: UNBOUNDED PRECEDING. */
  readonly frame: { readonly unit: 'ROWS' | 'RANGE'; readonly preceding?: number };
  readonly calls: readonly AggregateCall[];
}
/** LATERAL TABLE(fn(...)) / UNNEST: each input row joined with the rows the function makes for it. */
export interface CorrelateNode extends NodeBase {
  readonly kind: 'correlate';
  readonly input: PlanNode;
  /** The function's arguments over the input row (a projection stage). */
  readonly args: CalcStage;
  /** The function: its rows for the argument values (each an array of the function's columns). */
  readonly fn: (args: unknown[]) => Iterable<unknown[]>;
  readonly fnName: string;
  /** LEFT JOIN ... ON TRUE: an input row without function rows is kept, padded with NULLs. */
  readonly outer: boolean;
  readonly width: number;
}
/**
 * Where mini-batching starts (table.exec.mini-batch.*): rows pass unchanged; the GROUP BY operators
 * above read its latency and size (each keeps its own processing-time timer; Flink's assigner
 * injects mini-batch watermarks instead).
 */
export interface MiniBatchAssignerNode extends NodeBase {
  readonly kind: 'miniBatchAssigner'; readonly input: PlanNode; readonly latencyMs: number; readonly size: number;
}
/**
 * The local half of a two-phase GROUP BY, before the exchange: per key and mini-batch, one partial
 * row of the keys, an accumulator per call and the row count delta (append-only, no state).
 * `input` is a MiniBatchAssigner; groupKeys and calls index its fields, as an AggregateNode's do.
 */
export interface LocalAggregateNode extends NodeBase {
  readonly kind: 'localAggregate'; readonly input: MiniBatchAssignerNode; readonly groupKeys: readonly number[]; readonly calls: readonly AggregateCall[];
}
/** The global half of a two-phase GROUP BY: merges the partials of its LocalAggregate per key into the group's state (updating). */
export interface GlobalAggregateNode extends NodeBase {
  readonly kind: 'globalAggregate'; readonly input: LocalAggregateNode;
}
/** Any plan node. */
export type PlanNode = ScanNode | StreamScanNode | ValuesNode | CalcNode | AggregateNode | WindowTvfNode | JoinNode | SemiJoinNode | UnionNode | SetOpNode | ExpandNode | SortNode | RankNode | OverAggregateNode | CorrelateNode
  | MiniBatchAssignerNode | LocalAggregateNode | GlobalAggregateNode;

/** The inputs of a node. */
export function childrenOf(n: PlanNode): PlanNode[] {
  switch (n.kind) {
    case 'scan': case 'streamScan': case 'values': return [];
    case 'join': return n.lookup ? [n.left] : [n.left, n.right];
    case 'semiJoin': case 'setOp': return [n.left, n.right];
    case 'union': return [...n.inputs];
    default: return [n.input];
  }
}
