// StreamTranslator: turns a plan into DataStream operators that carry changes (`{ op, row }`):
// scans through their connectors (computed columns and the watermark assigner after them),
// fused Calcs as one flatMap, aggregations, joins, ranks and sorts as keyed process functions,
// window TVFs as flatMaps, UNION ALL as a stream union. Every stateful operator's uid comes from
// its place in the plan (a hash of the plan text below it), so the same query restores its state
// from a savepoint. Imports the DataStream API and the planner's parts.
// One method per plan node kind over shared uid and reuse bookkeeping; the operators themselves
// live in runtime/, GROUP BY's translation in group-aggregate-translation.ts, window slicing in
// window-slicing.ts. Joins (regular, interval, temporal, window) are the next group to move into
// their own translator file.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { StreamExecutionEnvironment } from '../../environment/stream-execution-environment.ts';
import type { Collector } from '../../functions/collector.ts';
import { WatermarkStrategy } from '../../time/watermark-strategy.ts';
import { findTableConnector } from '../connectors/table-connector.ts';
import '../connectors/builtin-connectors.ts';
import { createAccumulator } from '../functions/aggregate-functions.ts';
import { isInteger, withoutTimeAttribute } from '../types/logical-type.ts';
import type { Change } from '../types/row.ts';
import { Schema } from '../types/schema.ts';
import type { CatalogTable } from './catalog.ts';
import { explainPlan } from './explain.ts';
import { ExpressionCompiler } from './expression-compiler.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import { applyAggregateTuning, type AggregateTuning } from './aggregate-phases.ts';
import { aggregateLayout, isIntOrNarrower, translateGlobalAggregate, translateGroupAggregate, translateLocalAggregate } from './group-aggregate-translation.ts';
import { childrenOf, type AggregateNode, type JoinNode, type PlanNode, type RankNode } from './plan-nodes.ts';
import { compileCalc, compilePredicate } from './runtime/calc-function.ts';
import { WindowAggregateFunction, type AggregateLayout } from './runtime/group-aggregate.ts';
import { IntervalJoinFunction } from './runtime/interval-join.ts';
import { LookupJoinFunction } from './runtime/lookup-join.ts';
import { OverAggregateFunction } from './runtime/over-aggregate.ts';
import { RankFunction } from './runtime/rank.ts';
import { joinKey, NULL_KEY, RegularJoinFunction } from './runtime/regular-join.ts';
import { SemiJoinFunction } from './runtime/semi-join.ts';
import { SessionWindowAggregateFunction } from './runtime/session-window.ts';
import { SetOperationFunction } from './runtime/set-operation.ts';
import { SlicedWindowAggregateFunction } from './runtime/sliced-window-aggregate.ts';
import { TemporalJoinFunction } from './runtime/temporal-join.ts';
import { WindowJoinFunction } from './runtime/window-join.ts';
import { SortLimitFunction } from './runtime/sort-limit.ts';
import { assignWindows } from './runtime/window-tvf.ts';
import { rowKeySelector } from './runtime/row-key.ts';
import { attachStream } from './stream-reuse.ts';
import { slicedWindowPlan, WindowSlicer, type SlicedWindowPlan } from './window-slicing.ts';

/** A short stable hash of a text (FNV-1a, 32 bits, hex). */
export function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * What makes two sub-plans the same computation: the explain text (operators, tables, SQL of every
 * expression), the generated code of every Calc stage (how names were resolved) and the rows of
 * VALUES (explain gives only their count). Stream scans are unique by their registered name.
 */
function reuseKey(node: PlanNode): string {
  const parts = [explainPlan(node)];
  const walk = (n: PlanNode): void => {
    if (n.kind === 'values') parts.push(JSON.stringify(n.rows));
    if (n.kind === 'calc') for (const s of n.stages) parts.push(`${s.condition ?? ''}|${(s.projection ?? []).join(',')}`);
    for (const c of childrenOf(n)) walk(c);
  };
  walk(node);
  return parts.join('\n');
}

