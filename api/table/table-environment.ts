// StreamTableEnvironment: the entry point of the Table API and SQL on a StreamExecutionEnvironment
// (Flink's StreamTableEnvironment): a catalog of tables and views, user-defined functions,
// executeSql for DDL, queries, INSERT INTO, EXPLAIN, SHOW and DESCRIBE, and the bridges between
// tables and DataStreams. Queries run as jobs of the environment it was created on; a bounded
// query runs in streaming mode and its result is final once its sources end.
// Imports the DataStream API, the SQL front end and the planner.
// Just over 400 lines: the public entry of the Table API, one method per Flink TableEnvironment
// call; planning, DDL, statement sets, results and view schemas already live in their own files.
import type { DataStream } from '../datastream/data-stream.ts';
import type { StreamExecutionEnvironment } from '../environment/stream-execution-environment.ts';
import { CollectSink, ExactlyOnceCollectSink } from '../sinks/collect-sink.ts';
import { acceptsUpdates, findTableConnector } from './connectors/table-connector.ts';
import { Catalog, tableName } from './planner/catalog.ts';
import { createTableEntry } from './planner/ddl.ts';
import { aggregateTuning, applyAggregateTuning, type AggregateTuning } from './planner/aggregate-phases.ts';
import { explainPlan } from './planner/explain.ts';
import { finalRows, isBatchMode } from './planner/batch-result.ts';
import type { PlanNode } from './planner/plan-nodes.ts';
import { FunctionCatalog } from './planner/function-catalog.ts';
import { addCalc, QueryPlanner, schemaOf, uniqueNames, type Planned } from './planner/query-planner.ts';
import { physicalSchema, StreamTranslator } from './planner/stream-translator.ts';
import { SqlValidationError, TableError } from './planner/validation-error.ts';
import { isQuery, type InsertStatement, type Statement, type StatementSetStatement } from './sql/ast.ts';
import { parseQuery, parseStatement } from './sql/parser.ts';
import { Table, type TableOwner } from './table.ts';
import { TableResult } from './table-result.ts';
import { StatementSet, type PlannedInsert } from './statement-set.ts';
import { isAssignable, typeToString } from './types/logical-type.ts';
import { fromRow, toRow, type Change, type ChangelogRow, type Row } from './types/row.ts';
import { Schema } from './types/schema.ts';
import { inferStreamSchema, parseTypeText, type ViewSchema } from './view-schema.ts';

export type { ViewSchema } from './view-schema.ts';

/** A user-defined scalar function: a plain function, or one with the SQL type it returns. */
export type ScalarFunctionDefinition = ((...args: any[]) => unknown) | { eval: (...args: any[]) => unknown; resultType: string };

/** A user-defined table function: the rows (arrays in column order, objects, or single values) for its arguments. */
export interface TableFunctionDefinition {
  rows: (...args: any[]) => Iterable<unknown>;
  /** Column name -> SQL type text, in order (`{ word: 'STRING', len: 'INT' }`). */
  columns: Record<string, string>;
}

/** A user-defined aggregate function (Flink's AggregateFunction): accumulate, optional retract, getValue. */
export interface AggregateFunctionDefinition<ACC = any> {
  createAccumulator(): ACC;
  accumulate(acc: ACC, ...args: any[]): ACC | void;
  retract?(acc: ACC, ...args: any[]): ACC | void;
  /** Folds `other` into `acc`, leaving `other` unchanged (optional: HOP and CUMULATE windows then share slices). */
  merge?(acc: ACC, other: ACC): ACC | void;
  getValue(acc: ACC): unknown;
  /** The SQL type of getValue's result (default DOUBLE). */
  resultType?: string;
}

/** The Table API and SQL over one StreamExecutionEnvironment. */
export class StreamTableEnvironment implements TableOwner {
  private readonly catalog = new Catalog();
  private readonly functions = new FunctionCatalog();
  private readonly settings = new Map<string, string>();
  private anonymous = 0;

