// StatementSet: several INSERTs planned one by one (errors at once, with their positions) and run
// as one job (Flink's StatementSet): every sink is part of the same job, so one checkpoint covers
// them all and they start, fail, restart and finish together. Sub-plans the INSERTs share (a table
// they all read) are computed once, as in Flink. Imports the table types (type-only).
import type { Planned } from './planner/query-planner.ts';
import type { Table } from './table.ts';
import type { TableResult } from './table-result.ts';

/** A planned INSERT: the query cast to the sink's columns, and the sink table. */
export interface PlannedInsert { readonly planned: Planned; readonly target: string }

/** What a statement set needs of its table environment. */
export interface StatementSetOwner {
  planInsertSql(sql: string): PlannedInsert;
  planTableInsert(targetPath: string, table: Table): PlannedInsert;
  explainInsert(insert: PlannedInsert): string;
  executeInserts(inserts: readonly PlannedInsert[]): Promise<TableResult>;
}

/** INSERTs that run together as one job. */
export class StatementSet {
  private readonly inserts: PlannedInsert[] = [];

  /** @internal use `tEnv.createStatementSet()`. */
  constructor(private readonly owner: StatementSetOwner) {}

  /** Adds `INSERT INTO sink SELECT ...` (planned now: a bad statement throws here). */
  addInsertSql(sql: string): this {
    this.inserts.push(this.owner.planInsertSql(sql));
    return this;
  }

  /** Adds an INSERT of `table` into the catalog table `targetPath`. */
  addInsert(targetPath: string, table: Table): this {
    this.inserts.push(this.owner.planTableInsert(targetPath, table));
    return this;
  }

  /** @internal Adds an INSERT already planned (`EXECUTE STATEMENT SET` plans its INSERTs against the whole statement's text). */
  addPlannedInsert(insert: PlannedInsert): this {
    this.inserts.push(insert);
    return this;
  }

  /** The plans of the INSERTs added so far. */
  explain(): string {
    return `== Physical Plan ==\n${this.inserts.map((i) => this.owner.explainInsert(i)).join('\n\n')}\n`;
  }

  /**
   * Submits every INSERT added as one job; the result holds its JobClient (`await()` waits for it).
   * The set is empty afterwards, as in Flink.
   */
  async execute(): Promise<TableResult> {
    const inserts = this.inserts.splice(0);
    return this.owner.executeInserts(inserts);
  }
}
