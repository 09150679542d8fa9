// startRestServer: serves a ClusterService over HTTP with Flink-like routes (Hono). Served by
// @hono/node-server on Node and by Deno.serve on Deno. Routes (JSON unless said otherwise):
//   GET   /overview                    the cluster at a glance
//   GET   /jobs/overview               {jobs: JobOverview[]}
//   GET   /jobs/:jid                   JobDetail
//   GET   /jobs/:jid/checkpoints       CheckpointStats
//   GET   /jobs/:jid/result?timeout=ms long-poll: 200 JobResultInfo once terminal, else 202 {status:'IN_PROGRESS'}
//   POST  /jobs?name&parallelism&fromSavepoint&allowNonRestoredState   body: the bundle (octet-stream) -> {jobid}
//   PATCH /jobs/:jid?mode=cancel       202 {} once cancelled
//   POST  /jobs/:jid/savepoints        {"target-directory"} -> {location}, or 202 {status:'IN_PROGRESS', request-id}
//   POST  /jobs/:jid/stop              {targetDirectory, drain} -> {location}, or 202 as above
//   GET   /jobs/:jid/savepoints/:id    long-poll of a savepoint or stop that answered 202
//                                      (a failed one answers {status:'FAILED', errors: [cause]})
//   GET   /taskmanagers                {taskmanagers: TaskManagerInfo[]}
//   metrics, exception and checkpoint histories, Prometheus text at /metrics, actor trees at /actors: see metrics-routes.ts
//   POST/GET/DELETE /collect/:rid       a query's collected rows on their way to the client: see collect-routes.ts
//   GET   /, /dashboard/app.js|css     the web dashboard (dashboard-routes.ts); /dashboard/lifecycles its lifecycle graphs
// Errors are {errors: [message]}: 401 no or a wrong token, 404 unknown job or route, 400 bad input,
// 413 a bundle over the size limit, 503 a standby JobManager asked for what only the leader does,
// 500 a service failure.
//
// Security. With a cluster secret every route, GETs included, needs `Authorization: Bearer <token>`
// (rest-auth.ts derives it from the secret): the reads name jobs, TaskManager addresses and
// failure messages that may carry user data, and the long polls hold server resources, so nothing
// is served to whoever merely reaches the port. Only the dashboard's page, script and stylesheet
// are served without the token: they are the same bytes for every cluster and carry no data; the
// page asks for the token and sends it on every request. The check runs before any route: a refused request
// has its body left unread, reaches no service method (no bundle is stored or imported) and is
// answered 401 on a connection that is then closed; refusals are logged at warn, rate-limited per
// remote address. Without a secret the server binds loopback only (as the RPC port does) and
// refuses any other host. Bundles over `maxBundleBytes` are answered 413 before they are buffered
// whole when the request declares its length, else as soon as the count passes the limit.
// Imports hono, @hono/node-server, the logger, the ClusterService types and rest-auth.ts.
// Just over 400 lines: it is the route table of the whole REST API in one place (as Flink's);
// authentication (rest-auth.ts), metrics routes and the dashboard's assets live apart.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../api/time/clock.ts';
import { logger, RateLimitedLog } from '../observability/logger.ts';
import { isLoopback } from '../remote/remote-address.ts';
import type { ClusterService, JobResultInfo, JobSubmitOptions } from './cluster-service.ts';
import { RestAuthenticator } from './rest-auth.ts';
import { addMetricsRoutes } from './metrics-routes.ts';
import { addCollectRoutes } from './collect-routes.ts';
import { CollectRelay } from './collect-relay.ts';
import { mountDashboardAssets, mountDashboardData } from './dashboard-routes.ts';

/** The largest job bundle a server accepts unless told otherwise: generous for code, small enough to buffer. */
export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const log = logger('rest-server');

/** Options of startRestServer. */
export interface RestServerOptions {
  /** The interface to bind (default 127.0.0.1; anything but loopback needs a secret). */
  readonly host?: string;
  /** The port (0 picks a free one). */
  readonly port: number;
  /** Longest a /result request waits before answering 202 (default 30 s). */
  readonly longPollMs?: number;
  /** Largest job bundle accepted (default DEFAULT_MAX_BUNDLE_BYTES); larger ones are answered 413. */
  readonly maxBundleBytes?: number;
  /** The cluster secret: every request must carry the bearer token derived from it (none: loopback only, no token). */
  readonly secret?: string;
  /** Times the long polls and the refusal log's rate limit (default the wall clock). */
  readonly clock?: Clock;
  /** At most one refusal line per remote address per this many ms (default 10 s). */
  readonly refusalLogIntervalMs?: number;
}

