// SqlSession: the SQL client's logic apart from any terminal (Flink's SQL client session): one
// statement in, printable lines out. Client commands (HELP, QUIT/EXIT, SET/RESET of the client's
// 'sql-client.*' keys) are handled here; everything else goes to a StreamTableEnvironment. Queries
// run as jobs whose changes reach the session as they arrive (result-view.ts shows them), embedded
// or (with a query starter) on a cluster, whose collect sink the session fetches them from; INSERT
// INTO submits a job and prints its id, embedded or (with a submitter) on a cluster, where the
// catalog statements seen so far are replayed before the INSERT or SELECT. Imports the Table API.
import {
  JobCancellationError, StreamExecutionEnvironment, StreamTableEnvironment,
  type ChangelogRow, type JobClient, type Row,
} from '../../../api/index.ts';
import { isQuery, parseStatement, type Statement } from '../../../api/table/sql/index.ts';
import { boxTable, formatValue, ResultView, RESULT_MODES, rowCount, type ResultMode, type SessionOutput } from './result-view.ts';

/** What a session ships to a cluster for one INSERT or SELECT: the statements that rebuild it, in order. */
export interface SqlJobSpec {
  readonly name: string;
  /** Catalog statements (CREATE, DROP, SET) followed by the INSERT or SELECT itself. */
  readonly statements: readonly string[];
  readonly parallelism?: number;
  /** For a SELECT: the REST server and result id its collect sink pushes the changes to. */
  readonly collect?: { readonly restUrl: string; readonly resultId: string };
}

/** A SELECT running on a cluster. */
export interface RemoteQuery {
  readonly jobId: string;
  /** The query's changes, page by page, until its job finishes (or is cancelled); throws when the job fails. */
  changes(): AsyncIterable<ChangelogRow[]>;
  /** Cancels the job; changes() then ends. */
  cancel(): Promise<void>;
}

/** Options of a session. */
export interface SqlSessionOptions {
  readonly out: SessionOutput;
  /** The environment queries and embedded INSERT jobs run on (default: a new one). */
  readonly env?: StreamExecutionEnvironment;
  /** Submits an INSERT to a cluster and resolves with its job id; absent: everything runs embedded. */
  readonly submit?: (job: SqlJobSpec) => Promise<string>;
  /** Starts a SELECT on a cluster (with a collect sink the session reads); absent: queries run embedded. */
  readonly startQuery?: (job: SqlJobSpec) => Promise<RemoteQuery>;
  /** Runs a terminal redraw later (throttling redraws of an updating table). */
  readonly schedule?: (fn: () => void) => void;
}

/** What the client settings default to. */
const CLIENT_DEFAULTS: Readonly<Record<string, string>> = {
  'sql-client.execution.result-mode': 'table',
  'table.dml-sync': 'false',
};

const HELP = [
  'The following commands are available:',
  '',
  'HELP          Prints the available commands.',
  'QUIT/EXIT     Quits the SQL client.',
  "SET           Sets a session configuration property. Syntax: \"SET '<key>'='<value>';\". Use \"SET;\" for listing all properties.",
  "RESET         Resets a session configuration property. Syntax: \"RESET '<key>';\". Use \"RESET;\" for reset all session properties.",
  'SHOW TABLES   Shows the tables and views of the catalog (also SHOW VIEWS, SHOW FUNCTIONS).',
  'DESCRIBE      Describes the schema of a table with the given name.',
  'EXPLAIN       Describes the execution plan of a query or table with the given name.',
  'INSERT INTO   Inserts the results of a SQL SELECT query into a declared table sink.',
  'EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END;  Runs several INSERTs as one job.',
  '',
  "Statements end with ';' and may span lines. SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau'",
  "chooses how query results are shown; SET 'table.dml-sync' = 'true' makes INSERT INTO wait for its job.",
];

/** Whether the statement is a client command rather than SQL. */
function clientCommand(sql: string): 'quit' | 'help' | undefined {
  const word = sql.trim().toUpperCase();
  if (word === 'QUIT' || word === 'EXIT') return 'quit';
  if (word === 'HELP') return 'help';
  return undefined;
}

/** A session of the SQL client. */
export class SqlSession {
  private readonly env: StreamExecutionEnvironment;
  private readonly tEnv: StreamTableEnvironment;
  private readonly settings = new Map<string, string>(Object.entries(CLIENT_DEFAULTS));
  /** The catalog statements so far, replayed on a cluster before each INSERT. */
  private readonly catalogStatements: string[] = [];
  /** Embedded INSERT jobs still running (or not yet awaited). */
  private readonly jobs = new Map<string, Promise<unknown>>();
  private running?: { client?: JobClient; remote?: RemoteQuery; interrupted: boolean };

