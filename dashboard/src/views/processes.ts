// The processes of the cluster: the JobManager's and each TaskManager's memory and actor-system
// counts (GET /jobmanager/metrics, /taskmanagers/:id/metrics, Flink's `[{id, value}]` shape), and
// a chart of their heap over time. A route that answers 404 shows "no data".
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { metricValues, type TaskManagerInfo } from '../flink.ts';
import { formatBytes, formatNumber } from '../format.ts';
import { html, NoData } from '../html.ts';
import { TimeChart } from './chart.ts';

const POINTS = 300;

/** What the dashboard asks each process for (Flink's JVM names too, for JobManagers that use them). */
export const PROCESS_METRICS = [
  'Status.Memory.Heap.Used', 'Status.JVM.Memory.Heap.Used', 'Status.Memory.RSS', 'actorSystem.actors', 'actorSystem.mailboxSize',
  'actorSystem.maxMailboxSize', 'actorSystem.restarts', 'actorSystem.deadLetters',
] as const;

/** One process's metrics by name (empty: its route answered nothing). */
type Values = Map<string, number>;

/** The processes table and heap chart. */
export function ProcessMetrics({ api, tick, taskManagers }: { api: Api; tick: number; taskManagers: readonly TaskManagerInfo[] }) {
  const [values, setValues] = useState<{ at: number; byProcess: Map<string, Values> }>({ at: 0, byProcess: new Map() });
  const history = useRef<{ times: number[]; series: Map<string, (number | null)[]> }>({ times: [], series: new Map() });
  const ids = ['jobmanager', ...taskManagers.map((tm) => tm.id)];
  useEffect(() => {
    let live = true;
    const query = `?get=${PROCESS_METRICS.join(',')}`;
    Promise.all(ids.map((id) => api.get<unknown>(id === 'jobmanager' ? `jobmanager/metrics${query}` : `taskmanagers/${encodeURIComponent(id)}/metrics${query}`)
      .then(metricValues, () => new Map<string, number>()))).then((all) => {
      if (!live) return;
      const byProcess = new Map(ids.map((id, i) => [id, all[i]]));
      const h = history.current;
      h.times = [...h.times, Date.now() / 1000].slice(-POINTS);
      for (const id of ids) {
        const heap = byProcess.get(id)?.get('Status.Memory.Heap.Used') ?? byProcess.get(id)?.get('Status.JVM.Memory.Heap.Used') ?? null;
        const before = h.series.get(id) ?? new Array<number | null>(h.times.length - 1).fill(null);
        h.series.set(id, [...before, heap].slice(-POINTS));
      }
      setValues({ at: Date.now(), byProcess });
    });
    return () => { live = false; };
  }, [tick, ids.join(',')]);
  const any = [...values.byProcess.values()].some((m) => m.size > 0);
  if (values.at === 0) return null;
  if (!any) return html`<${NoData} what="no process metrics from this JobManager" />`;
  const heap = (m: Values | undefined): number | undefined => m?.get('Status.Memory.Heap.Used') ?? m?.get('Status.JVM.Memory.Heap.Used');
  const h = history.current;
  return html`
    <table class="table" data-testid="process-metrics">
      <thead><tr><th>process</th><th>heap used</th><th>resident</th><th>actors</th><th>queued messages</th><th>longest mailbox</th><th>actor restarts</th><th>dead letters</th></tr></thead>
      <tbody>${ids.map((id) => {
        const m = values.byProcess.get(id);
        return html`<tr key=${id} data-process=${id}>
          <td class="mono">${id}</td><td>${formatBytes(heap(m))}</td><td>${formatBytes(m?.get('Status.Memory.RSS'))}</td>
          <td>${formatNumber(m?.get('actorSystem.actors'))}</td><td>${formatNumber(m?.get('actorSystem.mailboxSize'))}</td>
          <td>${formatNumber(m?.get('actorSystem.maxMailboxSize'))}</td><td>${formatNumber(m?.get('actorSystem.restarts'))}</td>
          <td>${formatNumber(m?.get('actorSystem.deadLetters'))}</td></tr>`;
      })}</tbody>
    </table>
    <h4>Heap used</h4>
    <${TimeChart} series=${ids} units="bytes" times=${h.times} values=${ids.map((id) => h.series.get(id) ?? [])} testid="heap-chart" />`;
}
