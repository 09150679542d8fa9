// Flink's legacy group windows: `GROUP BY TUMBLE(time, size)`, `HOP(time, slide, size)` and
// `SESSION(time, gap)` with TUMBLE_START/_END/_ROWTIME (and HOP_, SESSION_) in the SELECT list.
// TUMBLE and HOP are planned as their window TVFs with a window aggregation (grouping by
// window_start, window_end and window_time instead of the window call); SESSION as a session
// window aggregation. Imports the AST and the planner's parts.
import type { ColumnRef, GroupItem, SelectQuery } from '../sql/ast.ts';
import { typeToString } from '../types/logical-type.ts';
import { resolveColumn } from './expression-compiler.ts';
import { intervalArg, windowTvfOver } from './from-planner.ts';
import type { Planned, QueryPlanner } from './query-planner.ts';

const WINDOWS = new Set(['TUMBLE', 'HOP', 'SESSION']);

/** The query and input with a legacy window rewritten; `session` when the window is SESSION. */
export function planLegacyWindow(p: QueryPlanner, q: SelectQuery, input: Planned): {
  q: SelectQuery; input: Planned; session?: { timeField: number; gap: number };
} {
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
  if (tt.timeAttribute !== 'rowtime') throw p.error(`the first argument of ${name} must be an event-time attribute (declared by WATERMARK FOR), but it is ${typeToString(tt)}`, time);
  const intervals = call.args.slice(1).map((a) => intervalArg(p, a, name === 'SESSION' ? 'GAP' : 'SIZE'));
  const others = q.groupBy.filter((g) => !isWindow(g));
  if (name === 'SESSION') return { q: { ...q, groupBy: others }, input, session: { timeField, gap: intervals[0] } };
  const window = name === 'TUMBLE' ? { kind: 'TUMBLE' as const, size: intervals[0] } : { kind: 'HOP' as const, step: intervals[0], size: intervals[1] };
  const col = (n: string): GroupItem => ({ kind: 'expr', pos: call.pos, expr: { kind: 'column', pos: call.pos, names: [n] } as ColumnRef });
  return {
    q: { ...q, groupBy: [...others, col('window_start'), col('window_end'), col('window_time')] },
    input: windowTvfOver(input, timeField, window, undefined, true),
  };
}