  constructor(private readonly options: SqlSessionOptions) {
    this.env = options.env ?? StreamExecutionEnvironment.getExecutionEnvironment();
    this.tEnv = StreamTableEnvironment.create(this.env);
  }

  private get out(): SessionOutput { return this.options.out; }

  /** The session's table environment (for registering functions before statements run). */
  get tableEnvironment(): StreamTableEnvironment { return this.tEnv; }

  /** The current value of a session setting. */
  setting(key: string): string | undefined { return this.settings.get(key); }

  /** Runs one statement (without its `;`); resolves with 'quit' when the user asked to leave. Throws its error. */
  async execute(sql: string): Promise<'continue' | 'quit'> {
    const command = clientCommand(sql);
    if (command === 'quit') return 'quit';
    if (command === 'help') { for (const l of HELP) this.out.println(l); return 'continue'; }
    const stmt = parseStatement(sql);
    if (isQuery(stmt)) await this.query(sql);
    else if (stmt.kind === 'insert' || stmt.kind === 'statementSet') await this.insert(sql);
    else if (stmt.kind === 'set' || stmt.kind === 'reset') await this.set(stmt, sql);
    else if (stmt.kind === 'show' || stmt.kind === 'describe') await this.printResult(sql);
    else if (stmt.kind === 'explain') {
      const rows = await (await this.tEnv.executeSql(sql)).collect();
      for (const r of rows) for (const l of String(r.plan).split('\n')) this.out.println(l);
    } else {
      await this.tEnv.executeSql(sql);
      this.catalogStatements.push(sql);
      this.out.println('[INFO] Execute statement succeeded.');
    }
    return 'continue';
  }

  /** SHOW and DESCRIBE: their rows as a box table. */
  private async printResult(sql: string): Promise<void> {
    const result = await this.tEnv.executeSql(sql);
    const names = result.getResolvedSchema().names;
    const rows = await result.collect();
    for (const l of boxTable(names, rows.map((r) => names.map((n) => formatValue(r[n]))))) this.out.println(l);
    this.out.println(rowCount(rows.length));
  }

  private async set(stmt: Statement & { kind: 'set' | 'reset' }, sql: string): Promise<void> {
    const key = stmt.key;
    if (stmt.kind === 'set' && key === undefined) {
      const table = (await (await this.tEnv.executeSql(sql)).collect()).map((r: Row) => [String(r.key), String(r.value)]);
      const all = [...[...this.settings].filter(([k]) => !table.some(([t]) => t === k)), ...table].sort(([a], [b]) => a.localeCompare(b));
      for (const [k, v] of all) this.out.println(`'${k}' = '${v}'`);
      return;
    }
    if (key !== undefined && key in CLIENT_DEFAULTS) {
      const value = stmt.kind === 'set' ? stmt.value ?? '' : CLIENT_DEFAULTS[key];
      if (key === 'sql-client.execution.result-mode' && !(RESULT_MODES as readonly string[]).includes(value.toLowerCase())) {
        throw new Error(`'${key}' must be one of ${RESULT_MODES.map((m) => `'${m}'`).join(', ')}, got '${value}'`);
      }
      if (key === 'table.dml-sync' && !['true', 'false'].includes(value.toLowerCase())) throw new Error(`'${key}' must be 'true' or 'false', got '${value}'`);
      this.settings.set(key, value.toLowerCase());
    } else if (key === 'parallelism.default' && stmt.kind === 'set') {
      const n = Number(stmt.value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`'parallelism.default' must be a positive integer, got '${stmt.value}'`);
      this.env.setParallelism(n);
      await this.tEnv.executeSql(sql);
    } else {
      if (key === undefined) for (const [k, v] of Object.entries(CLIENT_DEFAULTS)) this.settings.set(k, v);
      await this.tEnv.executeSql(sql);
    }
    this.catalogStatements.push(sql);
    this.out.println('[INFO] Execute statement succeeded.');
  }

