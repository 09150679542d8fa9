// Window assignment of the window TVFs (TUMBLE, HOP, CUMULATE): the windows a row's time falls in,
// each as [window_start, window_end) in ms. A row is emitted once per window with window_start,
// window_end and window_time (= window_end - 1) appended. Imports only the plan's window shape.
import type { WindowSpec } from '../plan-nodes.ts';

/** The [start, end) windows containing `t`. */
export function assignWindows(spec: WindowSpec, t: number): Array<[number, number]> {
  const offset = spec.offset ?? 0;
  const floorTo = (x: number, size: number): number => x - ((((x - offset) % size) + size) % size);
  switch (spec.kind) {
    case 'TUMBLE': {
      const start = floorTo(t, spec.size);
      return [[start, start + spec.size]];
    }
    case 'HOP': {
      const slide = spec.step!;
      const out: Array<[number, number]> = [];
      // The last window starting at or before t, then earlier ones while they still contain t.
      for (let start = floorTo(t, slide); start > t - spec.size; start -= slide) out.push([start, start + spec.size]);
      return out.reverse();
    }
    // A row's own session; the planner lets the SESSION TVF feed only a session aggregation,
    // which merges these per key.
    case 'SESSION': return [[t, t + spec.size]];
    case 'CUMULATE': {
      const step = spec.step!;
      const start = floorTo(t, spec.size);
      const out: Array<[number, number]> = [];
      for (let end = floorTo(t, step) + step; end <= start + spec.size; end += step) out.push([start, end]);
      return out;
    }
  }
}
