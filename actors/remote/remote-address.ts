// Actor paths across processes. A local path names its system only (`actorflow://name/user/a`);
// a qualified path also names where the system is reached (`actorflow://name@host:port/user/a`).
// Refs travel in their local form and are qualified on arrival with the sending peer's address,
// so a process never needs to know its own externally visible address to send a ref.
// Pure string logic; imports nothing.

const SCHEME = 'actorflow://';

/** The parts of an actor path. */
export interface ParsedPath {
  /** The system name. */
  readonly system: string;
  /** `system@host:port`, or undefined for a local path. */
  readonly address: string | undefined;
  /** Everything from the first `/` after the authority (`/user/a`). */
  readonly suffix: string;
}

/** Splits an actor path; undefined when it is not an actorflow path. */
export function parsePath(path: string): ParsedPath | undefined {
  if (!path.startsWith(SCHEME)) return undefined;
  const slash = path.indexOf('/', SCHEME.length);
  const authority = path.slice(SCHEME.length, slash < 0 ? path.length : slash);
  const suffix = slash < 0 ? '' : path.slice(slash);
  const at = authority.indexOf('@');
  if (at < 0) return { system: authority, address: undefined, suffix };
  return { system: authority.slice(0, at), address: authority, suffix };
}

/** Whether `path` names the host and port of its system. */
export function isQualified(path: string): boolean {
  return parsePath(path)?.address !== undefined;
}

/** The path of `suffix` in the system at `address` (`name@host:port`). */
export function qualifiedPath(address: string, suffix: string): string {
  return `${SCHEME}${address}${suffix}`;
}

/** The local path of `suffix` in the system named `system`. */
export function localPath(system: string, suffix: string): string {
  return `${SCHEME}${system}${suffix}`;
}

/** The address of a system named `system` listening on `host:port`. */
export function systemAddress(system: string, host: string, port: number): string {
  return `${system}@${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Whether `host` can only be reached from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
