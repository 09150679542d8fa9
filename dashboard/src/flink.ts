// The JSON the dashboard reads, in Flink's REST shapes, and the functions that turn it into what
// the views draw. The parsers accept what a route may reasonably answer (Flink's documented shape,
// and this project's smaller ones where it has them) and return `undefined` or empty lists rather
// than throwing on a shape they do not know, so a view shows "no data" instead of breaking.
// Pure functions, no DOM (the tests run them on Node and Deno).

/** GET /overview */
export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
}

/** One line of GET /jobs/overview. */
export interface JobOverview { jid: string; name: string; state: string; 'start-time': number; 'end-time': number; duration: number }

/** One subtask in GET /jobs/:jid. */
export interface SubtaskDetail { subtask: number; status: string; taskmanager: string; attempt: number }

/** One vertex in GET /jobs/:jid. */
export interface VertexDetail { id: string; name: string; parallelism: number; subtasks: SubtaskDetail[] }

/** One node of a job's plan (Flink's `plan.nodes[]`): its inputs are the graph's edges. */
export interface PlanNode { id: string; inputs?: { num: number; id: string; ship_strategy?: string }[] }

/** GET /jobs/:jid */
export interface JobDetail {
  jid: string; name: string; state: string; 'start-time': number; duration: number;
  vertices: VertexDetail[];
  plan?: { nodes: PlanNode[] };
}

/** One line of GET /taskmanagers. */
export interface TaskManagerInfo { id: string; address: string; slotsNumber: number; freeSlots: number; lastHeartbeat: number }

/** One edge of a job graph. */
export interface GraphEdge { source: string; target: string; label: string }

/** The edges of a job's plan (none when the detail carries no plan). */
export function planEdges(detail: JobDetail): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const node of detail.plan?.nodes ?? []) {
    for (const input of node.inputs ?? []) edges.push({ source: String(input.id), target: String(node.id), label: input.ship_strategy ?? '' });
  }
  return edges;
}

/** A metric list answer: Flink's `[{id, value}]` (values are strings) or aggregated `[{id, min, max, avg, sum}]`. */
export type MetricList = { id: string; value?: string | number; min?: number | string; max?: number | string; avg?: number | string; sum?: number | string }[];

/** Values by metric id of a `[{id, value}]` answer (non-numeric values are left out). */
export function metricValues(list: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(list)) return out;
  for (const m of list as MetricList) {
    if (typeof m?.id !== 'string') continue;
    const v = typeof m.value === 'string' ? Number(m.value) : m.value;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(m.id, v);
  }
  return out;
}

/** The names the dashboard asks each vertex for. */
export const VERTEX_METRICS = [
  'numRecordsInPerSecond', 'numRecordsOutPerSecond', 'busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond',
  'idleTimeMsPerSecond', 'currentInputWatermark', 'currentOutputWatermark',
] as const;

/** A vertex's figures across its subtasks; undefined where no metric answered. */
export interface VertexFigures {
  recordsInPerSecond?: number;
  recordsOutPerSecond?: number;
  /** Busy share of the busiest subtask, 0..1 (Flink colours a vertex by its busiest subtask). */
  busy?: number;
  /** Back-pressured share of the most back-pressured subtask, 0..1. */
  backPressured?: number;
  /** The lowest input watermark among the subtasks (Flink's "low watermark"). */
  watermark?: number;
}

/** No watermark yet: Flink reports Long.MIN_VALUE; anything at or below this means none. */
const NO_WATERMARK = -9_223_372_036_854_775_000;

function watermarkOf(v: number | undefined): number | undefined {
  return v === undefined || v <= NO_WATERMARK || !Number.isFinite(v) ? undefined : v;
}

/**
 * A vertex's figures from GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=...&agg=min,max,sum
 * (Flink's aggregated shape), or from a plain `[{id, value}]` answer whose ids are either the
 * names themselves or `<subtask>.<name>` (Flink's vertex metrics route).
 */
export function vertexFigures(list: unknown): VertexFigures {
  if (!Array.isArray(list)) return {};
  const agg = new Map<string, { min?: number; max?: number; sum?: number }>();
  for (const m of list as MetricList) {
    if (typeof m?.id !== 'string') continue;
    if (m.min !== undefined || m.max !== undefined || m.sum !== undefined) {
      // Flink renders values that are no finite double (a watermark of Long.MIN_VALUE) as strings.
      const n = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v));
      agg.set(m.id, { min: n(m.min), max: n(m.max), sum: n(m.sum) });
      continue;
    }
    const v = Number(m.value);
    if (m.value === undefined || !Number.isFinite(v)) continue;
    const name = m.id.replace(/^\d+\./, '');
    const a = agg.get(name) ?? {};
    agg.set(name, { min: Math.min(a.min ?? v, v), max: Math.max(a.max ?? v, v), sum: (a.sum ?? 0) + v });
  }
  const ratio = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.max(0, Math.min(1, x / 1000)));
  return {
    recordsInPerSecond: agg.get('numRecordsInPerSecond')?.sum,
    recordsOutPerSecond: agg.get('numRecordsOutPerSecond')?.sum,
    busy: ratio(agg.get('busyTimeMsPerSecond')?.max),
    backPressured: ratio(agg.get('backPressuredTimeMsPerSecond')?.max),
    watermark: watermarkOf(agg.get('currentInputWatermark')?.min) ?? watermarkOf(agg.get('currentOutputWatermark')?.min),
  };
}