/** A running REST server. */
export interface RestServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, answers pending long polls with 503, closes every connection. */
  close(): Promise<void>;
}

/** A request the server refuses with `status` (thrown inside handlers). */
class HttpError extends Error {
  constructor(readonly status: 400 | 404 | 503, message: string) { super(message); }
}

/** The address a request came from: the socket's on Node, what startRestServer passes on Deno. */
function remoteAddressOf(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; remoteAddress?: string } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddress ?? 'unknown';
}

/** A bounded, printable rendering of a request's method and path (both come from the client). */
function routeOf(c: Context): string {
  const path = new URL(c.req.url).pathname;
  return `${c.req.method.slice(0, 16)} ${path.length > 200 ? `${path.slice(0, 200)}...` : path}`;
}

/** The status a service error maps to: its class, else whether the job exists at all. */
async function statusOf(service: ClusterService, error: unknown, jobId: string | undefined): Promise<number> {
  if (error instanceof HttpError) return error.status;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'UnknownJobError' || name === 'NotFoundError') return 404;
  if (name === 'BadRequestError') return 400;
  if (name === 'NotLeaderError') return 503;
  if (jobId !== undefined) {
    try { if ((await service.jobDetail(jobId)) === undefined) return 404; } catch { /* keep 500 */ }
  }
  return 500;
}

/** The error and its causes on one line, root cause last. */
export function messageChain(error: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = error; cur !== undefined && cur !== null && parts.length < 8; cur = (cur as { cause?: unknown }).cause) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    if (typeof cur !== 'object') break;
  }
  return parts.join(': caused by: ');
}

function positiveIntParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `query parameter ${name} must be a positive integer, got "${value}"`);
  return n;
}

function booleanParam(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new HttpError(400, `query parameter ${name} must be true or false, got "${value}"`);
}