/** The physical columns of a table (those without a computed expression), with its primary key. */
export function physicalSchema(table: CatalogTable): Schema {
  const columns = table.schema.columns.filter((_, i) => table.computed[i] === undefined).map((c) => ({ name: c.name, type: withoutTimeAttribute(c.type) }));
  const key = table.schema.primaryKey;
  return new Schema(columns, key && key.every((k) => columns.some((c) => c.name === k)) ? key : undefined);
}

/** Translates plans of one job into operators of `env`. */
export class StreamTranslator {
  private readonly uids = new Set<string>();

  /**
   * `stateTtlMs`: idle state of GROUP BY, joins and Top-N expires after this long (table.exec.state.ttl).
   * `windowSlicing`: window aggregations over TUMBLE, HOP and CUMULATE share slices where they can
   * (table.exec.window-agg.slicing; off, each row is copied into each of its windows).
   * `aggregates`: mini-batch and two-phase GROUP BY (table.exec.mini-batch.*, table.optimizer.agg-phase-strategy).
   */
  constructor(
    readonly env: StreamExecutionEnvironment, readonly functions: FunctionCatalog, readonly stateTtlMs?: number, readonly windowSlicing = true,
    readonly aggregates?: AggregateTuning,
  ) {}

  /** Plans given to translate() rewritten by the GROUP BY rules, and every node of those rewrites (already physical). */
  private readonly physical = new Map<PlanNode, PlanNode>();
  private readonly physicalNodes = new WeakSet<PlanNode>();

  /** `node` as it runs: with mini-batch assigners and local/global aggregations where the options ask for them. */
  private physicalPlan(node: PlanNode): PlanNode {
    if (this.aggregates?.miniBatch === undefined || this.physicalNodes.has(node)) return node;
    let out = this.physical.get(node);
    if (out === undefined) {
      out = applyAggregateTuning(node, this.aggregates, this.functions);
      const mark = (n: PlanNode): void => { if (this.physicalNodes.has(n)) return; this.physicalNodes.add(n); childrenOf(n).forEach(mark); };
      mark(out);
      this.physical.set(node, out);
    }
    return out;
  }

  /** A uid for the operator of `node` (suffix for several operators of one node). */
  uid(node: PlanNode, suffix: string): string {
    // A mini-batch's latency and size are tuning, not structure: changing them keeps the uids (and state).
    const text = explainPlan(node).replace(/MiniBatchAssigner\([^\n]*\)/g, 'MiniBatchAssigner');
    const base = `table-${node.kind}-${suffix}-${stableHash(text)}`;
    let uid = base;
    for (let k = 2; this.uids.has(uid); k++) uid = `${base}-${k}`;
    this.uids.add(uid);
    return uid;
  }

  /** Streams already built, by the text of their plan (sub-plan reuse). */
  private readonly built = new Map<string, DataStream<Change>>();

  /**
   * The change stream of `node`. An identical sub-plan translated before (q5 reads the bids'
   * window counts twice; INSERTs of one statement set read one table) is reused, so its sources
   * are read and its state kept once (Flink's sub-plan reuse).
   */
  translate(logical: PlanNode): DataStream<Change> {
    const node = this.physicalPlan(logical);
    const key = reuseKey(node);
    let stream = this.built.get(key);
    if (stream === undefined) {
      stream = this.build(node);
      this.built.set(key, stream);
    }
    return stream;
  }

