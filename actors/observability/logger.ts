// The project's structured logger: one pino instance per process (or worker thread), configured
// once by whoever starts the process, and child loggers that carry context (process role, job,
// vertex, subtask, attempt). Lines go to stderr — stdout belongs to the job's own output (print
// sinks, the CLI's result lines) — as JSON lines, or pretty-printed when stderr is a terminal.
//
// Level: `ACTORFLOW_LOG_LEVEL`, else what the process starter passes (`--log-level`), else 'warn':
// an embedded job logs warnings and errors only. Loggers made before `configureLogging` follow a
// later reconfiguration: each child re-derives its pino child when the root changes, never per line.
// Imports nothing from the runtime: any actors/ module may import it.
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

/** Levels from most to least verbose; 'silent' logs nothing. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Context fields every line of a child logger carries. */
export type LogFields = Record<string, unknown>;

/** Where log lines go, when not stderr (tests capture lines with this). */
export interface LogDestination { write(line: string): void }

/** How a process logs. */
export interface LoggingOptions {
  /** Minimum level; `ACTORFLOW_LOG_LEVEL` wins over it. */
  level?: LogLevel;
  /** The process role, on every line: 'jobmanager', 'taskmanager', 'client', 'embedded'. */
  role?: string;
  /** Human-readable lines instead of JSON; default: when stderr is a terminal. */
  pretty?: boolean;
  /** Write JSON lines here instead of stderr (pretty is then off). */
  destination?: LogDestination;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Parses a level name, or throws naming the accepted ones. */
export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase() as LogLevel;
  if (!LEVELS.includes(level)) throw new Error(`unknown log level "${value}" (expected one of ${LEVELS.join(', ')})`);
  return level;
}

function envLevel(): LogLevel | undefined {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  const value = env?.ACTORFLOW_LOG_LEVEL;
  return value ? parseLogLevel(value) : undefined;
}

function stderrIsTerminal(): boolean {
  const stderr = (globalThis as { process?: { stderr?: { isTTY?: boolean } } }).process?.stderr;
  return stderr?.isTTY === true;
}

let root: PinoLogger = build({});
let generation = 0;

function build(options: LoggingOptions): PinoLogger {
  const level = (envLevel() ?? options.level ?? 'warn') as LevelWithSilent;
  const base = options.role !== undefined ? { role: options.role } : {};
  const config = { level, base, serializers: { err: pino.stdSerializers.err } };
  if (options.destination) return pino(config, { write: (line: string) => options.destination!.write(line) });
  if (options.pretty ?? stderrIsTerminal()) {
    return pino(config, pretty({ destination: 2, sync: true, colorize: stderrIsTerminal(), ignore: 'pid,hostname' }));
  }
  return pino(config, pino.destination({ dest: 2, sync: true }));
}

/** (Re)configures this process's logging; existing loggers follow. */
export function configureLogging(options: LoggingOptions): void {
  root = build(options);
  generation++;
}

/** The level lines are logged at now. */
export function currentLogLevel(): LogLevel {
  return root.level as LogLevel;
}

/** A logger with context fields; `child` adds more. Cheap to keep; derive once per component. */
export class Logger {
  private pinoChild: PinoLogger | undefined;
  private builtFor = -1;

  constructor(private readonly fields: LogFields) {}

  /** A logger with these fields added to this one's. */
  child(fields: LogFields): Logger {
    return new Logger({ ...this.fields, ...fields });
  }

  /** Whether a line at this level would be written (to skip building costly fields). */
  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return this.target().isLevelEnabled(level);
  }

  trace(message: string, fields?: LogFields): void { this.target().trace(fields ?? {}, message); }
  debug(message: string, fields?: LogFields): void { this.target().debug(fields ?? {}, message); }
  info(message: string, fields?: LogFields): void { this.target().info(fields ?? {}, message); }
  warn(message: string, fields?: LogFields): void { this.target().warn(fields ?? {}, message); }
  error(message: string, fields?: LogFields): void { this.target().error(fields ?? {}, message); }

  private target(): PinoLogger {
    if (this.builtFor !== generation || this.pinoChild === undefined) {
      this.pinoChild = root.child(this.fields);
      this.builtFor = generation;
    }
    return this.pinoChild;
  }
}

/** A logger for one component of the runtime (`logger('job-master', { jobId })`). */
export function logger(component: string, fields: LogFields = {}): Logger {
  return new Logger({ component, ...fields });
}

/**
 * Passes at most one line per `intervalMs` for each key, and counts the lines it held back so the
 * next line that passes can say how many were suppressed (for floods such as rejected connections).
 */
export class RateLimitedLog {
  private readonly lastAt = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now, private readonly maxKeys = 1024) {}

  /** Calls `write(suppressedSinceLast)` if this key may log now. */
  attempt(key: string, write: (suppressed: number) => void): void {
    const now = this.now();
    const entry = this.lastAt.get(key);
    if (entry && now - entry.at < this.intervalMs) { entry.suppressed++; return; }
    if (!entry && this.lastAt.size >= this.maxKeys) this.lastAt.delete(this.lastAt.keys().next().value!);
    this.lastAt.set(key, { at: now, suppressed: 0 });
    write(entry?.suppressed ?? 0);
  }
}

/** Fields for an error: message, name and stack, and its cause chain. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { err: error };
  return { err: { message: String(error) } };
}