/** The JSON object body of `c` ({} when empty). */
async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try { body = JSON.parse(text); } catch (e) { throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`); }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new HttpError(400, `${key} must be a non-empty string`);
  return v;
}

/** The Hono app serving `service` (exported for tests that call app.request without a socket). */
export function createRestApp(service: ClusterService, options: Omit<RestServerOptions, 'port' | 'host'> = {}): RestApp {
  const clock = options.clock ?? systemClock;
  const longPollMs = options.longPollMs ?? 30_000;
  const maxBundleBytes = options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (!Number.isInteger(maxBundleBytes) || maxBundleBytes < 1) throw new Error(`maxBundleBytes must be a positive integer, got ${maxBundleBytes}`);
  if (options.secret === '') throw new Error('the cluster secret must not be empty');
  const authenticator = options.secret !== undefined ? new RestAuthenticator(options.secret) : undefined;
  const refusals = new RateLimitedLog(options.refusalLogIntervalMs ?? 10_000, () => clock.now());
  /** Logs a refused request (at most once per interval and remote address, counting the rest). */
  const logRefusal = (c: Context, status: number, reason: string): void => {
    const remoteAddress = remoteAddressOf(c);
    refusals.attempt(remoteAddress, (suppressed) => log.warn(`refused a REST request (${status}): ${reason}`, {
      remoteAddress, route: routeOf(c), status, ...(suppressed > 0 ? { suppressed } : {}),
    }));
  };
  /** Ends each pending long poll (at shutdown). */
  const longPolls = new Set<() => void>();
  let shuttingDown = false;
  let inflight = 0;
  let onIdle: (() => void) | undefined;
  const app = new Hono();

  // The dashboard's static assets answer before the token check (registered first, so run first).
  mountDashboardAssets(app);

  // First of all: a request without the token reaches nothing below, its body unread.
  if (authenticator !== undefined) {
    app.use(async (c, next) => {
      const refusal = authenticator.refusal(c.req.header('authorization'));
      if (refusal === undefined) return next();
      logRefusal(c, 401, refusal);
      c.header('www-authenticate', 'Bearer realm="actorflow"');
      c.header('connection', 'close');
      return c.json({ errors: [`unauthorized: ${refusal} (send "Authorization: Bearer <token>", the token derived from the cluster secret ACTORFLOW_CLUSTER_SECRET)`] }, 401);
    });
  }

  app.use(async (c, next) => {
    if (shuttingDown) throw new HttpError(503, 'the REST server is shutting down');
    inflight++;
    try { await next(); } finally { if (--inflight === 0) onIdle?.(); }
  });

  app.onError(async (error, c) => {
    const status = await statusOf(service, error, c.req.param('jid'));
    return c.json({ errors: [messageChain(error)] }, status as 400 | 404 | 500 | 503);
  });
  app.notFound((c) => c.json({ errors: [`not found: ${c.req.method} ${new URL(c.req.url).pathname}`] }, 404));

  /** Waits for `promise` at most `ms` (capped at the long-poll time); a shutdown ends the wait with 503. */
  const waitAtMost = async <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> => {
    let cancel = (): void => {};
    let end = (): void => {};
    const interrupted = new Promise<'timeout' | 'closing'>((resolve) => {
      cancel = clock.schedule(Math.min(ms, longPollMs), () => resolve('timeout'));
      end = () => resolve('closing');
    });
    longPolls.add(end);
    try {
      const outcome = await Promise.race([promise, interrupted]);
      if (outcome === 'closing') throw new HttpError(503, 'the REST server is shutting down');
      return outcome;
    } finally {
      cancel();
      longPolls.delete(end);
    }
  };

  // Savepoints and stops may outlast an HTTP request: the POST answers within the long-poll time,
  // with the location or with 202 and a request id that GET /jobs/:jid/savepoints/:id polls.
  const operations = new Map<string, { readonly jobId: string; readonly done: Promise<string | undefined> }>();
  const forgetTimers = new Set<() => void>();
  let operationCounter = 0;
  const answerOperation = async (c: Context, id: string): Promise<Response> => {
    const operation = operations.get(id)!;
    let outcome: string | undefined | 'timeout';
    try {
      outcome = await waitAtMost(operation.done, longPollMs);
    } catch (error) {
      if (error instanceof HttpError && error.status === 503) throw error;
      operations.delete(id);
      // The savepoint or stop failed (it expired, a subtask declined, ...): FAILED, with its cause.
      const status = await statusOf(service, error, operation.jobId);
      return c.json({ status: 'FAILED', errors: [messageChain(error)] }, status as 400 | 404 | 500 | 503);
    }
    if (outcome === 'timeout') return c.json({ status: 'IN_PROGRESS', 'request-id': id }, 202);
    operations.delete(id);
    return c.json({ location: outcome ?? null });
  };
  const startOperation = (c: Context, jobId: string, done: Promise<string | undefined>): Promise<Response> => {
    const id = `${++operationCounter}`;
    done.catch(() => {}); // reported to whoever polls; never an unhandled rejection
    operations.set(id, { jobId, done });
    // A result nobody comes back for is dropped after a while (or when the server shuts down).
    const forget = (): void => {
      if (shuttingDown) { operations.delete(id); return; }
      const cancel = clock.schedule(10 * longPollMs, () => { forgetTimers.delete(cancel); operations.delete(id); });
      forgetTimers.add(cancel);
    };
    done.then(forget, forget);
    return answerOperation(c, id);
  };

  const known = async (jid: string): Promise<void> => {
    if ((await service.jobDetail(jid)) === undefined) throw new HttpError(404, `no job with id ${jid}`);
  };

  app.get('/overview', async (c) => c.json(await service.overview()));
  mountDashboardData(app);
  app.get('/jobs/overview', async (c) => c.json({ jobs: await service.listJobs() }));
  app.get('/jobs', async (c) => c.json({ jobs: (await service.listJobs()).map((j) => ({ id: j.jid, status: j.state })) }));
  app.get('/taskmanagers', async (c) => c.json({ taskmanagers: await service.taskManagers() }));

  app.get('/jobs/:jid', async (c) => {
    const jid = c.req.param('jid');
    const detail = await service.jobDetail(jid);
    if (detail === undefined) throw new HttpError(404, `no job with id ${jid}`);
    return c.json(detail);
  });

  app.get('/jobs/:jid/checkpoints', async (c) => {
    const jid = c.req.param('jid');
    const stats = await service.checkpoints(jid);
    if (stats === undefined) throw new HttpError(404, `no job with id ${jid}`);
    return c.json(stats);
  });

  app.get('/jobs/:jid/result', async (c) => {
    const jid = c.req.param('jid');
    const timeout = positiveIntParam('timeout', c.req.query('timeout'));
    await known(jid);
    const outcome = await waitAtMost(service.jobResult(jid), timeout ?? longPollMs);
    if (outcome === 'timeout') return c.json({ status: 'IN_PROGRESS' }, 202);
    return c.json(outcome satisfies JobResultInfo);
  });

  /** Checks the query of a submission (before its body is read). */
  const submitOptions = (c: Context): JobSubmitOptions => {
    const q = (k: string): string | undefined => c.req.query(k);
    const name = q('name') ?? 'job';
    if (name.trim() === '') throw new HttpError(400, 'query parameter name must not be empty');
    const submit: JobSubmitOptions = {
      name,
      parallelism: positiveIntParam('parallelism', q('parallelism')),
      fromSavepoint: q('fromSavepoint') || undefined,
      allowNonRestoredState: booleanParam('allowNonRestoredState', q('allowNonRestoredState')),
    };
    return submit;
  };

  // The query is checked before the body is read; the body is read under the size limit.
  app.post('/jobs', async (c, next) => { submitOptions(c); await next(); }, bodyLimit({
    maxSize: maxBundleBytes,
    onError: (c) => {
      logRefusal(c, 413, 'job bundle over the size limit');
      c.header('connection', 'close');
      return c.json({ errors: [`the job bundle is larger than the ${maxBundleBytes} bytes this JobManager accepts (its --max-bundle-mb option)`] }, 413);
    },
  }), async (c) => {
    const submit = submitOptions(c);
    const bundle = new Uint8Array(await c.req.arrayBuffer());
    if (bundle.length === 0) throw new HttpError(400, 'the request body must be the job bundle (application/octet-stream), got an empty body');
    const jobid = await service.submitJob(bundle, submit);
    return c.json({ jobid }, 202);
  });

  app.patch('/jobs/:jid', async (c) => {
    const jid = c.req.param('jid');
    const mode = c.req.query('mode') ?? 'cancel';
    if (mode !== 'cancel') throw new HttpError(400, `unsupported mode "${mode}" (only "cancel")`);
    await service.cancelJob(jid);
    return c.json({}, 202);
  });

  app.post('/jobs/:jid/savepoints', async (c) => {
    const jid = c.req.param('jid');
    const body = await jsonBody(c);
    return startOperation(c, jid, service.triggerSavepoint(jid, optionalString(body, 'target-directory')));
  });

  app.get('/jobs/:jid/savepoints/:requestId', async (c) => {
    const jid = c.req.param('jid'), id = c.req.param('requestId');
    if (operations.get(id)?.jobId !== jid) {
      await known(jid);
      throw new HttpError(404, `no pending savepoint or stop request ${id} of job ${jid}`);
    }
    return answerOperation(c, id);
  });

  app.post('/jobs/:jid/stop', async (c) => {
    const jid = c.req.param('jid');
    const body = await jsonBody(c);
    const drain = body.drain;
    if (drain !== undefined && typeof drain !== 'boolean') throw new HttpError(400, 'drain must be true or false');
    return startOperation(c, jid, service.stopJob(jid, { savepointDirectory: optionalString(body, 'targetDirectory'), drain }));
  });

  addMetricsRoutes(app, service);
  addCollectRoutes(app, new CollectRelay({ clock }), { waitAtMost, longPollMs, clock });

  return {
    app,
    shutdown: () => {
      shuttingDown = true;
      for (const end of longPolls) end();
      for (const cancel of forgetTimers) cancel();
      forgetTimers.clear();
      if (inflight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => { onIdle = resolve; });
    },
  };
}

/** The app and its shutdown (refuse new requests, end long polls, resolve when none is in flight). */
export interface RestApp { readonly app: Hono; shutdown(): Promise<void> }

/** Deno's HTTP server, as far as this file uses it. */
interface DenoServer { readonly addr: { port: number }; shutdown(): Promise<void> }
interface DenoServe {
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void; signal?: AbortSignal },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>): DenoServer;
}

/** Serves `service` on host:port (loopback by default); resolves once listening. */
export async function startRestServer(service: ClusterService, options: RestServerOptions): Promise<RestServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.secret === undefined && !isLoopback(host)) {
    throw new Error(`serving REST on ${host} needs a cluster secret (ACTORFLOW_CLUSTER_SECRET); without one only loopback is allowed`);
  }
  const { app, shutdown } = createRestApp(service, options);
  const urlOf = (port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (deno !== undefined) {
    const server = deno.serve({ port: options.port, hostname: host, onListen: () => {} }, (request, info) => app.fetch(request, { remoteAddress: info.remoteAddr.hostname }));
    const port = server.addr.port;
    let closed: Promise<void> | undefined;
    return {
      url: urlOf(port), port,
      close: () => closed ??= (async () => { await shutdown(); await server.shutdown(); })(),
    };
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: urlOf(port), port,
    close: () => closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Pending long polls answer 503 first; then every (keep-alive) connection is cut.
      await shutdown();
      await new Promise<void>((resolve) => setImmediate(resolve));
      server.closeAllConnections();
      await stopped;
    })(),
  };
}
