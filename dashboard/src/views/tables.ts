// The job's checkpoint history (GET /jobs/:jid/checkpoints) and exception history
// (GET /jobs/:jid/exceptions) as tables.
import type { CheckpointRow, ExceptionRow } from '../flink.ts';
import { formatBytes, formatDuration, formatTime } from '../format.ts';
import { useState } from 'preact/hooks';
import { html, NoData } from '../html.ts';

/** One checkpoint's vertices: how many subtasks acknowledged, size, duration, alignment. */
function CheckpointVertices({ row, names }: { row: CheckpointRow; names: ReadonlyMap<string, string> }) {
  return html`
    <table class="table inner-table">
      <thead><tr><th>vertex</th><th>acknowledged</th><th>size</th><th>duration</th><th>alignment</th></tr></thead>
      <tbody>${row.vertices.map((v) => html`<tr key=${v.vertexId}>
        <td>${names.get(v.vertexId) ?? v.vertexId}</td><td>${v.acknowledged ?? '–'}/${v.subtasks ?? '?'}</td>
        <td>${formatBytes(v.sizeBytes)}</td><td>${formatDuration(v.durationMs)}</td><td>${formatDuration(v.alignmentMs)}</td></tr>`)}</tbody>
    </table>`;
}

/** The checkpoint counts and history; a checkpoint's row folds out its vertices. */
export function CheckpointTable({ counts, rows, missing, names }: {
  counts?: Record<string, number>; rows: readonly CheckpointRow[]; missing: boolean; names: ReadonlyMap<string, string>;
}) {
  const [open, setOpen] = useState<number | undefined>(undefined);
  if (missing) return html`<${NoData} what="this JobManager reports no checkpoints for the job" />`;
  return html`
    ${counts ? html`<p class="counts" data-testid="checkpoint-counts">${Object.entries(counts).map(([k, v]) => html`<span><b>${v}</b> ${k.replace(/_/g, ' ')}</span>`)}</p>` : null}
    ${rows.length === 0 ? html`<${NoData} what="no checkpoint yet" />` : html`
      <table class="table" data-testid="checkpoint-table">
        <thead><tr><th>id</th><th>status</th><th>type</th><th>triggered</th><th>latest ack</th><th>duration</th><th>size</th><th>alignment</th><th>acknowledged</th></tr></thead>
        <tbody>${rows.map((r) => html`
          <tr key=${r.id} title=${r.failure ?? ''} class=${r.vertices.length ? 'expandable' : ''} data-checkpoint=${r.id}
              onClick=${() => setOpen(open === r.id ? undefined : r.id)}>
            <td>${r.vertices.length ? (open === r.id ? '▾ ' : '▸ ') : ''}${r.id}</td><td>${r.status}${r.failure ? html`<div class="note">${r.failure}</div>` : null}</td><td>${r.savepoint ? 'savepoint' : 'checkpoint'}</td>
            <td>${formatTime(r.triggered)}</td><td>${formatTime(r.latestAck)}</td><td>${formatDuration(r.durationMs)}</td>
            <td>${formatBytes(r.sizeBytes)}</td><td>${r.alignmentMs === undefined && r.alignmentBytes === undefined ? '–'
              : `${formatDuration(r.alignmentMs)}${r.alignmentBytes ? `, ${formatBytes(r.alignmentBytes)}` : ''}`}</td>
            <td>${r.acknowledged === undefined ? '–' : `${r.acknowledged}/${r.subtasks ?? '?'}`}</td>
          </tr>
          ${open === r.id && r.vertices.length ? html`<tr key=${`${r.id}-vertices`} class="details-row"><td colspan="9">
            <${CheckpointVertices} row=${r} names=${names} /></td></tr>` : null}`)}
        </tbody>
      </table>`}`;
}

/** The exception history, newest first; each stack trace folds out. */
export function ExceptionTable({ rows, missing }: { rows: readonly ExceptionRow[]; missing: boolean }) {
  if (missing) return html`<${NoData} what="this JobManager reports no exception history" />`;
  if (rows.length === 0) return html`<${NoData} what="no exception" />`;
  const sorted = [...rows].sort((a, b) => (b.time ?? 0) - (a.time ?? 0));
  return html`
    <table class="table" data-testid="exception-table">
      <thead><tr><th>time</th><th>exception</th><th>task</th><th>location</th></tr></thead>
      <tbody>${sorted.map((r, i) => html`
        <tr key=${i}>
          <td>${formatTime(r.time)}</td>
          <td><details><summary>${r.name}</summary><pre>${r.stacktrace}</pre></details></td>
          <td>${r.task ?? '–'}</td><td class="mono">${r.location ?? '–'}</td>
        </tr>`)}
      </tbody>
    </table>`;
}
