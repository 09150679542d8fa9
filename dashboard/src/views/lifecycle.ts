// A lifecycle state chart: one xstate machine (the job's or a subtask's) as the server derived it
// from the machine definition (GET /dashboard/lifecycles), laid out top to bottom with dagre, its
// current state lit, the transitions this page has seen taken drawn bold, and that history listed.
import { formatTime } from '../format.ts';
import { html } from '../html.ts';
import { layoutGraph, polylinePath } from '../layout.ts';

/** A machine as the server describes it (actors/rest/dashboard-lifecycles.ts). */
export interface LifecycleGraph {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly { readonly name: string; readonly final: boolean }[];
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly event: string }[];
}

/** A state change this page saw. */
export interface SeenTransition { readonly time: number; readonly from: string; readonly to: string }

const HEIGHT = 30;

/** The machine's state named like `status` (statuses are reported upper case, some machines name states lower case). */
export function stateNamed(graph: LifecycleGraph, status: string | undefined): string | undefined {
  if (status === undefined) return undefined;
  return graph.states.find((s) => s.name.toLowerCase() === status.toLowerCase())?.name;
}

/**
 * The states a change from `from` to `to` passed through, shortest way first (the page polls, so
 * it may see RUNNING and then CANCELED without the CANCELLING between); undefined when the machine
 * has no way (a subtask's new attempt starts a new machine).
 */
export function pathBetween(graph: LifecycleGraph, from: string, to: string): string[] | undefined {
  const start = stateNamed(graph, from), goal = stateNamed(graph, to);
  if (start === undefined || goal === undefined || start === goal) return undefined;
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === goal) break;
    for (const t of graph.transitions) {
      if (t.from === at && !previous.has(t.to)) { previous.set(t.to, at); queue.push(t.to); }
    }
  }
  if (!previous.has(goal)) return undefined;
  const path = [goal];
  while (path[0] !== start) path.unshift(previous.get(path[0])!);
  return path;
}

/** Props of LifecycleChart. */
export interface LifecycleChartProps {
  readonly graph: LifecycleGraph;
  readonly status: string | undefined;
  readonly history: readonly SeenTransition[];
  readonly testid: string;
}

/** The state chart as SVG, with the transitions seen listed below it. */
export function LifecycleChart({ graph, status, history, testid }: LifecycleChartProps) {
  const current = stateNamed(graph, status);
  const widthOf = (name: string): number => Math.max(90, name.length * 8 + 24);
  const eventLabel = (event: string): string => event.replace(/^[a-z]+\./, '');
  const laid = layoutGraph(
    graph.states.map((s) => ({ id: s.name, width: widthOf(s.name), height: HEIGHT })),
    graph.transitions.map((t) => ({ source: t.from, target: t.to, label: eventLabel(t.event) })),
    { direction: 'TB', nodeSep: 30, rankSep: 46, labelWidth: 64 },
  );
  const paths = history.map((h) => pathBetween(graph, h.from, h.to));
  const taken = new Set(paths.flatMap((p) => (p ?? []).slice(1).map((to, i) => `${p![i]}>${to}`)));
  const start = laid.nodes.get(graph.initial);
  const top = 22;
  return html`
    <div class="lifecycle" data-testid=${testid} data-current=${current ?? ''}>
      <svg width=${laid.width} height=${laid.height + top} viewBox=${`0 ${-top} ${laid.width} ${laid.height + top}`}>
        <defs><marker id=${`arrow-${graph.id}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#889" /></marker></defs>
        ${start ? html`<g class="initial"><circle cx=${start.x} cy=${start.y - HEIGHT / 2 - 16} r="5" />
          <path d=${`M${start.x},${start.y - HEIGHT / 2 - 11} L${start.x},${start.y - HEIGHT / 2 - 1}`} marker-end=${`url(#arrow-${graph.id})`} /></g>` : null}
        ${laid.edges.map((e, i) => html`
          <g class=${`transition${taken.has(`${e.source}>${e.target}`) ? ' taken' : ''}`} key=${i}>
            <path d=${polylinePath(e.points)} marker-end=${`url(#arrow-${graph.id})`} />
            ${e.labelAt ? html`<text x=${e.labelAt.x} y=${e.labelAt.y + 4} text-anchor="middle">${e.label}</text>` : null}
          </g>`)}
        ${graph.states.map((s) => {
          const p = laid.nodes.get(s.name)!;
          const w = widthOf(s.name);
          return html`
            <g class=${`state${s.name === current ? ' current' : ''}${s.final ? ' final' : ''}`} key=${s.name} data-state=${s.name}
               transform=${`translate(${p.x - w / 2},${p.y - HEIGHT / 2})`}>
              <rect width=${w} height=${HEIGHT} rx="14" />
              ${s.final ? html`<rect class="inner" x="3" y="3" width=${w - 6} height=${HEIGHT - 6} rx="11" />` : null}
              <text x=${w / 2} y=${HEIGHT / 2 + 5} text-anchor="middle">${s.name}</text>
            </g>`;
        })}
      </svg>
      ${current === undefined && status ? html`<p class="note">reported status ${status} is not a state of this machine (not deployed yet)</p>` : null}
      ${history.length ? html`<ol class="history">${history.map((h, i) => ({ h, path: paths[i] })).slice(-8).reverse().map(({ h, path }) => html`
        <li>${formatTime(h.time)}: ${h.from} → ${h.to}${path === undefined ? ' (a new attempt)' : path.length > 2 ? ` (via ${path.slice(1, -1).join(', ')})` : ''}</li>`)}</ol>`
        : html`<p class="note">no transition seen since this page opened</p>`}
    </div>`;
}
