// ExceptionHistory: a job's failures, newest first, in the shape of Flink's GET
// /jobs/:jid/exceptions (root-exception, timestamp, and exceptionHistory.entries each with the
// exception's name, stack trace, time, the failing task's name and its TaskManager). The
// JobMaster's failover records every failure here, also those it restarted from. Bounded (Flink's
// web.exception-history-size, 16). Plain class. Imports nothing.

/** Where a failure happened. */
export interface FailureLocation {
  /** The failing subtask's name (`vertex (i/n)`), if a subtask failed. */
  readonly taskName?: string;
  /** The TaskManager it ran on, if known. */
  readonly taskManagerId?: string;
  /** What failed when it was no subtask (checkpointing, a lost TaskManager, scheduling). */
  readonly where?: string;
}

/** One failure (Flink's ExceptionInfo). */
export interface ExceptionEntry {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  taskName: string | null;
  location: string | null;
  taskManagerId: string | null;
  failureLabels: Record<string, string>;
  /** The message chain down to the root cause. */
  message: string;
  concurrentExceptions: ExceptionEntry[];
}

/** GET /jobs/:jid/exceptions. */
export interface JobExceptionsSnapshot {
  'root-exception': string | null;
  timestamp: number | null;
  'all-exceptions': Array<{ exception: string; task: string | null; location: string | null; timestamp: number; taskManagerId: string | null }>;
  truncated: boolean;
  exceptionHistory: { entries: ExceptionEntry[]; truncated: boolean };
}

/** The name, stack and message chain of an error (the root cause last). */
export function describeError(error: unknown): { name: string; stack: string; message: string } {
  const messages: string[] = [];
  const stacks: string[] = [];
  let name = 'Error';
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof Error) {
      if (depth === 0) name = e.name || 'Error';
      messages.push(e.message);
      stacks.push(depth === 0 ? (e.stack ?? `${e.name}: ${e.message}`) : `Caused by: ${e.stack ?? `${e.name}: ${e.message}`}`);
      e = e.cause;
    } else {
      messages.push(String(e));
      stacks.push(depth === 0 ? String(e) : `Caused by: ${String(e)}`);
      break;
    }
  }
  return { name, stack: stacks.join('\n'), message: messages.join(': caused by: ') };
}

/** A job's failures. */
export class ExceptionHistory {
  private readonly entries: ExceptionEntry[] = [];
  private readonly errors: unknown[] = [];
  private dropped = false;

  constructor(private readonly size = 16) {}

  /** Records the failure `error` at `timestamp`. */
  record(error: unknown, timestamp: number, at: FailureLocation = {}): void {
    const { name, stack, message } = describeError(error);
    this.entries.unshift({
      exceptionName: name, stacktrace: stack, timestamp, message,
      taskName: at.taskName ?? at.where ?? null, location: at.taskManagerId ?? null, taskManagerId: at.taskManagerId ?? null,
      failureLabels: {}, concurrentExceptions: [],
    });
    this.errors.unshift(error);
    if (this.entries.length > this.size) { this.entries.pop(); this.errors.pop(); this.dropped = true; }
  }

  /** Whether `error` (or an error it was caused by) was recorded already. */
  has(error: unknown): boolean {
    for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
      if (this.errors.includes(e)) return true;
      e = e instanceof Error ? e.cause : undefined;
    }
    return false;
  }

  /** How many failures are kept now. */
  get length(): number { return this.entries.length; }

  /** Everything, as GET /jobs/:jid/exceptions answers (a copy). */
  snapshot(): JobExceptionsSnapshot {
    const latest = this.entries[0];
    return structuredClone({
      'root-exception': latest ? latest.stacktrace : null,
      timestamp: latest ? latest.timestamp : null,
      'all-exceptions': this.entries.map((e) => ({ exception: e.stacktrace, task: e.taskName, location: e.location, timestamp: e.timestamp, taskManagerId: e.taskManagerId })),
      truncated: this.dropped,
      exceptionHistory: { entries: this.entries, truncated: this.dropped },
    });
  }
}
