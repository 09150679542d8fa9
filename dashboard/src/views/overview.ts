// The cluster at a glance: TaskManagers, slots and jobs by state (GET /overview), the job list
// (GET /jobs/overview) and the TaskManagers (GET /taskmanagers).
import type { Api } from '../api.ts';
import type { ClusterOverview, JobOverview, TaskManagerInfo } from '../flink.ts';
import { formatDuration, formatTime } from '../format.ts';
import { html, NoData, useResource } from '../html.ts';
import { ProcessMetrics } from './processes.ts';

/** One figure of the overview. */
function Card({ label, value, testid }: { label: string; value: number | undefined; testid: string }) {
  return html`<div class="card"><div class="card-value" data-testid=${testid}>${value ?? '–'}</div><div class="card-label">${label}</div></div>`;
}

/** A job state as a coloured badge. */
export function StateBadge({ state }: { state: string }) {
  return html`<span class=${`badge state-${state.toLowerCase()}`}>${state}</span>`;
}

/** The overview page. */
export function OverviewPage({ api, tick }: { api: Api; tick: number }) {
  const overview = useResource<ClusterOverview>(api, 'overview', tick);
  const jobs = useResource<{ jobs: JobOverview[] }>(api, 'jobs/overview', tick);
  const tms = useResource<{ taskmanagers: TaskManagerInfo[] }>(api, 'taskmanagers', tick);
  const o = overview.data;
  const jobList = [...(jobs.data?.jobs ?? [])].sort((a, b) => b['start-time'] - a['start-time']);
  return html`
    <section class="cards" data-testid="overview">
      <${Card} label="TaskManagers" value=${o?.taskmanagers} testid="taskmanagers" />
      <${Card} label="slots total" value=${o?.['slots-total']} testid="slots-total" />
      <${Card} label="slots available" value=${o?.['slots-available']} testid="slots-available" />
      <${Card} label="jobs running" value=${o?.['jobs-running']} testid="jobs-running" />
      <${Card} label="jobs finished" value=${o?.['jobs-finished']} testid="jobs-finished" />
      <${Card} label="jobs cancelled" value=${o?.['jobs-cancelled']} testid="jobs-cancelled" />
      <${Card} label="jobs failed" value=${o?.['jobs-failed']} testid="jobs-failed" />
    </section>
    ${overview.error ? html`<p class="error">${overview.error}</p>` : null}
    <h2>Jobs</h2>
    ${jobList.length === 0 ? html`<${NoData} what=${jobs.missing ? 'this JobManager has no job list' : 'no jobs yet'} />` : html`
      <table class="table" data-testid="job-list">
        <thead><tr><th>name</th><th>state</th><th>started</th><th>duration</th><th>id</th></tr></thead>
        <tbody>${jobList.map((j) => html`
          <tr key=${j.jid} data-jid=${j.jid}>
            <td><a href=${`#/jobs/${j.jid}`}>${j.name}</a></td>
            <td><${StateBadge} state=${j.state} /></td>
            <td>${formatTime(j['start-time'])}</td>
            <td>${formatDuration(j.duration)}</td>
            <td class="mono">${j.jid}</td>
          </tr>`)}
        </tbody>
      </table>`}
    <h2>TaskManagers</h2>
    ${(tms.data?.taskmanagers ?? []).length === 0 ? html`<${NoData} what="no TaskManager registered" />` : html`
      <table class="table" data-testid="taskmanager-list">
        <thead><tr><th>id</th><th>address</th><th>slots</th><th>free slots</th><th>last heartbeat</th></tr></thead>
        <tbody>${tms.data!.taskmanagers.map((tm) => html`
          <tr key=${tm.id}>
            <td class="mono">${tm.id}</td><td class="mono">${tm.address}</td>
            <td>${tm.slotsNumber}</td><td>${tm.freeSlots}</td><td>${formatTime(tm.lastHeartbeat)}</td>
          </tr>`)}
        </tbody>
      </table>`}
    <h2>Processes</h2>
    <${ProcessMetrics} api=${api} tick=${tick} taskManagers=${tms.data?.taskmanagers ?? []} />
  `;
}
