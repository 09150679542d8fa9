// `actorflow sql`: the SQL client's front ends over a SqlSession. `-f file.sql` runs a script and
// stops at its first failing statement (exit 1, naming the statement's line and column in the
// file); otherwise a REPL on node:readline reads statements ending with `;` over as many lines as
// they take (a continuation prompt on a terminal), keeps a history (saved under the home directory
// on a terminal), and prints each error and goes on. Ctrl-C stops a running query (its result so
// far is shown) or drops the statement being typed. With cluster options, INSERT jobs are shipped
// to the cluster (sql-cluster.ts). Imports the session and node: built-ins.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ClusterClientOptions } from '../cluster-client.ts';
import type { SessionOutput } from './result-view.ts';
import { describeError, SqlSession, type SqlSessionOptions } from './sql-session.ts';
import { StatementBuffer, type BufferedStatement } from './statement-buffer.ts';

/** Options of `actorflow sql`. */
export interface SqlCommandOptions extends ClusterClientOptions {
  /** A script to run instead of the REPL. */
  file?: string;
}

const PROMPT = 'actorflow SQL> ';
const CONTINUATION = '> ';
const HISTORY_FILE = '.actorflow_sql_history';
const HISTORY_SIZE = 1000;

/** Writes lines to stdout; on a terminal, redraws a block of lines in place. */
function stdoutOutput(): SessionOutput {
  const out: SessionOutput = { println: (line) => { process.stdout.write(`${line}\n`); } };
  if (!process.stdout.isTTY) return out;
  let drawn = 0;
  return {
    ...out,
    refresh(lines) {
      // Up over the block last drawn, clear to the end of the screen, draw the new one.
      process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}\x1b[J${lines.join('\n')}\n`);
      drawn = lines.length;
    },
    endRefresh() { drawn = 0; },
  };
}

/** The session's error as the client prints it; errors with a position are placed in the input. */
export function errorLines(e: unknown, at?: BufferedStatement, file?: string): string[] {
  const err = e as { line?: unknown; column?: unknown };
  let where = '';
  if (at) {
    // The statement's own line/column, moved to where the statement starts in the input.
    const line = typeof err.line === 'number' ? at.line + err.line - 1 : at.line;
    const column = typeof err.line === 'number' && typeof err.column === 'number' ? (err.line === 1 ? at.column + err.column - 1 : err.column) : at.column;
    where = ` at line ${line}, column ${column}${file ? ` of ${file}` : ''}`;
  }
  return [`[ERROR] Could not execute SQL statement${where}. Reason:`, ...describeError(e).split('\n')];
}

/** The submitter of INSERT jobs and the starter of SELECTs when cluster options are given. */
async function clusterSubmitter(options: SqlCommandOptions): Promise<Pick<SqlSessionOptions, 'submit' | 'startQuery'>> {
  if (options.jobmanager === undefined && options.rest === undefined && options.haStorage === undefined) return {};
  const { startSqlQuery, submitSqlJob } = await import('./sql-cluster.ts');
  return { submit: (job) => submitSqlJob(job, options), startQuery: (job) => startSqlQuery(job, options) };
}

/** Runs `actorflow sql`; resolves with the exit code. */
export async function sqlCommand(options: SqlCommandOptions): Promise<number> {
  const out = stdoutOutput();
  const session = new SqlSession({ out, ...await clusterSubmitter(options), schedule: (fn) => { setTimeout(fn, 100); } });
  return options.file !== undefined ? runScript(session, options.file) : runRepl(session, out);
}

/** Stops a running query on SIGINT when no terminal readline catches it. */
function onInterrupt(session: SqlSession): () => void {
  const handler = (): void => {
    if (session.busy) session.interrupt();
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  return () => { process.off('SIGINT', handler); };
}

/** `-f file.sql`: every statement in order; the first failure ends the run with exit code 1. */
export async function runScript(session: SqlSession, file: string): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`actorflow sql: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const buffer = new StatementBuffer();
  const statements = buffer.push(text);
  const last = buffer.rest();
  if (last) statements.push(last);
  const stopInterrupt = onInterrupt(session);
  try {
    for (const stmt of statements) {
      try {
        if (await session.execute(stmt.sql) === 'quit') break;
      } catch (e) {
        for (const l of errorLines(e, stmt, file)) process.stderr.write(`${l}\n`);
        await session.awaitJobs();
        return 1;
      }
    }
    return await session.awaitJobs() > 0 ? 1 : 0;
  } finally {
    stopInterrupt();
  }
}

/** The interactive client (or piped input): statements until QUIT, EXIT or the end of the input. */
export async function runRepl(session: SqlSession, out: SessionOutput): Promise<number> {
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const historyPath = join(homedir(), HISTORY_FILE);
  const history = terminal ? loadHistory(historyPath) : [];
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal, history, historySize: HISTORY_SIZE, prompt: PROMPT });
  const buffer = new StatementBuffer();
  const prompt = (): void => {
    if (!terminal) return;
    rl.setPrompt(buffer.pending ? CONTINUATION : PROMPT);
    rl.prompt();
  };
  if (terminal) {
    out.println('actorflow SQL client. Statements end with \';\'; HELP; lists the commands, QUIT; leaves.');
    out.println('');
  }
  let quit = false;
  let chain = Promise.resolve();
  const stopInterrupt = terminal ? () => {} : onInterrupt(session);
  rl.on('SIGINT', () => {
    if (session.busy) { session.interrupt(); return; }
    buffer.clear();
    out.println('');
    prompt();
  });
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      if (quit) return;
      for (const stmt of buffer.push(`${line}\n`)) {
        try {
          if (await session.execute(stmt.sql) === 'quit') { quit = true; rl.close(); return; }
        } catch (e) {
          for (const l of errorLines(e, stmt)) out.println(l);
        }
        out.println('');
      }
      prompt();
    });
  });
  prompt();
  await new Promise<void>((resolve) => rl.once('close', resolve));
  await chain;
  stopInterrupt();
  if (terminal) saveHistory(historyPath, (rl as unknown as { history?: string[] }).history ?? []);
  if (!quit && buffer.rest()) out.println('[WARNING] The input ended inside a statement (no closing \';\'); it was not run.');
  if (session.pendingJobs > 0) out.println(`[INFO] Waiting for ${session.pendingJobs} submitted job(s) to finish...`);
  const failed = await session.awaitJobs();
  if (terminal) out.println('Shutting down the session...\ndone.');
  return failed > 0 ? 1 : 0;
}

/** The saved history, newest first (as readline keeps it); none when it cannot be read. */
function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Saves the history oldest first; a history that cannot be saved is not worth failing for. */
function saveHistory(path: string, history: readonly string[]): void {
  try {
    writeFileSync(path, `${[...history].reverse().join('\n')}\n`, { mode: 0o600 });
  } catch { /* the home directory may be read-only */ }
}
