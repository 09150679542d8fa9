// The dashboard's REST client: relative URLs (the page may sit behind a proxy under a path), the
// bearer token from sessionStorage on every request, 404 as "no data" (a route this JobManager
// does not have, or a job that is gone), 401 as "log in". The token lives in sessionStorage: it
// lasts as long as the browser tab and is never written to disk as a cookie would be, and since
// it is sent as a header rather than a cookie, no other site can make the browser send it.
import { looksLikeToken, restTokenOf } from './token.ts';

const TOKEN_KEY = 'actorflow.restToken';

/** A request the server refused for want of the token. */
export class Unauthorized extends Error {}

/** The errors of a failed request, as the server words them ({errors: [...]}), else its status. */
async function failure(response: Response, what: string): Promise<Error> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json() as { errors?: unknown };
    if (Array.isArray(body.errors) && body.errors.length) detail = body.errors.map(String).join('; ');
  } catch { /* not JSON: keep the status */ }
  return new Error(`${what}: ${detail}`);
}

/** Talks to the JobManager that served the page. */
export class Api {
  private token: string | undefined;
  /** Called whenever a request was answered 401 (the view then shows the login form). */
  onUnauthorized: () => void = () => {};

  constructor(private readonly storage: Storage | undefined) {
    this.token = storage?.getItem(TOKEN_KEY) ?? undefined;
  }

  /** Whether a token is held (it may still be refused). */
  get hasToken(): boolean { return this.token !== undefined; }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token !== undefined ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** GETs a JSON resource; undefined when it answers 404. */
  async get<T>(path: string): Promise<T | undefined> {
    const response = await fetch(path, { headers: this.headers({ accept: 'application/json' }) });
    if (response.status === 401) { this.onUnauthorized(); throw new Unauthorized(`GET ${path}: 401`); }
    if (response.status === 404) { await response.body?.cancel(); return undefined; }
    if (!response.ok) throw await failure(response, `GET ${path}`);
    return await response.json() as T;
  }

  /** Sends a command (a JSON body, or none); resolves with the JSON answer. */
  async send<T>(method: 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method, headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { this.onUnauthorized(); throw new Unauthorized(`${method} ${path}: 401`); }
    if (!response.ok && response.status !== 202) throw await failure(response, `${method} ${path}`);
    return await response.json() as T;
  }

  /**
   * Logs in with what the user typed: the token itself, or the cluster secret it is derived from
   * (derived here; the secret is not sent, not kept). Resolves with whether the server accepted it.
   */
  async login(input: string): Promise<boolean> {
    const typed = input.trim();
    if (typed === '') return false;
    const candidates = looksLikeToken(typed) ? [typed, restTokenOf(typed)] : [restTokenOf(typed)];
    for (const token of candidates) {
      const response = await fetch('overview', { headers: { authorization: `Bearer ${token}` } });
      await response.body?.cancel();
      if (response.ok) {
        this.token = token;
        this.storage?.setItem(TOKEN_KEY, token);
        return true;
      }
    }
    return false;
  }

  /** Forgets the token. */
  logout(): void {
    this.token = undefined;
    this.storage?.removeItem(TOKEN_KEY);
  }
}
