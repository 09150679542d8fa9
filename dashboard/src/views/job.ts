// One job: its state and lifecycle chart, savepoint/stop/cancel buttons, its graph with live
// figures per vertex, the selected vertex's subtasks (and the selected subtask's lifecycle chart),
// a throughput chart, and its checkpoint and exception histories.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import {
  checkpointRows, exceptionRows, planEdges, subtaskValues, type CheckpointRow, type JobDetail, type VertexDetail, type VertexFigures,
} from '../flink.ts';
import { formatDuration, formatNumber, formatPercent, formatTime } from '../format.ts';
import { html, NoData, useResource } from '../html.ts';
import { TimeChart } from './chart.ts';
import { JobGraph } from './graph.ts';
import { LifecycleChart, type LifecycleGraph, type SeenTransition } from './lifecycle.ts';
import { StateBadge } from './overview.ts';
import { CheckpointTable, ExceptionTable } from './tables.ts';
import { perSubtaskQuery, useVertexFigures } from './vertex-metrics.ts';

const POINTS = 300;

/** What the job page shows, from the URL: `#/jobs/<jid>[/vertices/<vid>[/subtasks/<i>]]`. */
export interface JobRoute { readonly jid: string; readonly vertex?: string; readonly subtask?: number }

/** The URL of a job page selection. */
export function jobHref(r: JobRoute): string {
  let href = `#/jobs/${r.jid}`;
  if (r.vertex !== undefined) href += `/vertices/${encodeURIComponent(r.vertex)}`;
  if (r.vertex !== undefined && r.subtask !== undefined) href += `/subtasks/${r.subtask}`;
  return href;
}

/** Remembers the state changes of the job and of every subtask between polls. */
function useTransitions(detail: JobDetail | undefined): Map<string, SeenTransition[]> {
  const last = useRef(new Map<string, string>());
  const seen = useRef(new Map<string, SeenTransition[]>());
  const noted = useRef<JobDetail | undefined>(undefined);
  // Noted while rendering (once per answer), so the render that shows a new state lists its change too.
  if (detail && noted.current !== detail) {
    noted.current = detail;
    const note = (key: string, status: string): void => {
      const before = last.current.get(key);
      if (before !== undefined && before !== status) {
        const list = seen.current.get(key) ?? [];
        list.push({ time: Date.now(), from: before, to: status });
        if (list.length > 50) list.shift();
        seen.current.set(key, list);
      }
      last.current.set(key, status);
    };
    note('job', detail.state);
    for (const v of detail.vertices) for (const s of v.subtasks) note(`${v.id}/${s.subtask}`, s.status);
  }
  return seen.current;
}

/** Records per second of each vertex over time (out for vertices with outputs, in for sinks). */
function useThroughput(detail: JobDetail | undefined, figures: Map<string, VertexFigures>, at: number) {
  const series = useRef<{ key: string; times: number[]; values: (number | null)[][] }>({ key: '', times: [], values: [] });
  const vertices = detail?.vertices ?? [];
  const sources = new Set(detail ? planEdges(detail).map((e) => e.source) : []);
  const key = vertices.map((v) => v.id).join(',');
  if (series.current.key !== key) series.current = { key, times: [], values: vertices.map(() => []) };
  const s = series.current;
  useEffect(() => {
    if (at === 0 || figures.size === 0 || [...figures.values()].every((f) => f.recordsInPerSecond === undefined && f.recordsOutPerSecond === undefined)) return;
    s.times = [...s.times, at / 1000].slice(-POINTS);
    s.values = vertices.map((v, i) => {
      const f = figures.get(v.id);
      const value = (sources.has(v.id) || sources.size === 0 ? f?.recordsOutPerSecond : f?.recordsInPerSecond) ?? null;
      return [...(s.values[i] ?? []), value].slice(-POINTS);
    });
  }, [at]);
  const names = vertices.map((v) => `${v.name.length > 28 ? `${v.name.slice(0, 27)}…` : v.name} (${sources.has(v.id) || sources.size === 0 ? 'out' : 'in'})`);
  return { names, times: s.times, values: s.values };
}