  private build(node: PlanNode): DataStream<Change> {
    switch (node.kind) {
      case 'scan': return this.scan(node);
      case 'streamScan': return attachStream(node.stream);
      case 'values': {
        const rows = node.rows;
        return this.env.fromCollection(rows.map((row): Change => ({ op: '+I', row: [...row] }))).name('Values').uid(this.uid(node, 'values'));
      }
      case 'calc': {
        const calc = compileCalc(node.stages, node.input.schema.columns.length);
        return this.translate(node.input).flatMap((c: Change, out: Collector<Change>) => {
          const row = calc(c.row);
          if (row !== null) out.collect({ op: c.op, row });
        }).name(`Calc(${node.schema.names.join(', ')})`).uid(this.uid(node, 'calc'));
      }
      case 'aggregate': return this.aggregate(node);
      // Each mini-batch operator above keeps its own trigger (see runtime/mini-batch-aggregate.ts).
      case 'miniBatchAssigner': return this.translate(node.input);
      case 'localAggregate': return translateLocalAggregate(this, node);
      case 'globalAggregate': return translateGlobalAggregate(this, node);
      case 'windowTvf': {
        const { timeField, window } = node;
        return this.translate(node.input).flatMap((c: Change, out: Collector<Change>) => {
          const t = c.row[timeField];
          if (t === null) return;
          for (const [start, end] of assignWindows(window, t as number)) out.collect({ op: c.op, row: [...c.row, start, end, end - 1] });
        }).name(`WindowTableFunction(${window.kind})`).uid(this.uid(node, 'window-tvf'));
      }
      case 'join': return this.join(node);
      case 'semiJoin': {
        const lk = node.leftKeys;
        const rk = node.rightKeys;
        const fn = new SemiJoinFunction(node.anti, node.residual ? compilePredicate(node.residual) : undefined, this.stateTtlMs);
        const out = this.translate(node.left).connect(this.translate(node.right))
          .keyBy((c: Change) => joinKey(c.row, lk) ?? NULL_KEY, (c: Change) => joinKey(c.row, rk) ?? NULL_KEY)
          .process(fn).name(node.anti ? 'AntiJoin' : 'SemiJoin').uid(this.uid(node, 'semi-join'));
        return lk.length === 0 ? out.setParallelism(1) : out;
      }
      case 'setOp': {
        const fn = new SetOperationFunction(node.op, node.all, this.stateTtlMs);
        const whole = (c: Change): string => JSON.stringify(c.row);
        return this.translate(node.left).connect(this.translate(node.right)).keyBy(whole, whole)
          .process(fn).name(`${node.op === 'INTERSECT' ? 'Intersect' : 'Minus'}${node.all ? 'All' : ''}`).uid(this.uid(node, 'set-op'));
      }
      case 'expand': {
        const { keyCount, sets, groupingValues } = node;
        return this.translate(node.input).flatMap((c: Change, out: Collector<Change>) => {
          sets.forEach((set, s) => {
            const row = c.row.slice();
            for (let k = 0; k < keyCount; k++) if (!set.includes(k)) row[k] = null;
            row.push(s, ...groupingValues[s]);
            out.collect({ op: c.op, row });
          });
        }).name('Expand').uid(this.uid(node, 'expand'));
      }
      case 'union': {
        const [first, ...rest] = node.inputs.map((n) => this.translate(n));
        return first.union(...rest);
      }
      case 'sort': {
        const fn = new SortLimitFunction(node.keys, node.offset, node.limit);
        return this.translate(node.input).keyBy(() => 0).process(fn).name('SortLimit').uid(this.uid(node, 'sort')).setParallelism(1);
      }
      case 'rank': return this.rank(node);
      case 'correlate': {
        const args = compileCalc([node.args]);
        const { fn, outer, width } = node;
        const nulls = new Array(width).fill(null);
        return this.translate(node.input).flatMap((c: Change, out: Collector<Change>) => {
          let any = false;
          for (const r of fn(args(c.row)!)) { any = true; out.collect({ op: c.op, row: [...c.row, ...r] }); }
          if (!any && outer) out.collect({ op: c.op, row: [...c.row, ...nulls] });
        }).name(`Correlate(${node.fnName})`).uid(this.uid(node, 'correlate'));
      }
      case 'overAggregate': {
        const inputTypes = node.input.schema.columns.map((c) => c.type);
        const calls = node.calls.map((call) => ({
          args: call.args, ...(call.filter !== undefined ? { filter: call.filter } : {}),
          acc: createAccumulator(call.name, {
            distinct: call.distinct, integerResult: call.args.length > 0 && isInteger(inputTypes[call.args[0]]), retracting: false, udf: this.functions.aggregate(call.name),
            intArgument: call.args.length > 0 && isIntOrNarrower(inputTypes[call.args[0]]),
          }),
        }));
        const keys = node.partitionKeys;
        const overKey = rowKeySelector(keys);
        const out = this.translate(node.input).keyBy((c: Change) => overKey(c.row))
          .process(new OverAggregateFunction(node.timeField, node.frame, calls)).name('OverAggregate').uid(this.uid(node, 'over-aggregate'));
        return keys.length === 0 ? out.setParallelism(1) : out;
      }
    }
  }

