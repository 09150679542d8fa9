// Trace: what a simulation run decided, in order: every event it ran (virtual time, sequence
// number, what kind) and every fault it injected, as short strings. Two runs of one seed must give
// the same trace; traceHash (SHA-256 of the lines) compares them cheaply, firstDifference names
// where they part. Imports node:crypto only.
import { createHash } from 'node:crypto';

/** The lines of a run, appended as it goes. */
export class Trace {
  readonly lines: string[] = [];
  constructor(private readonly keep = true) {}
  private readonly hash = createHash('sha256');
  private count = 0;

  /** Appends one line. */
  add(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
    this.count++;
    if (this.keep) this.lines.push(line);
  }

  /** Lines appended so far. */
  get length(): number { return this.count; }

  /** The SHA-256 (hex) of every line so far; ends the trace. */
  digest(): string { return this.hash.digest('hex'); }
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