  /** Runs a query (embedded, or on the cluster), showing its changes in the session's result mode. */
  private async query(sql: string): Promise<void> {
    if (this.options.submit && !this.options.startQuery) {
      throw new Error('SELECT on this cluster connection is not supported: the session has no way to read a query\'s rows back. Run the query embedded (without --jobmanager), or INSERT INTO a sink table on the cluster.');
    }
    if (this.options.startQuery) return this.remoteQuery(sql, this.options.startQuery);
    const table = this.tEnv.sqlQuery(sql);
    const view = new ResultView(this.settings.get('sql-client.execution.result-mode') as ResultMode, table.getSchema().columns, this.out,
      this.options.schedule);
    // One collecting subtask, as Table.execute does: the changes of a key arrive in their order.
    this.tEnv.toChangelogStream(table)
      .sinkTo({ createWriter: () => ({ write: (change: ChangelogRow) => view.add(change) }) })
      .name('SQL client result').setParallelism(1);
    // Busy from here: an interrupt while the job is being submitted cancels it once it exists.
    const running: { client?: JobClient; interrupted: boolean } = { interrupted: false };
    this.running = running;
    try {
      running.client = await this.env.executeAsync('sql-client-query');
      if (running.interrupted) void running.client.cancel().catch(() => {});
      await running.client.getJobExecutionResult();
    } catch (e) {
      if (!(running.interrupted && e instanceof JobCancellationError)) throw e;
    } finally {
      this.running = undefined;
    }
    view.end(running.interrupted);
  }

  /** Runs a query on the cluster: its changes come back through the collect sink, page by page. */
  private async remoteQuery(sql: string, start: (job: SqlJobSpec) => Promise<RemoteQuery>): Promise<void> {
    // Planned here first: an invalid query fails with its position before anything is shipped.
    const table = this.tEnv.sqlQuery(sql);
    const view = new ResultView(this.settings.get('sql-client.execution.result-mode') as ResultMode, table.getSchema().columns, this.out,
      this.options.schedule);
    const running: { client?: JobClient; remote?: RemoteQuery; interrupted: boolean } = { interrupted: false };
    this.running = running;
    try {
      const remote = await start({ name: 'sql-client-query', statements: [...this.catalogStatements, sql], parallelism: this.env.getParallelism() });
      running.remote = remote;
      if (running.interrupted) void remote.cancel().catch(() => {});
      for await (const page of remote.changes()) for (const change of page) view.add(change);
    } finally {
      this.running = undefined;
    }
    view.end(running.interrupted);
  }

  /** Submits an INSERT INTO (embedded or to the cluster) and prints its job id. */
  private async insert(sql: string): Promise<void> {
    if (this.options.submit) {
      // Planned here first: an invalid INSERT fails with its position before anything is shipped.
      this.tEnv.explainSql(sql);
      this.out.println('[INFO] Submitting SQL update statement to the cluster...');
      const jobId = await this.options.submit({ name: `insert-into_${insertTarget(sql)}`, statements: [...this.catalogStatements, sql], parallelism: this.env.getParallelism() });
      this.out.println('[INFO] SQL update statement has been successfully submitted to the cluster:');
      this.out.println(`Job ID: ${jobId}`);
      return;
    }
    const result = await this.tEnv.executeSql(sql);
    const client = result.getJobClient()!;
    this.out.println('[INFO] Submitting SQL update statement to the cluster...');
    this.out.println('[INFO] SQL update statement has been successfully submitted to the cluster:');
    this.out.println(`Job ID: ${client.jobId}`);
    const done = client.getJobExecutionResult();
    done.catch(() => {});
    this.jobs.set(client.jobId, done);
    if (this.settings.get('table.dml-sync') === 'true') {
      try { await done; } finally { this.jobs.delete(client.jobId); }
      this.out.println(`[INFO] Job ${client.jobId} finished.`);
    }
  }

  /** Whether a query is running (an interrupt then stops it rather than the client). */
  get busy(): boolean { return this.running !== undefined; }

  /** Stops the running query (Ctrl-C); its result so far is shown. */
  interrupt(): void {
    if (!this.running || this.running.interrupted) return;
    this.running.interrupted = true;
    void this.running.client?.cancel().catch(() => {});
    void this.running.remote?.cancel().catch(() => {});
  }

  /** Waits for the embedded INSERT jobs; prints each failure; resolves with how many failed. */
  async awaitJobs(): Promise<number> {
    let failed = 0;
    for (const [id, done] of this.jobs) {
      try { await done; } catch (e) { failed++; this.out.println(`[ERROR] Job ${id} failed: ${describeError(e)}`); }
      this.jobs.delete(id);
    }
    return failed;
  }

  /** The embedded INSERT jobs that have not been awaited. */
  get pendingJobs(): number { return this.jobs.size; }
}

/** The sink table's name of an INSERT (for the job's name). */
function insertTarget(sql: string): string {
  const stmt = parseStatement(sql);
  if (stmt.kind === 'statementSet') return stmt.inserts.map((i) => i.table.join('.')).join('_');
  return stmt.kind === 'insert' ? stmt.table.join('.') : 'sink';
}

/** An error and its causes, root cause last. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e; cur; cur = (cur as { cause?: unknown }).cause) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    if (parts.length > 8) break;
  }
  return parts.join('\n  caused by: ');
}
