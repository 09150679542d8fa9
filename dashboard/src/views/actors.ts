// The actor-system view: the JobManager's supervision tree and each TaskManager's (GET /actors,
// which asks every TaskManager over the cluster connection and names those that did not answer),
// each actor with its lifecycle state lit, its mailbox size and restarts, and per process the
// totals and dead letters. Clicking an actor draws its lifecycle machine (GET /dashboard/lifecycles)
// with the current state lit and the changes this page saw. Reloaded on every tick.
import { useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { formatNumber, formatTime } from '../format.ts';
import { html, NoData, useResource } from '../html.ts';
import { LifecycleChart, type LifecycleGraph, type SeenTransition } from './lifecycle.ts';

/** One actor as GET /actors gives it (actors/core/actor-snapshot.ts). */
export interface ActorNode {
  readonly path: string;
  readonly name: string;
  readonly behavior?: string;
  readonly state: string;
  readonly mailboxSize: number;
  readonly restarts: number;
  readonly children: readonly ActorNode[];
}

/** One actor system. */
export interface ActorSystemView {
  readonly system: string;
  readonly address?: string;
  readonly takenAt: number;
  readonly actors: number;
  readonly mailboxSize: number;
  readonly maxMailboxSize: number;
  readonly restarts: number;
  readonly deadLetters: number;
  readonly tree: readonly ActorNode[];
  readonly truncated: boolean;
}

/** GET /actors. */
export interface ActorSystemsReport {
  readonly jobManager?: ActorSystemView;
  readonly taskManagers: readonly { id: string; address?: string; snapshot?: ActorSystemView; inJobManager?: boolean; error?: string }[];
  readonly unanswered: readonly string[];
}

/** Remembers each actor's state across reloads and the changes seen (at most 20 per actor). */
function useStateHistory(report: ActorSystemsReport | undefined): Map<string, SeenTransition[]> {
  const last = useRef(new Map<string, string>());
  const history = useRef(new Map<string, SeenTransition[]>());
  const seen = useRef<ActorSystemsReport | undefined>(undefined);
  if (report && seen.current !== report) {
    seen.current = report;
    const visit = (nodes: readonly ActorNode[]): void => {
      for (const node of nodes) {
        const before = last.current.get(node.path);
        if (before !== undefined && before !== node.state) {
          const list = history.current.get(node.path) ?? [];
          list.push({ time: Date.now(), from: before, to: node.state });
          if (list.length > 20) list.shift();
          history.current.set(node.path, list);
        }
        last.current.set(node.path, node.state);
        visit(node.children);
      }
    };
    for (const s of [report.jobManager, ...report.taskManagers.map((tm) => tm.snapshot)]) if (s) visit(s.tree);
  }
  return history.current;
}

/** The tree under `nodes`, as nested lists. */
function Tree({ nodes, selected, onSelect }: { nodes: readonly ActorNode[]; selected: string | undefined; onSelect: (node: ActorNode) => void }) {
  if (nodes.length === 0) return null;
  return html`<ul class="actor-tree">${nodes.map((node) => html`
    <li key=${node.path} data-actor-path=${node.path} data-state=${node.state}>
      <div class=${`actor-row${node.path === selected ? ' selected' : ''}`} onClick=${() => onSelect(node)} title=${node.path}>
        <span class=${`badge state-${node.state}`} data-testid="actor-state">${node.state}</span>
        <span class="actor-name">${node.name}</span>
        ${node.behavior ? html`<span class="note">${node.behavior}</span>` : null}
        <span class=${`actor-figure${node.mailboxSize > 0 ? ' busy' : ''}`} data-testid="actor-mailbox">mailbox ${formatNumber(node.mailboxSize)}</span>
        <span class=${`actor-figure${node.restarts > 0 ? ' warn' : ''}`} data-testid="actor-restarts">restarts ${formatNumber(node.restarts)}</span>
      </div>
      <${Tree} nodes=${node.children} selected=${selected} onSelect=${onSelect} />
    </li>`)}
  </ul>`;
}

/** One process's actor system: its totals and its tree. */
function SystemPanel({ title, id, snapshot, selected, onSelect }: {
  title: string; id: string; snapshot: ActorSystemView; selected: string | undefined; onSelect: (node: ActorNode) => void;
}) {
  return html`
    <section class="panel" data-testid="actor-system" data-process=${id}>
      <h3>${title} <span class="mono">${snapshot.address ?? snapshot.system}</span></h3>
      <p class="counts" data-testid="actor-totals">
        <span><b data-testid="actor-count">${formatNumber(snapshot.actors)}</b> actors</span>
        <span><b>${formatNumber(snapshot.mailboxSize)}</b> queued messages</span>
        <span><b>${formatNumber(snapshot.maxMailboxSize)}</b> longest mailbox</span>
        <span><b>${formatNumber(snapshot.restarts)}</b> restarts</span>
        <span><b data-testid="dead-letters">${formatNumber(snapshot.deadLetters)}</b> dead letters</span>
        <span class="note">as of ${formatTime(snapshot.takenAt)}</span>
      </p>
      ${snapshot.tree.length === 0 ? html`<${NoData} what="no actors" />` : html`<${Tree} nodes=${snapshot.tree} selected=${selected} onSelect=${onSelect} />`}
      ${snapshot.truncated ? html`<p class="note">Only the first ${formatNumber(countNodes(snapshot.tree))} of ${formatNumber(snapshot.actors)} actors are listed.</p>` : null}
    </section>`;
}

function countNodes(nodes: readonly ActorNode[]): number {
  return nodes.reduce((n, node) => n + 1 + countNodes(node.children), 0);
}

function findNode(report: ActorSystemsReport | undefined, path: string | undefined): ActorNode | undefined {
  if (!report || path === undefined) return undefined;
  const search = (nodes: readonly ActorNode[]): ActorNode | undefined => {
    for (const node of nodes) { if (node.path === path) return node; const found = search(node.children); if (found) return found; }
    return undefined;
  };
  for (const s of [report.jobManager, ...report.taskManagers.map((tm) => tm.snapshot)]) { const found = s && search(s.tree); if (found) return found; }
  return undefined;
}

/** The actor-system page. */
export function ActorsPage({ api, tick }: { api: Api; tick: number }) {
  const report = useResource<ActorSystemsReport>(api, 'actors', tick);
  const lifecycles = useResource<{ actor?: LifecycleGraph }>(api, 'dashboard/lifecycles', 0);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const history = useStateHistory(report.data);
  if (report.missing) return html`<${NoData} what="this JobManager gives no actor trees" />`;
  const data = report.data;
  if (!data) return html`<p class="loading">${report.error ?? 'Loading the actor systems…'}</p>`;
  const node = findNode(data, selected);
  const onSelect = (n: ActorNode): void => setSelected(n.path === selected ? undefined : n.path);
  return html`
    <h2>Actor systems</h2>
    ${report.error ? html`<p class="error">${report.error}</p>` : null}
    ${data.unanswered.length > 0 ? html`<p class="error" data-testid="actor-unanswered">No answer from ${data.unanswered.join(', ')}</p>` : null}
    <div class="split">
      <div class="grow">
        ${data.jobManager ? html`<${SystemPanel} title="JobManager" id="jobmanager" snapshot=${data.jobManager} selected=${selected} onSelect=${onSelect} />` : null}
        ${data.taskManagers.map((tm) => tm.snapshot
          ? html`<${SystemPanel} key=${tm.id} title=${`TaskManager ${tm.id}`} id=${tm.id} snapshot=${tm.snapshot} selected=${selected} onSelect=${onSelect} />`
          : html`<section class="panel" key=${tm.id} data-process=${tm.id}><h3>TaskManager <span class="mono">${tm.id}</span></h3>
              ${tm.inJobManager ? html`<p class="note">Runs inside the JobManager's process: its actors are in the JobManager's tree.</p>`
                : html`<p class="error">${tm.error ?? 'no answer'}</p>`}</section>`)}
      </div>
      <div>
        ${node && lifecycles.data?.actor ? html`<section class="panel" data-testid="actor-panel">
          <h4 class="mono">${node.path}</h4>
          <${LifecycleChart} graph=${lifecycles.data.actor} status=${node.state} history=${history.get(node.path) ?? []} testid="actor-lifecycle" />
        </section>` : html`<p class="hint">Click an actor for its lifecycle.</p>`}
      </div>
    </div>`;
}
