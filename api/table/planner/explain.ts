// Prints a plan as Flink's EXPLAIN does: one operator per line, children indented under `+-`
// (the last child) and `:-` (the others), with each operator's essential attributes. The text is
// also what operator uids are derived from, so that the same query gets the same uids.
// Imports the plan shapes.
import { typeToString } from '../types/logical-type.ts';
import { childrenOf, type PlanNode } from './plan-nodes.ts';

function fmtMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** One line describing `n` (without its inputs). */
export function describeNode(n: PlanNode): string {
  const names = n.schema.names;
  switch (n.kind) {
    case 'scan': {
      const wm = n.table.watermark ? `, watermark=[${n.table.watermark.column}]` : '';
      return `TableSourceScan(table=[${n.table.name}], connector=[${n.table.options.connector ?? ''}], fields=[${names.join(', ')}]${wm})`;
    }
    case 'streamScan': return `DataStreamScan(table=[${n.name}], fields=[${names.join(', ')}], changelogMode=[${n.insertOnly ? 'I' : 'I,UB,UA,D'}])`;
    case 'values': return `Values(tuples=[${n.rows.length} rows], fields=[${names.join(', ')}])`;
    case 'calc': {
      const parts: string[] = [];
      const last = [...n.stages].reverse().find((s) => s.projectionSql !== undefined);
      parts.push(`select=[${(last?.projectionSql ?? names).join(', ')}]`);
      const where = n.stages.flatMap((s) => (s.conditionSql ? [s.conditionSql] : []));
      if (where.length > 0) parts.push(`where=[${where.join(' AND ')}]`);
      if (n.stages.length > 1) parts.push(`stages=[${n.stages.length}]`);
      return `Calc(${parts.join(', ')})`;
    }
    case 'aggregate': {
      const input = n.input.schema.names;
      const keys = n.groupKeys.map((k) => input[k]);
      const calls = n.calls.map((c) => c.sql);
      const pt = n.proctime ? ', proctime=[true]' : '';
      if (n.session !== undefined) return `SessionWindowAggregate(groupBy=[${keys.join(', ')}], window=[SESSION(time_col=[${input[n.session.timeField]}], gap=[${fmtMs(n.session.gap)}])]${pt}, select=[${[...keys, 'window_start', 'window_end', 'window_time', ...calls].join(', ')}])`;
      if (n.windowEnd !== undefined) return `WindowAggregate(groupBy=[${keys.join(', ')}]${pt}, select=[${[...keys, ...calls].join(', ')}])`;
      return `GroupAggregate(${keys.length > 0 ? `groupBy=[${keys.join(', ')}], ` : ''}select=[${[...keys, ...calls].join(', ')}])`;
    }
    case 'miniBatchAssigner': return `MiniBatchAssigner(interval=[${n.latencyMs}ms], mode=[ProcTime], size=[${n.size}])`;
    case 'localAggregate': {
      const input = n.input.schema.names;
      const keys = n.groupKeys.map((k) => input[k]);
      return `LocalGroupAggregate(${keys.length > 0 ? `groupBy=[${keys.join(', ')}], ` : ''}select=[${[...keys, ...n.calls.map((c) => c.sql)].join(', ')}])`;
    }
    case 'globalAggregate': {
      const keys = n.schema.names.slice(0, n.input.groupKeys.length);
      return `GlobalGroupAggregate(${keys.length > 0 ? `groupBy=[${keys.join(', ')}], ` : ''}select=[${[...keys, ...n.input.calls.map((c) => c.sql)].join(', ')}])`;
    }
    case 'windowTvf': {
      const w = n.window;
      const time = n.input.schema.names[n.timeField];
      const args = w.kind === 'TUMBLE' ? `size=[${fmtMs(w.size)}]` : w.kind === 'SESSION' ? `gap=[${fmtMs(w.size)}]` : w.kind === 'HOP' ? `slide=[${fmtMs(w.step!)}], size=[${fmtMs(w.size)}]` : `step=[${fmtMs(w.step!)}], size=[${fmtMs(w.size)}]`;
      return `WindowTableFunction(window=[${w.kind}(time_col=[${time}], ${args}${w.offset ? `, offset=[${fmtMs(w.offset)}]` : ''})])`;
    }
    case 'join': {
      const ln = n.left.schema.names;
      const rn = n.right.schema.names;
      const keys = n.leftKeys.map((l, i) => `${ln[l]}=${rn[n.rightKeys[i]]}`);
      if (n.lookup) return `LookupJoin(table=[${n.lookup.table.name}], joinType=[${n.joinType}], lookup=[${keys.join(', ')}], where=[${n.conditionSql}])`;
      if (n.temporal) {
        return `TemporalJoin(joinType=[${n.joinType}], where=[${n.conditionSql}], keys=[${keys.join(', ')}], asOf=[${ln[n.temporal.leftTime]}], versionTime=[${rn[n.temporal.rightTime]}])`;
      }
      if (n.interval) {
        const iv = n.interval;
        return `IntervalJoin(joinType=[${n.joinType}], where=[${n.conditionSql}], keys=[${keys.join(', ')}], bounds=[${rn[iv.rightTime]} - ${ln[iv.leftTime]} in [${iv.lower}, ${iv.upper}] ms])`;
      }
      if (n.window) return `WindowJoin(joinType=[${n.joinType}], where=[${n.conditionSql}], keys=[${keys.join(', ')}], windowEnd=[${ln[n.window.leftEnd]}=${rn[n.window.rightEnd]}])`;
      return `Join(joinType=[${n.joinType}], where=[${n.conditionSql}], keys=[${keys.join(', ')}], leftInputSpec=[${n.left.insertOnly ? 'NoUniqueKey' : 'Updating'}], rightInputSpec=[${n.right.insertOnly ? 'NoUniqueKey' : 'Updating'}])`;
    }
    case 'semiJoin': {
      const ln = n.left.schema.names;
      const rn = n.right.schema.names;
      const keys = n.leftKeys.map((l, i) => `${ln[l]}=${rn[n.rightKeys[i]]}`);
      return `Join(joinType=[${n.anti ? 'LeftAntiJoin' : 'LeftSemiJoin'}], where=[${n.conditionSql}], keys=[${keys.join(', ')}], select=[${names.join(', ')}])`;
    }
    case 'union': return `Union(all=[true], union=[${names.join(', ')}])`;
    case 'expand': {
      const keys = n.input.schema.names.slice(0, n.keyCount);
      return `Expand(sets=[${n.sets.map((s) => `{${s.map((i) => keys[i]).join(', ')}}`).join(', ')}], select=[${names.join(', ')}])`;
    }
    case 'setOp': return `${n.op === 'INTERSECT' ? 'Intersect' : 'Minus'}(all=[${n.all}], select=[${names.join(', ')}])`;
    case 'sort': {
      const keys = n.keys.map((k) => `${names[k.field]} ${k.descending ? 'DESC' : 'ASC'}`);
      return `SortLimit(orderBy=[${keys.join(', ')}], offset=[${n.offset}]${n.limit !== undefined ? `, fetch=[${n.limit}]` : ''})`;
    }
    case 'overAggregate': {
      const input = n.input.schema.names;
      const f = n.frame;
      const frame = `${f.unit} BETWEEN ${f.preceding === undefined ? 'UNBOUNDED' : f.unit === 'RANGE' ? fmtMs(f.preceding) : f.preceding} PRECEDING AND CURRENT ROW`;
      return `OverAggregate(partitionBy=[${n.partitionKeys.map((k) => input[k]).join(', ')}], orderBy=[${input[n.timeField]} ASC], window=[${frame}], select=[${n.calls.map((c) => c.sql).join(', ')}])`;
    }
    case 'correlate':
      return `Correlate(invocation=[${n.fnName}(${(n.args.projectionSql ?? []).join(', ')})], joinType=[${n.outer ? 'LEFT' : 'INNER'}], select=[${names.join(', ')}])`;
    case 'rank': {
      const input = n.input.schema.names;
      return `Rank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=${n.limit === Infinity ? 'unbounded' : n.limit}], partitionBy=[${n.partitionKeys.map((k) => input[k]).join(', ')}], orderBy=[${n.orderKeys.map((k) => `${input[k.field]} ${k.descending ? 'DESC' : 'ASC'}`).join(', ')}])`;
    }
  }
}

/** The plan tree as text, one operator per line. */
export function explainPlan(root: PlanNode): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, prefix: string, marker: string): void => {
    lines.push(`${prefix}${marker}${describeNode(n)}`);
    const children = childrenOf(n);
    const childPrefix = prefix + (marker === '' ? '' : marker === '+- ' ? '   ' : ':  ');
    children.forEach((c, i) => walk(c, childPrefix, i === children.length - 1 ? '+- ' : ':- '));
  };
  walk(root, '', '');
  return lines.join('\n');
}

/** The output schema line of a plan (for EXPLAIN's header). */
export function schemaLine(root: PlanNode): string {
  return root.schema.columns.map((c) => `${c.name} ${typeToString(c.type)}`).join(', ');
}