  private scan(node: Extract<PlanNode, { kind: 'scan' }>): DataStream<Change> {
    const table = node.table;
    const connector = findTableConnector(table.options.connector ?? '');
    if (!connector?.createSource && !connector?.createChangelogSource) throw new Error(`table ${table.name}: the ${table.options.connector} connector cannot be read (it is a sink only)`);
    const physical = physicalSchema(table);
    // Computed columns: one projection over the physical row, in declaration order.
    const compiler = new ExpressionCompiler(table.source, this.functions, this.env.environmentConfig.clock);
    const physFields = physical.columns.map((c) => ({ name: c.name, type: c.type }));
    let p = 0;
    const projection = table.computed.map((e) => (e === undefined ? `r[${p++}]` : compiler.compile(e, { fields: physFields, aggregateContext: 'in a computed column' }).code));
    const identity = table.computed.every((e) => e === undefined);
    const calc = identity ? undefined : compileCalc([{ projection, constants: compiler.constants }]);
    const full = (row: unknown[]): unknown[] => (calc ? calc(row)! : row);
    let watermarks: WatermarkStrategy<unknown[]> | undefined;
    if (table.watermark) {
      const rowtime = table.schema.indexOf(table.watermark.column);
      const wc = new ExpressionCompiler(table.source, this.functions);
      const fields = table.schema.columns.map((c) => ({ name: c.name, type: c.type }));
      const wm = compileCalc([{ projection: [wc.compile(table.watermark.expr, { fields }).code], constants: wc.constants }]);
      // Flink's SQL watermark: the largest value of the WATERMARK expression seen so far (over full rows).
      watermarks = WatermarkStrategy.forGenerator<unknown[]>(() => {
        let max = -Infinity;
        return {
          onEvent: (row: unknown[]) => { const w = wm(row)![0]; if (w !== null && (w as number) > max) max = w as number; },
          onPeriodicEmit: (out) => { if (max > -Infinity) out.emitWatermark(max); },
        };
      }).withTimestampAssigner((row: unknown[]) => (row[rowtime] as number | null) ?? -Infinity);
    }
    if (connector.createChangelogSource) {
      // A changelog source (CDC): its rows get the computed columns; event time is not supported.
      if (watermarks) throw new Error(`table ${table.name}: the ${table.options.connector} connector reads a changelog, which cannot have a WATERMARK here`);
      const changes = connector.createChangelogSource(this.env, { tableName: table.name, physical, options: table.options, partitionKeys: table.partitionKeys ?? [] });
      changes.uid(this.uid(node, 'source'));
      return calc ? changes.map((c: Change): Change => ({ op: c.op, row: full(c.row) })).name(`Computed(${table.name})`).uid(this.uid(node, 'computed')) : changes;
    }
    // A connector with splits computes the full rows and applies the watermarks per split (as
    // Flink's sources do); else both follow the source here.
    const perSplit = connector.perSplitWatermarks === true;
    let rows = connector.createSource!(this.env, {
      tableName: table.name, physical, options: table.options, partitionKeys: table.partitionKeys ?? [],
      ...(perSplit ? { ...(calc ? { finish: full } : {}), ...(watermarks ? { watermarks } : {}) } : {}),
    });
    rows.uid(this.uid(node, 'source'));
    if (!perSplit && calc) rows = rows.map(full).name(`Computed(${table.name})`).uid(this.uid(node, 'computed'));
    if (!perSplit && watermarks) {
      rows = rows.assignTimestampsAndWatermarks(watermarks).name(`WatermarkAssigner(${table.watermark!.column})`).uid(this.uid(node, 'watermark'));
    }
    return rows.map((row: unknown[]): Change => ({ op: '+I', row })).name(`Scan(${table.name})`).uid(this.uid(node, 'scan'));
  }

