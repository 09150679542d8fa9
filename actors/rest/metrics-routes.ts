// The REST routes of metrics, exception and checkpoint histories, in Flink's shapes:
//   GET /jobs/:jid/metrics?get=a,b                       [{id, value}] (without get: [{id}], the names)
//   GET /jobs/:jid/vertices/:vid/metrics?get=0.a,1.b     per subtask, ids `<subtask>.<metric>`
//   GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=a&agg=min,max,avg,sum&subtasks=0-2,4
//                                                        [{id, min, max, avg, sum}] over the subtasks
//   GET /jobs/:jid/vertices/:vid/subtasks/:index/metrics?get=a
//   GET /jobs/:jid/vertices/:vid/backpressure            {status, backpressure-level, end-timestamp, subtasks}
//   GET /jobs/:jid/exceptions                            {root-exception, timestamp, exceptionHistory: {entries}}
//   GET /jobs/:jid/checkpoints/details/:cid              one checkpoint of the history, with its vertices
//   GET /jobs/:jid/checkpoints/details/:cid/subtasks/:vid   that vertex's subtasks' acknowledgements
//   GET /jobmanager/metrics, /taskmanagers/:tmid/metrics ?get=
//   GET /metrics                                         Prometheus text
//   GET /actors?timeout=ms&maxActors=n                   the JobManager's and each TaskManager's actor tree
// Values are strings, as Flink's are; a watermark before the first one is Flink's Long.MIN_VALUE.
// The routes are added to the app after its authentication: they need the token like every other.
// Imports hono types and the ClusterService types.
import type { Context, Hono } from 'hono';
import type { CheckpointEntry } from '../observability/checkpoint-history.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../observability/prometheus-text.ts';
import type { ClusterService, MetricsSource, MetricValues, VertexMetrics } from './cluster-service.ts';

/** A request for something that is not there (the app answers 404 with the message). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A metric value as Flink renders it: watermarks at ±Infinity become Long.MIN/MAX_VALUE. */
export function metricValueString(value: number): string {
  if (value === -Infinity) return '-9223372036854775808';
  if (value === Infinity) return '9223372036854775807';
  return String(value);
}

/** The `get` parameter's ids, or undefined when absent. */
function requested(c: Context): string[] | undefined {
  const get = c.req.query('get');
  if (get === undefined) return undefined;
  return get.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Flink's answer for a flat set of metrics: the names without `get`, else the values asked for that exist. */
function answer(c: Context, values: MetricValues): Response {
  const ids = requested(c);
  if (ids === undefined) return c.json(Object.keys(values).map((id) => ({ id })));
  return c.json(ids.filter((id) => Object.hasOwn(values, id)).map((id) => ({ id, value: metricValueString(values[id]) })));
}

/** The metrics of every subtask as one flat set, ids `<subtask>.<metric>`. */
function flatten(vertex: VertexMetrics): MetricValues {
  const out: MetricValues = {};
  for (const { subtask, metrics } of vertex.subtasks) for (const [name, value] of Object.entries(metrics ?? {})) out[`${subtask}.${name}`] = value;
  return out;
}

/** Parses `subtasks=0-2,4` into a set of indexes (undefined: all). */
function subtaskFilter(value: string | undefined): Set<number> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const out = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new BadRequest(`query parameter subtasks must be indexes or ranges such as 0-2,4, got "${value}"`);
    const from = Number(m[1]), to = m[2] !== undefined ? Number(m[2]) : from;
    for (let i = from; i <= to && i - from < 100_000; i++) out.add(i);
  }
  return out;
}

const AGGREGATES = ['min', 'max', 'avg', 'sum'] as const;
type Aggregate = typeof AGGREGATES[number];

/** A request the routes refuse (the app answers 400 with the message). */
class BadRequest extends Error {
  override readonly name = 'BadRequestError';
}

/** Flink's back-pressure level of a ratio of time back-pressured. */
export function backPressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

/** How long GET /actors waits for each TaskManager's tree by default (`?timeout=` overrides). */
export const DEFAULT_ACTORS_TIMEOUT_MS = 2000;

/** How many actors of each system GET /actors lists by default (`?maxActors=` overrides; totals count all). */
export const DEFAULT_MAX_ACTORS = 2000;

