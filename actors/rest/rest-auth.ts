// The REST API's credential: a bearer token derived from the cluster secret with HMAC-SHA256 over
// a fixed label, so that the secret itself never travels over HTTP and a token seen on the wire
// does not open the RPC port (whose handshake proves the secret itself). Clients and the server
// derive the same token; the server compares in constant time. Imports node:crypto only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { env } from 'node:process';

/** What the token is derived over: changing it invalidates every token derived before. */
const TOKEN_LABEL = 'actorflow REST API bearer token v1';

/** The cluster secret of this process, as the RPC side reads it: the explicit one, else the env var. */
export function clusterSecretOf(explicit?: string): string | undefined {
  return explicit ?? (env.ACTORFLOW_CLUSTER_SECRET || undefined);
}

/** The REST bearer token of a cluster secret (base64url of HMAC-SHA256(secret, label)). */
export function restToken(secret: string): string {
  return createHmac('sha256', secret).update(TOKEN_LABEL).digest('base64url');
}

/** The Authorization header value a client sends for `secret`. */
export function restAuthorization(secret: string): string {
  return `Bearer ${restToken(secret)}`;
}

/** Checks Authorization header values against the token of one secret. */
export class RestAuthenticator {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = Buffer.from(restToken(secret), 'utf8');
  }

  /** Why `header` is refused, or undefined when it carries the token. */
  refusal(header: string | undefined | null): string | undefined {
    if (header === undefined || header === null || header === '') return 'no Authorization header';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return 'the Authorization header is not "Bearer <token>"';
    const presented = Buffer.from(m[1], 'utf8');
    // Token lengths are public (all tokens have one length); only equal lengths can be compared in constant time.
    const same = presented.length === this.expected.length
      ? timingSafeEqual(presented, this.expected)
      : (timingSafeEqual(this.expected, this.expected), false);
    return same ? undefined : 'wrong token';
  }
}
