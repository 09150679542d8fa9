// TableResult: what executeSql and Table.execute return (Flink's TableResult). For a query it
// runs the job on first use and gives the final rows (changelog applied) or every change in order;
// for INSERT INTO it holds the submitted job's JobClient; for DDL and SHOW/DESCRIBE/EXPLAIN it
// holds the rows of the answer. Imports api/ environment types and the table types.
import type { JobClient } from '../environment/job-client.ts';
import { applyChangelog, toRow, type Change, type ChangelogRow, type Row } from './types/row.ts';
import type { Schema } from './types/schema.ts';

/** Whether a result has rows to show (Flink's ResultKind). */
export type ResultKind = 'SUCCESS' | 'SUCCESS_WITH_CONTENT';

/** The outcome of a statement or of executing a Table. */
export class TableResult {
  private changes?: Promise<Change[]>;

  /** @internal use the table environment. */
  constructor(
    private readonly schema: Schema,
    readonly resultKind: ResultKind,
    private readonly source: { run?: () => Promise<Change[]>; rows?: readonly unknown[][]; jobClient?: JobClient },
  ) {}

  /** The columns of the result. */
  getResolvedSchema(): Schema { return this.schema; }

  /** The job of an INSERT INTO (undefined for other statements and before a query runs). */
  getJobClient(): JobClient | undefined { return this.source.jobClient; }

  /** Waits until the INSERT job (or the query) has finished. */
  async await(): Promise<void> {
    if (this.source.jobClient) { await this.source.jobClient.getJobExecutionResult(); return; }
    await this.runOnce();
  }

  /** The final rows: an updating result is materialized (its changelog applied). */
  async collect(): Promise<Row[]> {
    if (this.source.rows) return this.source.rows.map((r) => toRow(this.schema, r));
    return applyChangelog(await this.runOnce()).map((r) => toRow(this.schema, r));
  }

  /** Every change of the result, in order. */
  async collectChangelog(): Promise<ChangelogRow[]> {
    if (this.source.rows) return this.source.rows.map((r) => ({ op: '+I' as const, row: toRow(this.schema, r) }));
    return (await this.runOnce()).map((c) => ({ op: c.op, row: toRow(this.schema, c.row) }));
  }

  /** Prints the final rows as a table (Flink's TableResult.print). */
  async print(log: (line: string) => void = (l) => console.log(l)): Promise<void> {
    const rows = await this.collect();
    const names = this.schema.names;
    const cells = rows.map((r) => names.map((n) => (r[n] === null ? '<NULL>' : String(r[n]))));
    const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i].length)));
    const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
    log(line);
    log(`| ${names.map((n, i) => n.padStart(widths[i])).join(' | ')} |`);
    log(line);
    for (const c of cells) log(`| ${c.map((v, i) => v.padStart(widths[i])).join(' | ')} |`);
    log(line);
    log(`${rows.length} row${rows.length === 1 ? '' : 's'} in set`);
  }

  private runOnce(): Promise<Change[]> {
    if (!this.source.run) return Promise.resolve([]);
    this.changes ??= this.source.run();
    return this.changes;
  }
}
