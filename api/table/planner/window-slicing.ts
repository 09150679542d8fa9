// Slice sharing for window aggregation (Flink's "slicing" window aggregate): a window aggregation
// straight over a TUMBLE, HOP or CUMULATE window TVF (through projections and filters that do not
// read the window columns) need not copy each row into every window it belongs to. Rows are added
// to non-overlapping slices of gcd(size, slide) instead, and a window merges its slices when it
// fires. This file decides from the plan whether that is possible; the slice arithmetic is here too,
// the keyed function is runtime/sliced-window-aggregate.ts. Imports only plan shapes.
import type { Accumulator } from '../functions/aggregate-functions.ts';
import type { AggregateNode, CalcStage, WindowSpec, WindowTvfNode } from './plan-nodes.ts';
import { assignWindows } from './runtime/window-tvf.ts';

/** The window column a field carries, or undefined for an ordinary field. */
export type WindowColumn = 'start' | 'end' | 'time';

/** How a window aggregation runs over shared slices. */
export interface SlicedWindowPlan {
  /** The window TVF the aggregation reads: its input is what the sliced aggregation reads. */
  readonly tvf: WindowTvfNode;
  /** The projections and filters between the TVF and the aggregation, run on the TVF's input rows. */
  readonly stages: readonly CalcStage[];
  /** Per group key of the aggregation: the window column it carries, or undefined. */
  readonly keyColumns: readonly (WindowColumn | undefined)[];
}

const FIELD = /\br\[(\d+)\]/g;
const PLAIN_FIELD = /^r\[(\d+)\]$/;

/** The fields `code` reads. */
function fieldsRead(code: string): number[] {
  return [...code.matchAll(FIELD)].map((m) => Number(m[1]));
}

/**
 * The sliced plan of `node`, or undefined when the aggregation must assign rows to each window:
 * windows of processing time, SESSION, a condition or computation over a window column, or an
 * aggregate without `merge` (when the windows overlap).
 */
export function slicedWindowPlan(node: AggregateNode, accumulators: readonly Accumulator[]): SlicedWindowPlan | undefined {
  if (node.windowEnd === undefined || node.session !== undefined || node.proctime === true) return undefined;
  const stages: CalcStage[] = [];
  let n = node.input;
  while (n.kind === 'calc') { stages.unshift(...n.stages); n = n.input; }
  if (n.kind !== 'windowTvf' || n.window.proctime === true || n.window.kind === 'SESSION') return undefined;
  const tvf = n;
  if (tvf.window.kind !== 'TUMBLE' && accumulators.some((a) => a.merge === undefined)) return undefined;
  if (!stages.some((s) => s.projection !== undefined)) return undefined; // the rows would be the TVF's own
  // Follow the window columns (the TVF appends them after its input's fields) through the stages.
  const width = tvf.input.schema.columns.length;
  let columns: (WindowColumn | undefined)[] = tvf.schema.columns.map((_, i) => (i === width ? 'start' : i === width + 1 ? 'end' : i === width + 2 ? 'time' : undefined));
  const readsWindow = (code: string): boolean => fieldsRead(code).some((i) => columns[i] !== undefined);
  for (const s of stages) {
    if (s.condition !== undefined && readsWindow(s.condition)) return undefined;
    if (s.projection === undefined) continue;
    const next: (WindowColumn | undefined)[] = [];
    for (const code of s.projection) {
      const m = PLAIN_FIELD.exec(code);
      if (m) next.push(columns[Number(m[1])]);
      else if (readsWindow(code)) return undefined;
      else next.push(undefined);
    }
    columns = next;
  }
  for (const call of node.calls) {
    if (call.args.some((a) => columns[a] !== undefined)) return undefined;
    if (call.filter !== undefined && columns[call.filter] !== undefined) return undefined;
  }
  const keyColumns = node.groupKeys.map((k) => columns[k]);
  if (columns[node.windowEnd] !== 'end' || !node.groupKeys.includes(node.windowEnd)) return undefined;
  return { tvf, stages, keyColumns };
}

/** The slice arithmetic of one window spec (TUMBLE, HOP or CUMULATE). */
export class WindowSlicer {
  /** Slice length: every window boundary falls on a slice boundary. */
  readonly sliceSize: number;
  /** The distance between the ends of consecutive windows holding one slice (slide, step, size). */
  readonly stride: number;
  private readonly offset: number;

  constructor(readonly spec: WindowSpec) {
    const step = spec.kind === 'TUMBLE' ? spec.size : spec.step!;
    this.stride = step;
    this.sliceSize = gcd(spec.size, step);
    this.offset = spec.offset ?? 0;
  }

  /** The end of the slice holding time `t`. */
  sliceEnd(t: number): number {
    const g = this.sliceSize;
    return t - ((((t - this.offset) % g) + g) % g) + g;
  }

  /** The windows [start, end) that contain the slice ending at `sliceEnd` (those of any time in it). */
  windowsOf(sliceEnd: number): Array<[number, number]> {
    return assignWindows(this.spec, sliceEnd - this.sliceSize);
  }

  /** The start of the window ending at `end`. */
  windowStart(end: number): number {
    if (this.spec.kind !== 'CUMULATE') return end - this.spec.size;
    const size = this.spec.size;
    const t = end - 1;
    return t - ((((t - this.offset) % size) + size) % size);
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
