// Flink's legacy group windows: `GROUP BY TUMBLE(time, size)`, `HOP(time, slide, size)` and
// `SESSION(time, gap)` with TUMBLE_START/_END/_ROWTIME (and HOP_, SESSION_) in the SELECT list.
// TUMBLE and HOP are planned as their window TVFs with a window aggregation (grouping by
// window_start, window_end and window_time instead of the window call); SESSION as a session
// window aggregation. The SESSION window TVF is planned here too: its window aggregation
// (GROUP BY window_start, window_end, keys) becomes the same session aggregation per key.
// Imports the AST and the planner's parts.
import type { ColumnRef, GroupItem, SelectQuery } from '../sql/ast.ts';
import { typeToString } from '../types/logical-type.ts';
import { resolveColumn } from './expression-compiler.ts';
import { intervalArg, sessionTvfBelow, windowTvfOver } from './from-planner.ts';
import type { Planned, QueryPlanner } from './query-planner.ts';

const WINDOWS = new Set(['TUMBLE', 'HOP', 'SESSION']);

/** A session aggregation: the input's time field, the gap (ms), and whether time is processing time. */
export interface SessionSpec { readonly timeField: number; readonly gap: number; readonly proctime?: boolean }

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

/** The SESSION TVF's window aggregation: GROUP BY without the window columns, and the session. */
function planSessionTvf(p: QueryPlanner, q: SelectQuery, input: Planned): { q: SelectQuery; input: Planned; session?: SessionSpec } | undefined {
  const tvf = sessionTvfBelow(input.node);
  if (tvf === undefined) return undefined;
  const width = input.fields.length;
  const windowColumn = (g: GroupItem): string | undefined => {
    if (g.kind !== 'expr' || g.expr.kind !== 'column') return undefined;
    const i = resolveColumn(g.expr, input.fields, (r) => p.error(r, g)).index;
    return i >= width - 3 ? WINDOW_COLUMNS[i - (width - 3)] : undefined;
  };
  const named = new Set(q.groupBy.map(windowColumn));
  if (!named.has('window_start') || !named.has('window_end')) {
    throw p.error('the SESSION window TVF is supported in a window aggregation only (GROUP BY window_start, window_end, ...)', q.from ?? q);
  }
  const others = q.groupBy.filter((g) => windowColumn(g) === undefined);
  const keyFields = new Set(others.map((g) => (g.kind === 'expr' && g.expr.kind === 'column' ? resolveColumn(g.expr, input.fields, (r) => p.error(r, g)).index : -1)));
  for (const k of tvf.window.partitionKeys ?? []) {
    if (!keyFields.has(k)) throw p.error(`the SESSION window's PARTITION BY column ${input.fields[k].name} must be in GROUP BY`, q.groupBy[0] ?? q);
  }
  return { q: { ...q, groupBy: others }, input, session: { timeField: tvf.timeField, gap: tvf.window.size, ...(tvf.window.proctime ? { proctime: true } : {}) } };
}

/** The query and input with a legacy window rewritten; `session` when the window is SESSION (or the SESSION TVF). */
export function planLegacyWindow(p: QueryPlanner, q: SelectQuery, input: Planned): {
  q: SelectQuery; input: Planned; session?: SessionSpec;
} {
  const sessionTvf = planSessionTvf(p, q, input);
  if (sessionTvf) return sessionTvf;
  const isWindow = (g: GroupItem): boolean => g.kind === 'expr' && g.expr.kind === 'call' && WINDOWS.has(g.expr.name.toUpperCase());
  const windows = q.groupBy.filter(isWindow);
  if (windows.length === 0) return { q, input };
  if (windows.length > 1) throw p.error('GROUP BY holds more than one group window', windows[1]);
  const call = (windows[0] as GroupItem & { kind: 'expr' }).expr as Extract<GroupItem, { kind: 'expr' }>['expr'] & { kind: 'call' };
  const name = call.name.toUpperCase();
  const arity = name === 'HOP' ? 3 : 2;
  if (call.args.length !== arity) throw p.error(`${name}(time, ${name === 'HOP' ? 'slide, size' : name === 'SESSION' ? 'gap' : 'size'}) takes ${arity} arguments`, call);
  const time = call.args[0];
  if (time.kind !== 'column') throw p.error(`the first argument of ${name} must be an event-time attribute column`, time);
  const timeField = resolveColumn(time, input.fields, (r) => p.error(r, time)).index;
  if (timeField < 0) throw p.error(`unknown column ${time.names.join('.')}`, time);
  const tt = input.fields[timeField].type;
  if (tt.timeAttribute === undefined) throw p.error(`the first argument of ${name} must be a time attribute (declared by WATERMARK FOR, or a PROCTIME() column), but it is ${typeToString(tt)}`, time);
  const proctime = tt.timeAttribute === 'proctime' ? { proctime: true } : {};
  const intervals = call.args.slice(1).map((a) => intervalArg(p, a, name === 'SESSION' ? 'GAP' : 'SIZE'));
  const others = q.groupBy.filter((g) => !isWindow(g));
  if (name === 'SESSION') return { q: { ...q, groupBy: others }, input, session: { timeField, gap: intervals[0], ...proctime } };
  const window = name === 'TUMBLE' ? { kind: 'TUMBLE' as const, size: intervals[0], ...proctime } : { kind: 'HOP' as const, step: intervals[0], size: intervals[1], ...proctime };
  const col = (n: string): GroupItem => ({ kind: 'expr', pos: call.pos, expr: { kind: 'column', pos: call.pos, names: [n] } as ColumnRef });
  return {
    q: { ...q, groupBy: [...others, col('window_start'), col('window_end'), col('window_time')] },
    input: windowTvfOver(input, timeField, window, undefined, true),
  };
}