  /** @internal The accumulators of an aggregation's calls over its input's types. */
  layout(node: AggregateNode, retracting: boolean): AggregateLayout { return aggregateLayout(this.functions, node, retracting); }

  private aggregate(node: AggregateNode): DataStream<Change> {
    if (node.windowEnd !== undefined && this.windowSlicing) {
      const layout = this.layout(node, false);
      const plan = slicedWindowPlan(node, layout.calls.map((c) => c.acc));
      if (plan !== undefined) return this.slicedAggregate(node, layout, plan);
    }
    const input = this.translate(node.input);
    const keys = node.groupKeys;
    const groupKey = rowKeySelector(keys);
    const keyed = input.keyBy((c: Change) => groupKey(c.row));
    if (node.session !== undefined) {
      return keyed.process(new SessionWindowAggregateFunction(this.layout(node, false), node.session.timeField, node.session.gap, node.proctime === true))
        .name('SessionWindowAggregate').uid(this.uid(node, 'session-aggregate'));
    }
    if (node.windowEnd !== undefined) {
      return keyed.process(new WindowAggregateFunction(this.layout(node, false), node.windowEnd, node.proctime === true)).name('WindowAggregate').uid(this.uid(node, 'window-aggregate'));
    }
    return translateGroupAggregate(this, node, keyed);
  }

  /**
   * A window aggregation over shared slices: the TVF's input goes through the projections and
   * filters between the TVF and the aggregation (they read no window column, so the TVF's columns
   * are left unset), with its time appended, to the sliced aggregation keyed by the other keys.
   */
  private slicedAggregate(node: AggregateNode, layout: AggregateLayout, plan: SlicedWindowPlan): DataStream<Change> {
    const { tvf, keyColumns } = plan;
    const calc = compileCalc(plan.stages);
    const timeField = tvf.timeField;
    const rows = this.translate(tvf.input).flatMap((c: Change, out: Collector<Change>) => {
      const t = c.row[timeField];
      if (t === null) return;
      const row = calc(c.row);
      if (row === null) return;
      row.push(t);
      out.collect({ op: c.op, row });
    }).name(`Calc(${node.input.schema.names.join(', ')})`).uid(this.uid(node, 'slice-calc'));
    const plainKeys = node.groupKeys.filter((_, k) => keyColumns[k] === undefined);
    const groupKey = rowKeySelector(plainKeys);
    const fn = new SlicedWindowAggregateFunction(layout, keyColumns, new WindowSlicer(tvf.window), node.input.schema.columns.length);
    const out = rows.keyBy((c: Change) => groupKey(c.row)).process(fn)
      .name(`WindowAggregate(${tvf.window.kind}, sliced)`).uid(this.uid(node, 'sliced-window-aggregate'));
    return plainKeys.length === 0 ? out.setParallelism(1) : out;
  }

