// RestClient: a ClusterService over HTTP: each method is one request to a JobManager's REST API
// (rest-server.ts lists the routes), with fetch (Node 20 and Deno have it). A failed request
// rejects with a RestError carrying the server's message; an unknown job with UnknownJobError.
// With a cluster secret (given, else ACTORFLOW_CLUSTER_SECRET, as the RPC side reads it) every
// request carries the bearer token derived from it (rest-auth.ts), never the secret itself.
// Imports the ClusterService types and rest-auth.ts.
import {
  UnknownJobError, type CheckpointStats, type ClusterOverview, type ClusterService, type JobDetail, type JobOverview,
  type JobResultInfo, type JobSubmitOptions, type TaskManagerInfo,
} from './cluster-service.ts';
import { clusterSecretOf, restAuthorization } from './rest-auth.ts';

/** A request the REST API answered with an error status (or could not be sent). */
export class RestError extends Error {
  override readonly name = 'RestError';
  /** The HTTP status, or 0 when the server could not be reached. */
  constructor(readonly status: number, message: string, options?: { cause?: unknown }) { super(message, options); }
}

/** The answer to a savepoint or stop: done, or still running under a request id. */
interface OperationReply { location?: string | null; status?: 'IN_PROGRESS'; 'request-id'?: string }

/** A JobManager's REST API as a ClusterService. */
export class RestClient implements ClusterService {
  readonly baseUrl: string;
  /** The Authorization header sent with every request (none without a secret). */
  private readonly authorization: string | undefined;

  /** `baseUrl`: e.g. `http://127.0.0.1:8081`; `secret`: the cluster secret (default env ACTORFLOW_CLUSTER_SECRET). */
  constructor(baseUrl: string, options: { secret?: string } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    const secret = clusterSecretOf(options.secret);
    this.authorization = secret !== undefined ? restAuthorization(secret) : undefined;
  }

  overview(): Promise<ClusterOverview> {
    return this.request('GET', '/overview');
  }

  async listJobs(): Promise<JobOverview[]> {
    return (await this.request<{ jobs: JobOverview[] }>('GET', '/jobs/overview')).jobs;
  }

  jobDetail(jobId: string): Promise<JobDetail | undefined> {
    return this.lookup(`/jobs/${encodeURIComponent(jobId)}`);
  }

  checkpoints(jobId: string): Promise<CheckpointStats | undefined> {
    return this.lookup(`/jobs/${encodeURIComponent(jobId)}/checkpoints`);
  }

  async submitJob(bundle: Uint8Array, options: JobSubmitOptions): Promise<string> {
    const query = new URLSearchParams({ name: options.name });
    if (options.parallelism !== undefined) query.set('parallelism', String(options.parallelism));
    if (options.fromSavepoint !== undefined) query.set('fromSavepoint', options.fromSavepoint);
    if (options.allowNonRestoredState !== undefined) query.set('allowNonRestoredState', String(options.allowNonRestoredState));
    const reply = await this.request<{ jobid: string }>('POST', `/jobs?${query}`, { body: bundle, contentType: 'application/octet-stream' });
    return reply.jobid;
  }

  /** Long-polls until the job is terminal (each request waits at most the server's long-poll time). */
  async jobResult(jobId: string): Promise<JobResultInfo> {
    for (;;) {
      const reply = await this.request<JobResultInfo | { status: 'IN_PROGRESS' }>('GET', `/jobs/${encodeURIComponent(jobId)}/result`, { jobId });
      if (!('status' in reply && reply.status === 'IN_PROGRESS')) return reply as JobResultInfo;
    }
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.request('PATCH', `/jobs/${encodeURIComponent(jobId)}?mode=cancel`, { jobId });
  }

  async triggerSavepoint(jobId: string, directory?: string): Promise<string> {
    const reply = await this.request<OperationReply>('POST', `/jobs/${encodeURIComponent(jobId)}/savepoints`,
      { jobId, json: directory === undefined ? {} : { 'target-directory': directory } });
    const location = await this.completion(jobId, reply);
    if (location === undefined) throw new RestError(500, `the savepoint of job ${jobId} completed without a location`);
    return location;
  }

  async stopJob(jobId: string, options: { savepointDirectory?: string; drain?: boolean }): Promise<string | undefined> {
    const reply = await this.request<OperationReply>('POST', `/jobs/${encodeURIComponent(jobId)}/stop`,
      { jobId, json: { targetDirectory: options.savepointDirectory, drain: options.drain } });
    return this.completion(jobId, reply);
  }

  async taskManagers(): Promise<TaskManagerInfo[]> {
    return (await this.request<{ taskmanagers: TaskManagerInfo[] }>('GET', '/taskmanagers')).taskmanagers;
  }

  /** Polls a savepoint or stop that answered 202 until it completes; resolves with its location. */
  private async completion(jobId: string, reply: OperationReply): Promise<string | undefined> {
    while (reply.status === 'IN_PROGRESS') {
      reply = await this.request<OperationReply>('GET', `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(reply['request-id']!)}`, { jobId });
    }
    return reply.location ?? undefined;
  }

  /** GET of a job's resource: undefined on 404. */
  private async lookup<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (e) {
      if (e instanceof RestError && e.status === 404) return undefined;
      throw e;
    }
  }

  private async request<T>(method: string, path: string, options: { jobId?: string; json?: unknown; body?: Uint8Array; contentType?: string } = {}): Promise<T> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    let body: RequestInit['body'];
    if (options.json !== undefined) { body = JSON.stringify(options.json); headers['content-type'] = 'application/json'; }
    if (options.body !== undefined) { body = options.body as RequestInit['body']; headers['content-type'] = options.contentType ?? 'application/octet-stream'; }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (e) {
      const cause = (e as { cause?: { message?: string; code?: string } }).cause;
      if (cause?.code === 'UND_ERR_HEADERS_TIMEOUT') {
        throw new RestError(0, `the JobManager's REST API at ${this.baseUrl} did not answer ${method} ${path} in time`, { cause: e });
      }
      throw new RestError(0, `cannot reach the JobManager's REST API at ${this.baseUrl} (${method} ${path}): ${cause?.message ?? (e as Error).message}`, { cause: e });
    }
    const text = await response.text();
    let parsed: unknown;
    try { parsed = text === '' ? undefined : JSON.parse(text); } catch { parsed = undefined; }
    if (response.ok) {
      if (parsed === undefined && text !== '') throw new RestError(response.status, `${method} ${path}: the server answered with a body that is not JSON: ${text.slice(0, 200)}`);
      return parsed as T;
    }
    const errors = (parsed as { errors?: unknown } | undefined)?.errors;
    const message = Array.isArray(errors) && errors.length > 0 ? errors.join('; ') : `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (response.status === 404 && options.jobId !== undefined) throw new UnknownJobError(options.jobId, message);
    if (response.status === 401) {
      throw new RestError(401, `${message}; ${this.authorization === undefined
        ? 'this client has no cluster secret: set ACTORFLOW_CLUSTER_SECRET to the cluster\'s'
        : 'this client\'s ACTORFLOW_CLUSTER_SECRET is not the cluster\'s'}`);
    }
    throw new RestError(response.status, message);
  }
}