/** An integer query parameter within [min, max], `fallback` when absent; 400 otherwise. */
function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new BadRequest(`query parameter ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Adds the metric routes to `app` (404 on each when `service` has no metrics). */
export function addMetricsRoutes(app: Hono, service: ClusterService): void {
  const source = (): MetricsSource => {
    if (service.metrics === undefined) throw new NotFoundError('this JobManager keeps no metrics');
    return service.metrics;
  };
  const vertexOf = async (c: Context): Promise<VertexMetrics> => {
    const jid = c.req.param('jid')!, vid = c.req.param('vid')!;
    const vertex = await source().vertexMetrics(jid, vid);
    if (vertex === undefined) throw new NotFoundError(`job ${jid} has no vertex ${vid}`);
    return vertex;
  };

  app.get('/jobs/:jid/metrics', async (c) => {
    const jid = c.req.param('jid');
    const values = await source().jobMetrics(jid);
    if (values === undefined) throw new NotFoundError(`no job with id ${jid}`);
    return answer(c, values);
  });

  app.get('/jobs/:jid/vertices/:vid/metrics', async (c) => answer(c, flatten(await vertexOf(c))));

  app.get('/jobs/:jid/vertices/:vid/subtasks/metrics', async (c) => {
    const vertex = await vertexOf(c);
    const only = subtaskFilter(c.req.query('subtasks'));
    const agg = (c.req.query('agg') ?? AGGREGATES.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const a of agg) if (!AGGREGATES.includes(a as Aggregate)) throw new BadRequest(`query parameter agg must be among ${AGGREGATES.join(', ')}, got "${a}"`);
    const chosen = vertex.subtasks.filter((s) => s.metrics !== undefined && (only === undefined || only.has(s.subtask)));
    const names = new Set<string>();
    for (const s of chosen) for (const name of Object.keys(s.metrics!)) names.add(name);
    const ids = requested(c);
    if (ids === undefined) return c.json([...names].map((id) => ({ id })));
    return c.json(ids.filter((id) => names.has(id)).map((id) => {
      const values = chosen.map((s) => s.metrics![id]).filter((v) => v !== undefined);
      const sum = values.reduce((a, b) => a + b, 0);
      const all: Record<Aggregate, number> = { min: Math.min(...values), max: Math.max(...values), avg: values.length > 0 ? sum / values.length : 0, sum };
      const out: Record<string, unknown> = { id };
      for (const a of agg) out[a] = Number.isFinite(all[a as Aggregate]) ? all[a as Aggregate] : metricValueString(all[a as Aggregate]);
      return out;
    }));
  });

  app.get('/jobs/:jid/vertices/:vid/subtasks/:index/metrics', async (c) => {
    const vertex = await vertexOf(c);
    const index = Number(c.req.param('index'));
    const subtask = vertex.subtasks.find((s) => s.subtask === index);
    if (subtask === undefined) throw new NotFoundError(`vertex ${vertex.id} has no subtask ${c.req.param('index')}`);
    return answer(c, subtask.metrics ?? {});
  });

  app.get('/jobs/:jid/vertices/:vid/backpressure', async (c) => {
    const vertex = await vertexOf(c);
    const subtasks = vertex.subtasks.map(({ subtask, attempt, metrics }) => {
      const ratio = (metrics?.backPressuredTimeMsPerSecond ?? 0) / 1000;
      return {
        subtask, 'attempt-number': attempt, 'backpressure-level': backPressureLevel(ratio), ratio,
        idleRatio: (metrics?.idleTimeMsPerSecond ?? 0) / 1000, busyRatio: (metrics?.busyTimeMsPerSecond ?? 0) / 1000,
      };
    });
    const worst = subtasks.reduce((m, s) => Math.max(m, s.ratio), 0);
    return c.json({ status: 'ok', 'backpressure-level': backPressureLevel(worst), 'end-timestamp': Date.now(), subtasks });
  });

  app.get('/jobs/:jid/exceptions', async (c) => {
    const jid = c.req.param('jid');
    const exceptions = await source().exceptions(jid);
    if (exceptions === undefined) throw new NotFoundError(`no job with id ${jid}`);
    return c.json(exceptions);
  });

  const checkpointOf = async (c: Context): Promise<CheckpointEntry> => {
    const jid = c.req.param('jid')!, cid = Number(c.req.param('cid'));
    const stats = await service.checkpoints(jid);
    if (stats === undefined) throw new NotFoundError(`no job with id ${jid}`);
    const entry = stats.history?.find((e) => e.id === cid);
    if (entry === undefined) throw new NotFoundError(`job ${jid} has no checkpoint ${c.req.param('cid')} in its history`);
    return entry;
  };
  app.get('/jobs/:jid/checkpoints/details/:cid', async (c) => c.json(await checkpointOf(c)));
  app.get('/jobs/:jid/checkpoints/details/:cid/subtasks/:vid', async (c) => {
    const entry = await checkpointOf(c);
    const task = entry.tasks[c.req.param('vid')];
    if (task === undefined) throw new NotFoundError(`checkpoint ${entry.id} has no vertex ${c.req.param('vid')}`);
    return c.json({ ...task, status: entry.status });
  });

  app.get('/jobmanager/metrics', async (c) => answer(c, await source().jobManagerMetrics()));

  app.get('/taskmanagers/:tmid/metrics', async (c) => {
    const id = c.req.param('tmid');
    const values = await source().taskManagerMetrics(id);
    if (values === undefined) throw new NotFoundError(`no TaskManager with id ${id}`);
    return answer(c, values);
  });

  app.get('/actors', async (c) => {
    const actorSystems = source().actorSystems;
    if (actorSystems === undefined) throw new NotFoundError('this JobManager gives no actor trees');
    const timeoutMs = intParam(c, 'timeout', DEFAULT_ACTORS_TIMEOUT_MS, 1, 60_000);
    const maxActors = intParam(c, 'maxActors', DEFAULT_MAX_ACTORS, 0, 1_000_000);
    return c.json(await actorSystems.call(source(), { timeoutMs, maxActors }));
  });

  app.get('/metrics', async (c) => c.body(await source().prometheus(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }));
}
