// Lays out a directed graph with dagre (as Flink's own dashboard does for job graphs): boxes of
// given sizes, ranked along a direction, edges routed as polylines. Used for the job graph and
// for the lifecycle state charts. No DOM.
import { Graph, layout } from '@dagrejs/dagre';

/** A node to place: its id and box size. */
export interface LayoutNode { readonly id: string; readonly width: number; readonly height: number }

/** An edge to route (several edges may join the same two nodes). */
export interface LayoutEdge { readonly source: string; readonly target: string; readonly label?: string }

/** Where everything went: node centres, edge polylines and label points, the drawing's size. */
export interface Layout {
  readonly nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  readonly edges: { source: string; target: string; label?: string; points: { x: number; y: number }[]; labelAt?: { x: number; y: number } }[];
  readonly width: number;
  readonly height: number;
}

/** Options of layoutGraph. */
export interface LayoutOptions {
  /** Ranks run left to right (LR, job graphs) or top to bottom (TB, state charts). */
  readonly direction: 'LR' | 'TB';
  readonly nodeSep?: number;
  readonly rankSep?: number;
  /** Space reserved for an edge label. */
  readonly labelWidth?: number;
}

/** Places `nodes` and routes `edges`; edges naming unknown nodes are left out. */
export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions): Layout {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: options.direction, nodesep: options.nodeSep ?? 40, ranksep: options.rankSep ?? 60, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  const known = edges.filter((e) => g.hasNode(e.source) && g.hasNode(e.target));
  known.forEach((e, i) => {
    const labelled = e.label !== undefined && e.label !== '' && options.labelWidth !== undefined;
    g.setEdge(e.source, e.target, labelled ? { width: options.labelWidth, height: 14, labelpos: 'c' } : {}, `e${i}`);
  });
  layout(g);
  const placed = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const n of nodes) {
    const p = g.node(n.id);
    placed.set(n.id, { x: p.x, y: p.y, width: n.width, height: n.height });
  }
  const routed = known.map((e, i) => {
    const label = g.edge(e.source, e.target, `e${i}`) as { points?: { x: number; y: number }[]; x?: number; y?: number };
    return {
      source: e.source, target: e.target, label: e.label, points: label.points ?? [],
      labelAt: label.x !== undefined && label.y !== undefined ? { x: label.x, y: label.y } : undefined,
    };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes: placed, edges: routed, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) };
}

/** An SVG path through `points` (straight segments). */
export function polylinePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}