/** The completed checkpoints of the history by trigger time: duration and size. */
function checkpointTimeline(rows: readonly CheckpointRow[]): { times: number[]; values: (number | null)[][] } {
  const done = rows.filter((r) => r.triggered !== undefined && r.status === 'COMPLETED').sort((a, b) => a.triggered! - b.triggered!);
  return { times: done.map((r) => r.triggered! / 1000), values: [done.map((r) => r.durationMs ?? null), done.map((r) => r.sizeBytes ?? null)] };
}

/** The buttons acting on the job, and what the last one answered. */
function JobActions({ api, jid, terminal }: { api: Api; jid: string; terminal: boolean }) {
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const act = async (label: string, run: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setMessage(`${label}…`);
    try { setMessage(await run()); } catch (error) { setMessage(`${label} failed: ${(error as Error).message}`); } finally { setBusy(false); }
  };
  /** Follows a savepoint or stop that answered 202 until it has a location. */
  const follow = async (answer: { location?: string | null; status?: string; 'request-id'?: string }): Promise<string | undefined> => {
    let a = answer;
    while (a.status === 'IN_PROGRESS' && a['request-id']) {
      a = (await api.get<typeof a>(`jobs/${jid}/savepoints/${a['request-id']}`)) ?? { status: 'FAILED' };
    }
    return a.location ?? undefined;
  };
  return html`
    <div class="actions">
      <button disabled=${busy || terminal} data-testid="savepoint" onClick=${() => act('savepoint', async () =>
        `savepoint written to ${await follow(await api.send('POST', `jobs/${jid}/savepoints`, {}))}`)}>Trigger savepoint</button>
      <button disabled=${busy || terminal} data-testid="stop" onClick=${() => confirm('Stop the job with a savepoint?') && act('stop', async () =>
        `stopped; savepoint at ${await follow(await api.send('POST', `jobs/${jid}/stop`, {}))}`)}>Stop with savepoint</button>
      <button disabled=${busy || terminal} class="danger" data-testid="cancel" onClick=${() => confirm('Cancel the job?') && act('cancel', async () => {
        await api.send('PATCH', `jobs/${jid}?mode=cancel`); return 'cancelled';
      })}>Cancel</button>
      ${message ? html`<span class="action-message" data-testid="action-message">${message}</span>` : null}
    </div>`;
}

/** The selected vertex's subtasks with their figures; clicking a row selects the subtask. */
function SubtaskTable({ api, jid, vertex, tick, selected }: { api: Api; jid: string; vertex: VertexDetail; tick: number; selected: number }) {
  const metrics = useResource<unknown>(api, `jobs/${jid}/vertices/${encodeURIComponent(vertex.id)}/metrics?get=${perSubtaskQuery(vertex.parallelism)}`, tick);
  const values = subtaskValues(metrics.data, vertex.parallelism);
  const ratio = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
  return html`
    <table class="table clickable" data-testid="subtask-table">
      <thead><tr><th>subtask</th><th>status</th><th>attempt</th><th>TaskManager</th><th>in/s</th><th>out/s</th><th>busy</th><th>back-pressured</th></tr></thead>
      <tbody>${vertex.subtasks.map((s) => {
        const m = values[s.subtask] ?? new Map<string, number>();
        return html`
          <tr key=${s.subtask} class=${s.subtask === selected ? 'selected' : ''} data-subtask=${s.subtask}
              onClick=${() => { location.hash = jobHref({ jid, vertex: vertex.id, subtask: s.subtask }); }}>
            <td>${s.subtask}</td><td><${StateBadge} state=${s.status} /></td><td>${s.attempt}</td><td class="mono">${s.taskmanager || '–'}</td>
            <td>${formatNumber(m.get('numRecordsInPerSecond'))}</td><td>${formatNumber(m.get('numRecordsOutPerSecond'))}</td>
            <td>${formatPercent(ratio(m.get('busyTimeMsPerSecond')))}</td><td>${formatPercent(ratio(m.get('backPressuredTimeMsPerSecond')))}</td>
          </tr>`;
      })}</tbody>
    </table>
    ${metrics.settled && values.every((m) => m.size === 0) ? html`<${NoData} what="no per-subtask metrics from this JobManager" />` : null}`;
}