/** Per subtask: the values of `<subtask>.<name>` ids in a vertex metrics answer. */
export function subtaskValues(list: unknown, subtasks: number): Map<string, number>[] {
  const values = metricValues(list);
  return Array.from({ length: subtasks }, (_, i) => {
    const out = new Map<string, number>();
    for (const [id, v] of values) if (id.startsWith(`${i}.`)) out.set(id.slice(String(i).length + 1), v);
    return out;
  });
}

/** GET /jobs/:jid/vertices/:vid/backpressure, as far as the dashboard uses it. */
export interface BackPressureInfo {
  'backpressure-level'?: string;
  subtasks?: { subtask: number; 'backpressure-level'?: string; ratio?: number; busyRatio?: number; idleRatio?: number }[];
}

/** The back-pressured share (0..1) of a vertex's worst subtask from its backpressure answer. */
export function backPressureRatio(info: unknown): number | undefined {
  const subtasks = (info as BackPressureInfo | undefined)?.subtasks;
  if (!Array.isArray(subtasks) || subtasks.length === 0) return undefined;
  const ratios = subtasks.map((s) => s.ratio).filter((r): r is number => typeof r === 'number');
  return ratios.length ? Math.max(...ratios) : undefined;
}

/** One row of the checkpoint table. */
export interface CheckpointRow {
  id: number; status: string; savepoint: boolean; triggered?: number; latestAck?: number;
  durationMs?: number; sizeBytes?: number; alignmentMs?: number; alignmentBytes?: number; acknowledged?: number; subtasks?: number;
  /** Why a failed checkpoint failed. */
  failure?: string;
  /** Per vertex: its subtasks' acknowledgements (Flink's `tasks` of a history entry). */
  vertices: CheckpointVertexRow[];
}

/** One vertex's part of a checkpoint. */
export interface CheckpointVertexRow {
  vertexId: string; acknowledged?: number; subtasks?: number; sizeBytes?: number; durationMs?: number; alignmentMs?: number;
}

/** Counts and rows of GET /jobs/:jid/checkpoints (Flink's `history`, else this project's `latest`). */
export function checkpointRows(json: unknown): { counts?: Record<string, number>; rows: CheckpointRow[] } {
  const j = (json ?? {}) as Record<string, any>;
  const counts = j.counts && typeof j.counts === 'object' ? j.counts as Record<string, number> : undefined;
  const history: any[] = Array.isArray(j.history) ? j.history : [];
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const rows: CheckpointRow[] = history.map((c) => ({
    id: Number(c.id), status: String(c.status ?? ''), savepoint: c.is_savepoint === true || c.savepoint === true,
    triggered: num(c.trigger_timestamp), latestAck: num(c.latest_ack_timestamp),
    durationMs: num(c.end_to_end_duration), sizeBytes: num(c.state_size) ?? num(c.checkpointed_size),
    alignmentMs: num(c.alignment_duration), alignmentBytes: num(c.alignment_buffered) ?? num(c.processed_data),
    acknowledged: num(c.num_acknowledged_subtasks), subtasks: num(c.num_subtasks),
    failure: typeof c.failure_message === 'string' ? c.failure_message : undefined,
    vertices: Object.entries((c.tasks ?? {}) as Record<string, any>).map(([vertexId, t]) => ({
      vertexId, acknowledged: num(t?.num_acknowledged_subtasks), subtasks: num(t?.num_subtasks), sizeBytes: num(t?.state_size),
      durationMs: num(t?.end_to_end_duration), alignmentMs: num(t?.alignment_duration),
    })),
  }));
  if (rows.length === 0) {
    // This project's short shape `latest: {id, 'end-to-end-duration', 'state-size'}`, or Flink's `latest.completed`.
    const latest = j.latest?.completed ?? j.latest;
    if (latest && typeof latest.id === 'number') {
      rows.push({
        id: latest.id, status: String(latest.status ?? 'COMPLETED'), savepoint: latest.is_savepoint === true,
        triggered: num(latest.trigger_timestamp), durationMs: num(latest['end-to-end-duration']) ?? num(latest.end_to_end_duration),
        sizeBytes: num(latest['state-size']) ?? num(latest.state_size), vertices: [],
      });
    }
  }
  return { counts, rows: rows.sort((a, b) => b.id - a.id) };
}

/** One row of the exception table. */
export interface ExceptionRow { time?: number; name: string; task?: string; location?: string; stacktrace: string }

/** Rows of GET /jobs/:jid/exceptions: Flink's `exceptionHistory.entries`, else `all-exceptions`, else the root exception. */
export function exceptionRows(json: unknown): ExceptionRow[] {
  const j = (json ?? {}) as Record<string, any>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const entries: any[] = Array.isArray(j.exceptionHistory?.entries) ? j.exceptionHistory.entries : [];
  if (entries.length) {
    return entries.map((e) => ({
      time: num(e.timestamp), name: firstLine(e.stacktrace) || String(e.exceptionName ?? ''), task: e.taskName ?? undefined,
      location: e.location ?? e.endpoint ?? e.taskManagerId ?? undefined, stacktrace: String(e.stacktrace ?? ''),
    }));
  }
  const all: any[] = Array.isArray(j['all-exceptions']) ? j['all-exceptions'] : [];
  if (all.length) {
    return all.map((e) => ({ time: num(e.timestamp), name: firstLine(e.exception), task: e.task, location: e.location, stacktrace: String(e.exception ?? '') }));
  }
  if (typeof j['root-exception'] === 'string' && j['root-exception'] !== '') {
    return [{ time: num(j.timestamp), name: firstLine(j['root-exception']), stacktrace: j['root-exception'] }];
  }
  return [];
}

function firstLine(text: unknown): string {
  return String(text ?? '').split('\n', 1)[0];
}
