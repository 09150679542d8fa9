// A job's graph: its vertices (operator chains) laid out left to right with dagre, joined by their
// network edges (labelled with the ship strategy). Each vertex shows its parallelism, records in
// and out per second, busy and back-pressured shares and its low watermark; its fill goes from blue
// (idle) to red (busy) and a dark bar along its foot grows with back pressure, as in Flink's
// dashboard. Clicking a vertex selects it.
import type { GraphEdge, JobDetail, VertexFigures } from '../flink.ts';
import { formatNumber, formatPercent, formatTime } from '../format.ts';
import { html } from '../html.ts';
import { layoutGraph, polylinePath } from '../layout.ts';

const WIDTH = 230, HEIGHT = 96;

/** The fill of a vertex: hue from 210 (blue, idle) to 0 (red, busy); grey without metrics. */
export function busyColour(busy: number | undefined): string {
  if (busy === undefined) return 'hsl(0, 0%, 90%)';
  return `hsl(${Math.round(210 * (1 - busy))}, 70%, ${Math.round(88 - 20 * busy)}%)`;
}

/** Cuts `text` to `n` characters. */
function cut(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Props of JobGraph. */
export interface JobGraphProps {
  readonly detail: JobDetail;
  readonly edges: readonly GraphEdge[];
  readonly figures: ReadonlyMap<string, VertexFigures>;
  readonly selected: string | undefined;
  readonly onSelect: (vertexId: string) => void;
}

/** The job graph as SVG. */
export function JobGraph({ detail, edges, figures, selected, onSelect }: JobGraphProps) {
  const laid = layoutGraph(detail.vertices.map((v) => ({ id: v.id, width: WIDTH, height: HEIGHT })), edges, { direction: 'LR', labelWidth: 70, rankSep: 70 });
  return html`
    <svg class="job-graph" data-testid="job-graph" width=${laid.width} height=${laid.height} viewBox=${`0 0 ${laid.width} ${laid.height}`}>
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M0,0 L10,5 L0,10 z" fill="#667" /></marker></defs>
      ${laid.edges.map((e) => html`
        <g class="edge" key=${`${e.source}-${e.target}-${e.label}`}>
          <path d=${polylinePath(e.points)} marker-end="url(#arrow)" />
          ${e.label && e.labelAt ? html`<text x=${e.labelAt.x} y=${e.labelAt.y + 4} text-anchor="middle">${e.label}</text>` : null}
        </g>`)}
      ${detail.vertices.map((v) => {
        const p = laid.nodes.get(v.id)!;
        const f = figures.get(v.id) ?? {};
        const x = p.x - WIDTH / 2, y = p.y - HEIGHT / 2;
        const bp = f.backPressured ?? 0;
        return html`
          <g class=${`vertex${selected === v.id ? ' selected' : ''}`} key=${v.id} data-vertex=${v.id} transform=${`translate(${x},${y})`}
             onClick=${() => onSelect(v.id)} role="button" tabindex="0" onKeyDown=${(ev: KeyboardEvent) => { if (ev.key === 'Enter') onSelect(v.id); }}>
            <title>${v.name}</title>
            <rect class="vertex-box" width=${WIDTH} height=${HEIGHT} rx="6" fill=${busyColour(f.busy)} />
            <rect class="vertex-bp" x="0" y=${HEIGHT - 6} width=${Math.round(WIDTH * bp)} height="6" />
            <text x="10" y="18" class="vertex-name">${cut(v.name, 30)}</text>
            <text x="10" y="36">parallelism ${v.parallelism}</text>
            <text x="10" y="52">in ${formatNumber(f.recordsInPerSecond)}/s · out ${formatNumber(f.recordsOutPerSecond)}/s</text>
            <text x="10" y="68">busy ${formatPercent(f.busy)} · back-pressured ${formatPercent(f.backPressured)}</text>
            <text x="10" y="84">watermark ${f.watermark === undefined ? '–' : formatTime(f.watermark)}</text>
          </g>`;
      })}
    </svg>
    <div class="legend">
      <span class="swatch" style=${`background:${busyColour(0)}`}></span> idle
      <span class="swatch" style=${`background:${busyColour(0.5)}`}></span> half busy
      <span class="swatch" style=${`background:${busyColour(1)}`}></span> busy
      <span class="swatch bp"></span> back-pressured (bar length)
      <span class="swatch" style=${`background:${busyColour(undefined)}`}></span> no metrics
    </div>`;
}
