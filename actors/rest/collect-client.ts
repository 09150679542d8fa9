// CollectClient: both ends of the collect routes (collect-routes.ts) over HTTP. A collect sink in a
// TaskManager pushes batches (retrying while the result is full: the backpressure); the SQL client
// fetches pages from an offset and closes the result when done. Every request carries the bearer
// token of the process's cluster secret (given, else ACTORFLOW_CLUSTER_SECRET). Imports the codec
// and rest-auth.ts.
import { decode, encode } from '../network/codec.ts';
import { clusterSecretOf, restAuthorization } from './rest-auth.ts';
import { RestError } from './rest-client.ts';

/** One fetched page of a result. */
export interface CollectPage { readonly offset: number; readonly rows: unknown[] }

/** What pushing a batch ended with: taken (or taken before), or the client closed the result. */
export type PushResult = 'accepted' | 'closed';

/** Talks to the collect routes of the REST server at `baseUrl`. */
export class CollectClient {
  readonly baseUrl: string;
  private readonly authorization: string | undefined;

  constructor(baseUrl: string, options: { secret?: string } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    const secret = clusterSecretOf(options.secret);
    this.authorization = secret !== undefined ? restAuthorization(secret) : undefined;
  }

  /**
   * Pushes a batch of rows into result `rid`; resolves once it is taken (or was taken before) or
   * the client closed the result. While the result is full the server holds the request for up to
   * its long-poll time and the push is retried, so a slow client slows the sink down.
   */
  async push(rid: string, batch: string, rows: readonly unknown[]): Promise<PushResult> {
    const body = encode({ batch, rows });
    for (;;) {
      const res = await this.send('POST', `/collect/${encodeURIComponent(rid)}`, body);
      if (res.status === 410) { await res.body?.cancel(); return 'closed'; }
      if (res.status === 202) { await res.body?.cancel(); continue; } // full: the server waited; ask again
      if (!res.ok) throw await this.error(res, `push a batch to result ${rid}`);
      await res.body?.cancel();
      return 'accepted';
    }
  }

  /** Acknowledges rows before `offset` and fetches up to `max` rows from there, waiting up to `timeoutMs` for some. */
  async fetch(rid: string, offset: number, options: { timeoutMs?: number; max?: number } = {}): Promise<CollectPage> {
    const query = new URLSearchParams({ offset: String(offset), timeout: String(options.timeoutMs ?? 0) });
    if (options.max !== undefined) query.set('max', String(options.max));
    const res = await this.send('GET', `/collect/${encodeURIComponent(rid)}?${query}`);
    if (!res.ok) throw await this.error(res, `fetch result ${rid}`);
    return decode(new Uint8Array(await res.arrayBuffer())) as CollectPage;
  }

  /** Drops result `rid` on the server; sinks still pushing to it are told it is closed. */
  async close(rid: string): Promise<void> {
    const res = await this.send('DELETE', `/collect/${encodeURIComponent(rid)}`);
    if (!res.ok) throw await this.error(res, `close result ${rid}`);
    await res.body?.cancel();
  }

  private async send(method: string, path: string, body?: Uint8Array): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    if (body !== undefined) headers['content-type'] = 'application/x-msgpack';
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, headers, body: body as unknown as ConstructorParameters<typeof Response>[0] });
    } catch (e) {
      throw new RestError(0, `cannot reach the REST API at ${this.baseUrl}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async error(res: Response, what: string): Promise<RestError> {
    let message = `HTTP ${res.status}`;
    try {
      const body = await res.json() as { errors?: unknown };
      if (Array.isArray(body.errors) && body.errors.length > 0) message = body.errors.join('; ');
    } catch { /* not JSON */ }
    return new RestError(res.status, `cannot ${what}: ${message}`);
  }
}
