// Trace: what a simulation run decided, in order: every event it ran (virtual time, sequence
// number, what kind) and every fault it injected, as short strings. Two runs of one seed must give
// the same trace; traceHash (SHA-256 of the lines) compares them cheaply, firstDifference names
// where they part. Imports node:crypto only.
import { createHash } from 'node:crypto';

/** Characters of lines gathered before they go to the hash in one call (each call crosses into native code). */
const HASH_BATCH_CHARS = 16_384;

/** The lines of a run, appended as it goes. */
export class Trace {
  readonly lines: string[] = [];
  constructor(private readonly keep = true) {}
  private readonly hash = createHash('sha256');
  private count = 0;
  /** Lines not hashed yet, each with its newline: SHA-256 of the concatenation is the same however it is split. */
  private pending = '';

  /** Appends one line. */
  add(line: string): void {
    this.pending += line + '\n';
    if (this.pending.length >= HASH_BATCH_CHARS) this.flush();
    this.count++;
    if (this.keep) this.lines.push(line);
  }

  /** Lines appended so far. */
  get length(): number { return this.count; }

  /** The SHA-256 (hex) of every line so far; ends the trace. */
  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(this.pending);
    this.pending = '';
  }
}

/** SHA-256 (hex) of `lines`, each followed by a newline: what Trace.digest gives for them. */
export function traceHash(lines: readonly string[]): string {
  const hash = createHash('sha256');
  for (const line of lines) { hash.update(line); hash.update('\n'); }
  return hash.digest('hex');
}

/** Where two traces first differ (index and both lines), or undefined when they are equal. */
export function firstDifference(a: readonly string[], b: readonly string[]): { index: number; a: string | undefined; b: string | undefined } | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return { index: i, a: a[i], b: b[i] };
  return undefined;
}

/** A readable sentence about the first difference of two traces. */
export function describeDivergence(a: readonly string[], b: readonly string[]): string {
  const d = firstDifference(a, b);
  if (d === undefined) return 'the traces are equal';
  return `the traces first differ at event ${d.index}: ${d.a ?? '(end of trace)'} | ${d.b ?? '(end of trace)'}`;
}