/** The job page. */
export function JobPage({ api, tick, route }: { api: Api; tick: number; route: JobRoute }) {
  const { jid } = route;
  const detail = useResource<JobDetail>(api, `jobs/${jid}`, tick);
  const lifecycles = useResource<{ job: LifecycleGraph; subtask: LifecycleGraph }>(api, 'dashboard/lifecycles', 0);
  const checkpoints = useResource<unknown>(api, `jobs/${jid}/checkpoints`, tick);
  const exceptions = useResource<unknown>(api, `jobs/${jid}/exceptions`, tick);
  const d = detail.data;
  const vertices = d?.vertices ?? [];
  const metrics = useVertexFigures(api, jid, vertices, tick);
  const transitions = useTransitions(d);
  const throughput = useThroughput(d, metrics.figures, metrics.at);
  if (detail.missing) return html`<p class="error">There is no job ${jid} on this JobManager. <a href="#/">Back to the overview</a></p>`;
  if (!d) return html`<p class="loading">${detail.error ?? 'Loading the job…'}</p>`;
  const vertex = vertices.find((v) => v.id === route.vertex);
  const subtask = vertex?.subtasks.find((s) => s.subtask === (route.subtask ?? 0));
  const terminal = ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'].includes(d.state);
  const cps = checkpointRows(checkpoints.data);
  const timeline = checkpointTimeline(cps.rows);
  return html`
    <div class="job-head">
      <h2 data-testid="job-name">${d.name}</h2> <${StateBadge} state=${d.state} />
      <span class="mono">${d.jid}</span> <span>started ${formatTime(d['start-time'])}, running for ${formatDuration(d.duration)}</span>
    </div>
    <${JobActions} api=${api} jid=${jid} terminal=${terminal} />
    <section class="panel">
      <h3>Job graph</h3>
      ${metrics.available ? null : html`<${NoData} what="no vertex metrics from this JobManager yet" />`}
      <div class="scroll"><${JobGraph} detail=${d} edges=${planEdges(d)} figures=${metrics.figures} selected=${route.vertex}
        onSelect=${(vid: string) => { location.hash = jobHref({ jid, vertex: vid === route.vertex ? undefined : vid }); }} /></div>
    </section>
    ${vertex ? html`
      <section class="panel" data-testid="vertex-panel">
        <h3>Subtasks of ${vertex.name}</h3>
        <div class="split">
          <div class="grow"><${SubtaskTable} api=${api} jid=${jid} vertex=${vertex} tick=${tick} selected=${subtask?.subtask ?? 0} /></div>
          ${lifecycles.data && subtask ? html`<div><h4>Subtask ${subtask.subtask} lifecycle</h4>
            <${LifecycleChart} graph=${lifecycles.data.subtask} status=${subtask.status} testid="subtask-lifecycle"
              history=${transitions.get(`${vertex.id}/${subtask.subtask}`) ?? []} /></div>` : null}
        </div>
      </section>` : html`<p class="hint">Click a vertex for its subtasks.</p>`}
    <div class="split">
      <section class="panel">
        <h3>Job lifecycle</h3>
        ${lifecycles.data ? html`<${LifecycleChart} graph=${lifecycles.data.job} status=${d.state} history=${transitions.get('job') ?? []} testid="job-lifecycle" />`
          : html`<${NoData} what="lifecycle machines not available" />`}
      </section>
      <section class="panel grow">
        <h3>Throughput (records/s)</h3>
        ${throughput.times.length ? html`<${TimeChart} series=${throughput.names} times=${throughput.times} values=${throughput.values} units="records/s" testid="throughput-chart" />`
          : html`<${NoData} what=${metrics.available ? 'no records/s reported yet' : 'no vertex metrics from this JobManager'} />`}
      </section>
    </div>
    <section class="panel"><h3>Checkpoints</h3>
      ${timeline.times.length > 1 ? html`<${TimeChart} series=${['duration', 'size']} units=${['ms', 'bytes']} times=${timeline.times}
        values=${timeline.values} points=${true} testid="checkpoint-chart" />` : null}
      <${CheckpointTable} counts=${cps.counts} rows=${cps.rows} missing=${checkpoints.missing} names=${new Map(vertices.map((v) => [v.id, v.name]))} /></section>
    <section class="panel"><h3>Exceptions</h3><${ExceptionTable} rows=${exceptionRows(exceptions.data)} missing=${exceptions.missing} /></section>`;
}