  private lookupJoin(node: JoinNode, lookup: NonNullable<JoinNode['lookup']>): DataStream<Change> {
    const table = lookup.table;
    const connector = findTableConnector(table.options.connector ?? '')!;
    const ctx = { tableName: table.name, physical: physicalSchema(table), options: table.options, partitionKeys: table.partitionKeys ?? [] };
    const fn = new LookupJoinFunction({
      createLookup: (now) => connector.createLookup!(ctx, lookup.keys, now),
      leftKeys: node.leftKeys, rightArity: node.right.schema.columns.length, leftOuter: node.joinType === 'LEFT',
      ...(node.residual ? { residual: compilePredicate(node.residual) } : {}),
    });
    return this.translate(node.left).process(fn).name(`LookupJoin(${table.name})`).uid(this.uid(node, 'lookup-join'));
  }

  private join(node: JoinNode): DataStream<Change> {
    if (node.lookup) return this.lookupJoin(node, node.lookup);
    const left = this.translate(node.left);
    const right = this.translate(node.right);
    const lk = node.leftKeys;
    const rk = node.rightKeys;
    if (node.temporal) {
      const fn = new TemporalJoinFunction({
        ...node.temporal, leftOuter: node.joinType === 'LEFT', rightArity: node.right.schema.columns.length,
        ...(node.residual ? { residual: compilePredicate(node.residual) } : {}),
      });
      const out = left.connect(right)
        .keyBy((c: Change) => joinKey(c.row, lk) ?? NULL_KEY, (c: Change) => joinKey(c.row, rk) ?? NULL_KEY)
        .process(fn).name('TemporalJoin').uid(this.uid(node, 'temporal-join'));
      return lk.length === 0 ? out.setParallelism(1) : out;
    }
    if (node.window) {
      const fn = new WindowJoinFunction({
        leftOuter: node.joinType === 'LEFT' || node.joinType === 'FULL',
        rightOuter: node.joinType === 'RIGHT' || node.joinType === 'FULL',
        leftArity: node.left.schema.columns.length,
        rightArity: node.right.schema.columns.length,
        ...(node.residual ? { residual: compilePredicate(node.residual) } : {}),
      }, node.window.leftEnd, node.window.rightEnd);
      return left.connect(right)
        .keyBy((c: Change) => joinKey(c.row, lk) ?? NULL_KEY, (c: Change) => joinKey(c.row, rk) ?? NULL_KEY)
        .process(fn).name(`WindowJoin(${node.joinType})`).uid(this.uid(node, 'window-join'));
    }
    if (node.interval) {
      const out = left.connect(right)
        .keyBy((c: Change) => joinKey(c.row, lk) ?? NULL_KEY, (c: Change) => joinKey(c.row, rk) ?? NULL_KEY)
        .process(new IntervalJoinFunction(node.interval, node.residual ? compilePredicate(node.residual) : undefined))
        .name('IntervalJoin').uid(this.uid(node, 'interval-join'));
      return lk.length === 0 ? out.setParallelism(1) : out;
    }
    const fn = new RegularJoinFunction({
      leftOuter: node.joinType === 'LEFT' || node.joinType === 'FULL',
      rightOuter: node.joinType === 'RIGHT' || node.joinType === 'FULL',
      leftArity: node.left.schema.columns.length,
      rightArity: node.right.schema.columns.length,
      ...(node.residual ? { residual: compilePredicate(node.residual) } : {}),
    }, this.stateTtlMs);
    const out = left.connect(right)
      .keyBy((c: Change) => joinKey(c.row, lk) ?? NULL_KEY, (c: Change) => joinKey(c.row, rk) ?? NULL_KEY)
      .process(fn).name(`Join(${node.joinType})`).uid(this.uid(node, 'join'));
    return lk.length === 0 ? out.setParallelism(1) : out;
  }

  private rank(node: RankNode): DataStream<Change> {
    const rankKey = rowKeySelector(node.partitionKeys);
    return this.translate(node.input)
      .keyBy((c: Change) => rankKey(c.row))
      .process(new RankFunction(node.orderKeys, node.limit, node.outputRank, node.input.insertOnly, this.stateTtlMs)).name('Rank').uid(this.uid(node, 'rank'));
  }
}