  private constructor(/** The environment queries run on. */ readonly env: StreamExecutionEnvironment) {}

  /** A table environment on `env` (its parallelism, checkpointing and restart strategy apply). */
  static create(env: StreamExecutionEnvironment): StreamTableEnvironment { return new StreamTableEnvironment(env); }

  /** A translator with the session's settings (state TTL, window slicing, mini-batch and aggregation phases). */
  private translator(): StreamTranslator { return new StreamTranslator(this.env, this.functions, this.stateTtlMs(), this.windowSlicing(), this.aggregateTuning()); }

  /**
   * `table.exec.mini-batch.*`, `table.optimizer.agg-phase-strategy` and `table.optimizer.distinct-agg.split.enabled`.
   * Mini-batch is a streaming option (as in Flink): in BATCH or AUTOMATIC mode a keyed operator
   * sees one key's input at a time and keeps no batch across keys, so the options are checked but not applied.
   */
  private aggregateTuning(): AggregateTuning {
    const tuning = aggregateTuning((key) => this.settings.get(key));
    return this.env.getRuntimeMode() === 'streaming' ? tuning : { phaseStrategy: tuning.phaseStrategy };
  }

  /** @internal A plan as EXPLAIN prints it: as it would run under the session's options. */
  explainNode(node: PlanNode): string {
    const plan = explainPlan(applyAggregateTuning(node, this.aggregateTuning(), this.functions));
    // BATCH mode folds an updating result into its final rows (resultChanges).
    return !node.insertOnly && this.batchRequested() ? `FinalRows(changelog folded into inserts)\n+- ${plan.split('\n').join('\n   ')}` : plan;
  }

  /** `table.exec.window-agg.slicing`: 'true' (the default) lets window aggregations share slices; 'false' copies rows into each window. */
  private windowSlicing(): boolean {
    const text = this.settings.get('table.exec.window-agg.slicing')?.trim().toLowerCase();
    if (text === undefined || text === 'true') return true;
    if (text === 'false') return false;
    throw new TableError(`table.exec.window-agg.slicing must be 'true' or 'false', got '${text}'`);
  }

