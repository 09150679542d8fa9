// The REST routes of collected results (CollectRelay), behind the same bearer token as every route:
//   POST   /collect/:rid?timeout=ms          a sink's batch (msgpack {batch, rows}); waits for room at
//                                            most the long-poll time: {status: ACCEPTED | DUPLICATE},
//                                            202 {status: FULL} (retry), 410 when the client closed it
//   GET    /collect/:rid?offset=n&max=&timeout=ms  acknowledges rows before n, answers msgpack
//                                            {offset, rows}, waiting for rows at most the timeout
//   DELETE /collect/:rid                      the client is done: the result is dropped
// Bodies are msgpack (the codec's), so values such as binary strings and big integers keep their
// type. Imports Hono, the codec and the relay.
import type { Context, Hono } from 'hono';
import type { Clock } from '../../api/time/clock.ts';
import { decode, encode } from '../network/codec.ts';
import type { CollectRelay } from './collect-relay.ts';

/** The largest batch body accepted. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Rows one fetch returns at most. */
const DEFAULT_FETCH_ROWS = 5_000;

/** Waits for `promise` at most `ms` (the server's long-poll wait, which also ends it at shutdown). */
export type WaitAtMost = <T>(promise: Promise<T>, ms: number) => Promise<T | 'timeout'>;

/** A result id: what a client draws (a UUID or longer random text). */
function resultId(c: Context): string {
  const rid = c.req.param('rid') ?? '';
  if (!/^[A-Za-z0-9_-]{16,80}$/.test(rid)) throw new CollectRequestError(400, `a result id is 16 to 80 letters, digits, '-' or '_', got '${rid.slice(0, 100)}'`);
  return rid;
}

/** A refused collect request. */
export class CollectRequestError extends Error {
  constructor(readonly status: 400 | 410 | 413, message: string) { super(message); }
}

/** A non-negative integer query parameter, or `dflt` when absent. */
function intParam(c: Context, name: string, dflt: number): number {
  const v = c.req.query(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new CollectRequestError(400, `query parameter ${name} must be a non-negative integer, got '${v}'`);
  return n;
}

function msgpack(body: unknown, status = 200): Response {
  return new Response(encode(body) as unknown as ConstructorParameters<typeof Response>[0], { status, headers: { 'content-type': 'application/x-msgpack' } });
}

function refusal(e: unknown): Response | undefined {
  if (e instanceof CollectRequestError) return Response.json({ errors: [e.message] }, { status: e.status });
  if (e instanceof RangeError) return Response.json({ errors: [e.message] }, { status: 400 });
  return undefined;
}

/** How the routes wait: the server's long-poll wait, its cap, and its clock. */
export interface CollectRouteOptions { readonly waitAtMost: WaitAtMost; readonly longPollMs: number; readonly clock: Clock }

/** Adds the collect routes over `relay` to `app`. */
export function addCollectRoutes(app: Hono, relay: CollectRelay, options: CollectRouteOptions): void {
  const { waitAtMost, longPollMs, clock } = options;
  app.post('/collect/:rid', async (c) => {
    try {
      const rid = resultId(c);
      const timeout = intParam(c, 'timeout', longPollMs);
      const length = Number(c.req.header('content-length') ?? 0);
      if (length > MAX_BATCH_BYTES) throw new CollectRequestError(413, `a batch is at most ${MAX_BATCH_BYTES} bytes`);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length > MAX_BATCH_BYTES) throw new CollectRequestError(413, `a batch is at most ${MAX_BATCH_BYTES} bytes`);
      let batch: { batch?: unknown; rows?: unknown };
      try { batch = decode(bytes) as typeof batch; } catch { throw new CollectRequestError(400, 'the body is not a msgpack batch'); }
      if (typeof batch?.batch !== 'string' || !Array.isArray(batch.rows)) throw new CollectRequestError(400, 'a batch is {batch: string, rows: array}');
      const full = { batch: batch.batch, rows: batch.rows };
      let outcome = relay.push(rid, full);
      if (outcome === 'full' && timeout > 0) {
        const deadline = clock.now() + Math.min(timeout, longPollMs);
        while (outcome === 'full' && clock.now() < deadline) {
          if ((await waitAtMost(relay.changed(rid), deadline - clock.now())) === 'timeout') break;
          outcome = relay.push(rid, full);
        }
      }
      if (outcome === 'closed') return Response.json({ errors: [`result ${rid} was closed by its client`] }, { status: 410 });
      if (outcome === 'full') return c.json({ status: 'FULL' }, 202);
      return c.json({ status: outcome === 'accepted' ? 'ACCEPTED' : 'DUPLICATE' });
    } catch (e) {
      const r = refusal(e);
      if (r) return r;
      throw e;
    }
  });

  app.get('/collect/:rid', async (c) => {
    try {
      const rid = resultId(c);
      const offset = intParam(c, 'offset', 0);
      const max = Math.max(1, intParam(c, 'max', DEFAULT_FETCH_ROWS));
      const timeout = intParam(c, 'timeout', 0);
      let page = relay.fetch(rid, offset, max);
      if (page.rows.length === 0 && timeout > 0) {
        const changed = relay.changed(rid);
        page = relay.fetch(rid, offset, max);
        if (page.rows.length === 0 && (await waitAtMost(changed, Math.min(timeout, longPollMs))) !== 'timeout') page = relay.fetch(rid, offset, max);
      }
      return msgpack(page);
    } catch (e) {
      const r = refusal(e);
      if (r) return r;
      throw e;
    }
  });

  app.delete('/collect/:rid', (c) => {
    try {
      relay.close(resultId(c));
      return c.json({ status: 'CLOSED' });
    } catch (e) {
      const r = refusal(e);
      if (r) return r;
      throw e;
    }
  });
}