  /** `table.exec.state.ttl` in ms ('0' or unset: kept forever); a number of ms or `<n> ms|s|min|h|d`. */
  private stateTtlMs(): number | undefined {
    const text = this.settings.get('table.exec.state.ttl');
    if (text === undefined) return undefined;
    const m = /^\s*(\d+)\s*(ms|s|sec|min|h|d)?\s*$/.exec(text);
    if (!m) throw new TableError(`table.exec.state.ttl must be a duration such as '1 h' or '30 min', got '${text}'`);
    const unit = { ms: 1, s: 1000, sec: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
    const ms = Number(m[1]) * unit;
    return ms > 0 ? ms : undefined;
  }

  /**
   * The change stream of a query's result: as planned, or in BATCH mode, where every result is
   * insert-only, an updating one folded into its final rows (planner/batch-result.ts).
   */
  private resultChanges(translator: StreamTranslator, node: PlanNode): DataStream<Change> {
    const stream = translator.translate(node);
    return !node.insertOnly && isBatchMode(this.env) ? finalRows(stream, node.schema.columns.length) : stream;
  }

  /** True when the session runs its jobs in BATCH mode (set so explicitly: results are insert-only). */
  private batchRequested(): boolean { return this.env.getRuntimeMode() === 'batch'; }

  /** The planner of one statement. */
  private planner(source: string): QueryPlanner { return new QueryPlanner({ catalog: this.catalog, functions: this.functions, clock: this.env.environmentConfig.clock }, source); }

  /** Registers a Table under a generated name (what `String(table)` gives). */
  private register(planned: Planned): Table {
    const name = `UnnamedTable$${this.anonymous++}`;
    this.catalog.add({ kind: 'planned', name, node: planned.node });
    return new Table(this, planned, name);
  }

  /** Plans a query (SELECT, set operation, VALUES, WITH) as a Table. */
  sqlQuery(sql: string): Table {
    return this.register(this.planner(sql).planQuery(parseQuery(sql)));
  }

  /** A catalog table or view as a Table. */
  from(name: string): Table { return this.sqlQuery(`SELECT * FROM \`${name.replace(/`/g, '``')}\``); }

  /**
   * Runs one SQL statement. DDL, SHOW, DESCRIBE, EXPLAIN and SET take effect before this returns
   * (errors are thrown at once); INSERT INTO submits a job and resolves with its TableResult; a
   * query resolves with a TableResult that runs it when read.
   */
  executeSql(sql: string): Promise<TableResult> {
    const stmt = parseStatement(sql);
    if (isQuery(stmt)) return Promise.resolve(this.sqlQuery(sql).execute());
    if (stmt.kind === 'insert') return this.insert(this.planInsert(stmt, sql));
    if (stmt.kind === 'statementSet') return this.statementSetOf(stmt, sql).execute();
    return Promise.resolve(this.executeSync(stmt, sql));
  }

  /** The INSERTs of `EXECUTE STATEMENT SET BEGIN ... END`, all planned (errors at their place in `sql`) before any runs. */
  private statementSetOf(stmt: StatementSetStatement, sql: string): StatementSet {
    const set = this.createStatementSet();
    for (const insert of stmt.inserts) set.addPlannedInsert(this.planInsert(insert, sql));
    return set;
  }

  private executeSync(stmt: Statement, sql: string): TableResult {
    const ok = (): TableResult => new TableResult(new Schema([{ name: 'result', type: { kind: 'STRING', nullable: false } }]), 'SUCCESS', { rows: [['OK']] });
    const rows = (names: string[], values: unknown[][]): TableResult =>
      new TableResult(new Schema(names.map((name) => ({ name, type: { kind: 'STRING', nullable: true } }))), 'SUCCESS_WITH_CONTENT', { rows: values });
    switch (stmt.kind) {
      case 'createTable': {
        const name = tableName(stmt.name);
        if (this.catalog.has(name)) {
          if (stmt.ifNotExists) return ok();
          throw new SqlValidationError(`a table or view named ${name} already exists`, sql, stmt.pos);
        }
        this.catalog.add(createTableEntry(stmt, sql, this.functions));
        return ok();
      }
      case 'createView': {
        const name = tableName(stmt.name);
        if (this.catalog.has(name)) {
          if (stmt.ifNotExists) return ok();
          throw new SqlValidationError(`a table or view named ${name} already exists`, sql, stmt.pos);
        }
        // Validated now, planned again at each use.
        const planned = this.planner(sql).planQuery(stmt.query);
        if (stmt.columns && stmt.columns.length !== planned.fields.length) {
          throw new SqlValidationError(`the view's column list names ${stmt.columns.length} columns, but its query has ${planned.fields.length}`, sql, stmt.pos);
        }
        this.catalog.add({ kind: 'view', name, query: stmt.query, source: sql, ...(stmt.columns ? { columns: stmt.columns } : {}) });
        return ok();
      }
      case 'drop': {
        const name = tableName(stmt.name);
        if (stmt.object === 'FUNCTION') {
          if (!this.functions.drop(name) && !stmt.ifExists) throw new SqlValidationError(`unknown function ${name}`, sql, stmt.pos);
          return ok();
        }
        const entry = this.catalog.get(name);
        const isTable = entry?.kind === 'table';
        if (entry === undefined || isTable !== (stmt.object === 'TABLE')) {
          if (stmt.ifExists) return ok();
          throw new SqlValidationError(`unknown ${stmt.object.toLowerCase()} ${name}`, sql, stmt.pos);
        }
        this.catalog.drop(name);
        return ok();
      }
      case 'explain': return rows(['plan'], [[this.explainStatement(stmt.statement, sql)]]);
      case 'show':
        switch (stmt.object) {
          case 'TABLES': return rows(['table name'], this.catalog.list('tables').map((n) => [n]));
          case 'VIEWS': return rows(['view name'], this.catalog.list('views').filter((n) => !n.includes('$')).map((n) => [n]));
          case 'FUNCTIONS': return rows(['function name'], this.functions.names().map((n) => [n]));
          case 'CATALOGS': return rows(['catalog name'], [['default_catalog']]);
          case 'DATABASES': return rows(['database name'], [['default_database']]);
          default: throw new SqlValidationError(`SHOW ${stmt.object} is not supported here`, sql, stmt.pos);
        }
      case 'describe': {
        const entry = this.catalog.get(tableName(stmt.name));
        const schema = entry?.kind === 'table' ? entry.schema : this.from(tableName(stmt.name)).getSchema();
        const pk = new Set(schema.primaryKey ?? []);
        return rows(['name', 'type', 'null', 'key'], schema.columns.map((c) => [
          c.name, typeToString({ ...c.type, nullable: true }), c.type.nullable ? 'TRUE' : 'FALSE', pk.has(c.name) ? `PRI(${[...pk].join(', ')})` : null,
        ]));
      }
      case 'set':
        if (stmt.key === undefined) return rows(['key', 'value'], [...this.settings.entries()]);
        if (stmt.key === 'execution.runtime-mode') {
          const mode = (stmt.value ?? '').trim().toLowerCase();
          if (mode !== 'streaming' && mode !== 'batch' && mode !== 'automatic') {
            throw new SqlValidationError(`execution.runtime-mode must be 'streaming', 'batch' or 'automatic', got '${stmt.value ?? ''}'`, sql, stmt.pos);
          }
          this.env.setRuntimeMode(mode);
        }
        this.settings.set(stmt.key, stmt.value ?? '');
        return ok();
      case 'reset':
        if (stmt.key === undefined) this.settings.clear(); else this.settings.delete(stmt.key);
        return ok();
      case 'createFunction':
        throw new SqlValidationError('CREATE FUNCTION by class name is not supported: register TypeScript functions with createTemporarySystemFunction', sql, stmt.pos);
      default:
        throw new SqlValidationError(`the ${stmt.kind} statement is not supported here`, sql, stmt.pos);
    }
  }

  /** The plan of a statement, operator by operator. */
  explainSql(sql: string): string {
    return this.explainStatement(parseStatement(sql), sql);
  }

  private explainStatement(stmt: Statement, sql: string): string {
    if (stmt.kind === 'explain') return this.explainStatement(stmt.statement, sql);
    if (stmt.kind === 'statementSet') return this.statementSetOf(stmt, sql).explain();
    if (isQuery(stmt)) return `== Physical Plan ==\n${this.explainNode(this.planner(sql).planQuery(stmt).node)}\n`;
    if (stmt.kind === 'insert') {
      return `== Physical Plan ==\n${this.explainInsert(this.planInsert(stmt, sql))}\n`;
    }
    throw new SqlValidationError(`EXPLAIN of a ${stmt.kind} statement is not supported`, sql, stmt.pos);
  }

  /** The INSERT's query cast to the sink's columns, and the sink table. */
  private planInsert(stmt: InsertStatement, sql: string): PlannedInsert {
    if (stmt.overwrite) throw new SqlValidationError('INSERT OVERWRITE is not supported', sql, stmt.pos);
    const at = (pos: InsertStatement['pos']) => (reason: string): Error => new SqlValidationError(reason, sql, pos);
    return this.planInsertOf(tableName(stmt.table), stmt.table.join('.'), () => this.planner(sql).planQuery(stmt.query), stmt.columns, at(stmt.pos), at(stmt.query.pos));
  }

  /** @internal An INSERT of `table` into the catalog table `targetPath` (Flink's `addInsert`). */
  planTableInsert(targetPath: string, table: Table): PlannedInsert {
    const err = (reason: string): Error => new TableError(reason);
    return this.planInsertOf(tableName(targetPath.split('.')), targetPath, () => table.planned, undefined, err, err);
  }

  /** An INSERT: `error` for the statement, `queryError` for what the query gives. */
  private planInsertOf(
    target: string, written: string, plan: () => Planned, columns: readonly string[] | undefined,
    error: (reason: string) => Error, queryError: (reason: string) => Error,
  ): PlannedInsert {
    const entry = this.catalog.get(target);
    if (entry === undefined) throw error(`unknown table ${written}`);
    if (entry.kind !== 'table') throw error(`${target} is a view; INSERT INTO needs a table`);
    const connector = findTableConnector(entry.options.connector);
    if (!connector?.createSink) throw error(`table ${target} cannot be written: the ${entry.options.connector} connector is a source only`);
    const planned = plan();
    const sinkCols = physicalSchema(entry).columns;
    const names = columns ?? sinkCols.map((c) => c.name);
    if (names.length !== planned.fields.length) {
      throw queryError(`INSERT INTO ${target}: the query has ${planned.fields.length} columns, the sink takes ${names.length}`);
    }
    // The sink's row: each physical column from the query's column of that position, or NULL.
    const projection = sinkCols.map((c) => {
      const i = names.indexOf(c.name);
      if (i < 0) {
        if (!c.type.nullable) throw error(`INSERT INTO ${target}: column ${c.name} is NOT NULL and gets no value`);
        return 'null';
      }
      const from = planned.fields[i].type;
      if (!isAssignable(from, c.type)) {
        throw queryError(`INSERT INTO ${target}: column ${c.name} is ${typeToString(c.type)}, but the query gives ${typeToString(from)}`);
      }
      return `r[${i}]`;
    });
    for (const n of names) if (!sinkCols.some((c) => c.name === n)) throw error(`INSERT INTO ${target}: unknown column ${n}`);
    if (!planned.node.insertOnly && !this.batchRequested() && !acceptsUpdates(connector, { tableName: target, physical: physicalSchema(entry), options: entry.options, partitionKeys: entry.partitionKeys ?? [] })) {
      throw queryError(`table ${target} (connector ${entry.options.connector}) is append-only, but the query produces updates (an updating result: GROUP BY, an outer join, ROW_NUMBER, ...); use a sink that accepts updates or a query that only inserts`);
    }
    const fields = sinkCols.map((c) => ({ name: c.name, type: c.type }));
    return { planned: addCalc(planned, { projection, constants: [], projectionSql: sinkCols.map((c) => c.name) }, fields), target };
  }

  /** Submits a planned INSERT (planning errors were thrown before, synchronously). */
  private insert(insert: PlannedInsert): Promise<TableResult> { return this.executeInserts([insert]); }

  /**
   * @internal Submits planned INSERTs as one job (a statement set): one translator, so the
   * operators of every INSERT get distinct stable uids; one column per sink in the result.
   */
  async executeInserts(inserts: readonly PlannedInsert[]): Promise<TableResult> {
    if (inserts.length === 0) throw new TableError('a statement set needs at least one INSERT');
    const translator = this.translator();
    for (const { planned, target } of inserts) {
      const entry = this.catalog.get(target);
      if (entry?.kind !== 'table') throw new TableError(`table ${target} was dropped before the INSERT ran`);
      const stream = this.resultChanges(translator, planned.node);
      findTableConnector(entry.options.connector)!.createSink!(stream, { tableName: target, physical: physicalSchema(entry), options: entry.options, partitionKeys: entry.partitionKeys ?? [] })
        .uid(translator.uid(planned.node, `sink-${target}`));
    }
    const jobClient = await this.env.executeAsync(`insert-into_${inserts.map((i) => i.target).join(',')}`);
    const columns = inserts.map((i) => ({ name: `default_catalog.default_database.${i.target}`, type: { kind: 'BIGINT' as const, nullable: false } }));
    return new TableResult(new Schema(uniqueNames(columns.map((c) => c.name)).map((name, i) => ({ ...columns[i], name }))), 'SUCCESS_WITH_CONTENT', { rows: [inserts.map(() => -1)], jobClient });
  }

  /** @internal `table.executeInsert(targetPath)`: one INSERT as its own job. */
  executeTableInsert(targetPath: string, table: Table): Promise<TableResult> {
    return this.executeInserts([this.planTableInsert(targetPath, table)]);
  }

  /** A set of INSERTs that run as one job (Flink's StatementSet). */
  createStatementSet(): StatementSet { return new StatementSet(this); }

  /** @internal The plan of a planned INSERT, as EXPLAIN prints it. */
  explainInsert({ planned, target }: PlannedInsert): string {
    return `Sink(table=[${target}], fields=[${planned.node.schema.names.join(', ')}])\n+- ${this.explainNode(planned.node).split('\n').join('\n   ')}`;
  }

  /** @internal Plans an `INSERT INTO ...` statement of a statement set. */
  planInsertSql(sql: string): PlannedInsert {
    const stmt = parseStatement(sql);
    if (stmt.kind !== 'insert') throw new SqlValidationError(`a statement set takes INSERT statements, not ${isQuery(stmt) ? 'a query' : `a ${stmt.kind} statement`}`, sql, stmt.pos);
    return this.planInsert(stmt, sql);
  }

  /** @internal runs a Table's query and collects its changes. */
  executeTable(table: Table): TableResult {
    const schema = table.getSchema();
    return new TableResult(schema, 'SUCCESS_WITH_CONTENT', {
      run: async () => {
        const translator = this.translator();
        const stream = this.resultChanges(translator, table.planned.node);
        const exactlyOnce = this.env.getCheckpointConfig().isCheckpointingEnabled();
        const sink = exactlyOnce ? new ExactlyOnceCollectSink<Change>() : new CollectSink<Change>();
        // One collecting subtask: the changes of a key reach it in the order they were made.
        stream.sinkTo(sink).name('Collect Sink').setParallelism(1).uid(translator.uid(table.planned.node, 'collect'));
        await this.env.execute(`collect_${table.name}`);
        return sink.results;
      },
    });
  }

  /**
   * Registers a view: a Table, or a DataStream of plain objects (columns = fields; types from
   * `schema.columns` or, for a stream from fromElements/fromCollection, from its elements;
   * `schema.rowtime` adds an event-time column from the stream's timestamps and watermarks).
   */
  createTemporaryView<T>(name: string, source: DataStream<T> | Table, schema?: ViewSchema): void {
    if (this.catalog.has(name)) throw new TableError(`a table or view named ${name} already exists`);
    if (source instanceof Table) {
      this.catalog.add({ kind: 'planned', name, node: source.planned.node });
      return;
    }
    const resolved = inferStreamSchema(source as DataStream<unknown>, schema, name);
    const rowtime = schema?.rowtime;
    const changes = (source as DataStream<Row>).process({
      processElement(value: Row, ctx: { timestamp(): number | undefined }, out: { collect(c: Change): void }) {
        const row = fromRow(resolved, value);
        if (rowtime !== undefined) row[row.length - 1] = ctx.timestamp() ?? null;
        out.collect({ op: '+I', row });
      },
    } as never).name(`FromDataStream(${name})`).uid(`table-from-datastream-${name}`) as DataStream<Change>;
    this.catalog.add({ kind: 'stream', name, schema: resolved, stream: changes, insertOnly: true });
  }

  /** A table over a changelog stream (`{ op, row }` with row objects). */
  fromChangelogStream<T extends ChangelogRow>(stream: DataStream<T>, schema?: ViewSchema): Table {
    const resolved = inferStreamSchema(stream as DataStream<unknown>, schema, 'changelog stream', true);
    const rowtime = schema?.rowtime;
    const changes = (stream as unknown as DataStream<ChangelogRow>).process({
      processElement(c: ChangelogRow, ctx: { timestamp(): number | undefined }, out: { collect(c: Change): void }) {
        if (c.op !== '+I' && c.op !== '-U' && c.op !== '+U' && c.op !== '-D') throw new TableError(`not a changelog row kind: ${String(c.op)}`);
        const row = fromRow(resolved, c.row);
        if (rowtime !== undefined) row[row.length - 1] = ctx.timestamp() ?? null;
        out.collect({ op: c.op, row });
      },
    } as never).name('FromChangelogStream') as DataStream<Change>;
    const name = `UnnamedTable$${this.anonymous++}`;
    this.catalog.add({ kind: 'stream', name, schema: resolved, stream: changes, insertOnly: false });
    const fields = resolved.columns.map((c) => ({ name: c.name, type: c.type }));
    return new Table(this, { node: { kind: 'streamScan', name, stream: changes, schema: resolved, insertOnly: false }, fields }, name);
  }

  /** An insert-only table as a DataStream of rows; an updating one is refused (in BATCH mode every result is insert-only). */
  toDataStream(table: Table): DataStream<Row> {
    if (!table.isInsertOnly() && !this.batchRequested()) {
      throw new TableError('toDataStream needs an insert-only table, but this table is updating (GROUP BY, outer joins, ROW_NUMBER, ... produce updates): use toChangelogStream, or run the job in BATCH mode');
    }
    const schema = table.getSchema();
    return this.resultChanges(this.translator(), table.planned.node).map((c) => toRow(schema, c.row)).name('ToDataStream');
  }

  /** Any table as a DataStream of its changes. */
  toChangelogStream(table: Table): DataStream<ChangelogRow> {
    const schema = table.getSchema();
    return this.resultChanges(this.translator(), table.planned.node)
      .map((c): ChangelogRow => ({ op: c.op, row: toRow(schema, c.row) })).name('ToChangelogStream');
  }

  /**
   * Registers a user-defined function: scalar (a plain function returns STRING unless it names its
   * resultType), table (`{ rows: function* (...) {...}, columns }`, used as LATERAL TABLE(fn(...)))
   * or aggregate.
   */
  createTemporarySystemFunction(name: string, fn: ScalarFunctionDefinition | TableFunctionDefinition | AggregateFunctionDefinition): void {
    if (typeof fn === 'object' && fn !== null && 'rows' in fn) {
      const columns = Object.entries(fn.columns).map(([n, t]) => ({ name: n, type: parseTypeText(t) }));
      if (columns.length === 0) throw new TableError(`createTemporarySystemFunction(${name}): a table function needs at least one column`);
      const rows = fn.rows;
      this.functions.registerTable({ name, fn: (...a: unknown[]) => rows(...a), columns });
    } else if (typeof fn === 'function') {
      this.functions.registerScalar({ name, fn, resultType: parseTypeText('STRING') });
    } else if ('eval' in fn) {
      const evalFn = fn.eval;
      this.functions.registerScalar({ name, fn: (...a: unknown[]) => evalFn(...a), resultType: parseTypeText(fn.resultType) });
    } else if ('accumulate' in fn && 'getValue' in fn && 'createAccumulator' in fn) {
      this.functions.registerAggregate({
        name,
        createAccumulator: () => fn.createAccumulator(),
        accumulate: (acc, ...a) => fn.accumulate(acc, ...a),
        ...(fn.retract ? { retract: (acc: unknown, ...a: unknown[]) => fn.retract!(acc, ...a) } : {}),
        ...(fn.merge ? { merge: (acc: unknown, other: unknown) => fn.merge!(acc, other) } : {}),
        getValue: (acc) => fn.getValue(acc),
        resultType: parseTypeText(fn.resultType ?? 'DOUBLE'),
      });
    } else {
      throw new TableError(`createTemporarySystemFunction(${name}): expected a function, { eval, resultType } or an aggregate function`);
    }
  }

  /** The names of the catalog's tables. */
  listTables(): string[] { return this.catalog.list('tables'); }

  /** The names of the catalog's views. */
  listViews(): string[] { return this.catalog.list('views').filter((n) => !n.includes('$')); }
}
