// How the SQL client shows a query's result, in Flink's three result modes: 'table' (the rows of
// the result, its changelog applied; redrawn in place on a terminal, printed once at the end
// elsewhere), 'changelog' (every change as it arrives, `+I[a, b]`) and 'tableau' (an ASCII table
// with an op column whose rows are printed as they arrive). Also the box table the client prints
// for SHOW, DESCRIBE and SET. Imports only the Table API's public types.
import type { ChangelogRow, LogicalType, Row, TableColumn } from '../../../api/index.ts';

/** The result modes of 'sql-client.execution.result-mode'. */
export const RESULT_MODES = ['table', 'changelog', 'tableau'] as const;
/** One of RESULT_MODES. */
export type ResultMode = typeof RESULT_MODES[number];

/** Where the client writes: lines, and (on a terminal) a block of lines redrawn in place. */
export interface SessionOutput {
  println(line: string): void;
  /** Replaces the block last drawn by refresh (absent when the output is not a terminal). */
  refresh?(lines: readonly string[]): void;
  /** Ends the in-place block: the next refresh starts a new one below it. */
  endRefresh?(): void;
}

/** A value as the client prints it (Flink's `<NULL>`, timestamps as `yyyy-MM-dd HH:mm:ss.SSS`). */
export function formatValue(value: unknown, type?: LogicalType): string {
  if (value === null || value === undefined) return '<NULL>';
  if (typeof value === 'number' && type && (type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ')) {
    return new Date(value).toISOString().replace('T', ' ').replace('Z', '');
  }
  if (typeof value === 'number' && type?.kind === 'DATE') return new Date(value * 86_400_000).toISOString().slice(0, 10);
  if (typeof value === 'object') return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/** A box table of `names` over `cells` (right-aligned, as Flink's tableau). */
export function boxTable(names: readonly string[], cells: readonly (readonly string[])[]): string[] {
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i].length)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (vs: readonly string[]): string => `| ${vs.map((v, i) => v.padStart(widths[i])).join(' | ')} |`;
  return [rule, line(names), rule, ...cells.map(line), rule];
}

/** `N rows in set` / `Empty set`, as Flink's client says it. */
export function rowCount(n: number, what = 'in set'): string {
  return n === 0 ? 'Empty set' : `${n} row${n === 1 ? '' : 's'} ${what}`;
}

/** The width of a tableau column: its name or the widest value its type usually prints as. */
function tableauWidth(column: TableColumn): number {
  const byType: Partial<Record<LogicalType['kind'], number>> = {
    BOOLEAN: 6, TINYINT: 4, SMALLINT: 6, INT: 11, BIGINT: 20, FLOAT: 20, DOUBLE: 20, DECIMAL: 20,
    DATE: 10, TIME: 12, TIMESTAMP: 23, TIMESTAMP_LTZ: 23,
  };
  return Math.max(column.name.length, byType[column.type.kind] ?? 25);
}

/** Fits `text` into `width` (cut with '...' as Flink's tableau does). */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 3))}...`;
}

/** Shows one query's changes as they arrive, then its end. */
export class ResultView {
  private readonly live: { key: string; cells: string[] }[] = [];
  private received = 0;
  private readonly widths: number[];
  private redrawPending = false;
  private ended = false;

  constructor(
    private readonly mode: ResultMode,
    private readonly columns: readonly TableColumn[],
    private readonly out: SessionOutput,
    /** Schedules a terminal redraw (throttled by the caller's clock). */
    private readonly schedule: (fn: () => void) => void = (fn) => fn(),
  ) {
    this.widths = columns.map(tableauWidth);
    if (mode === 'tableau') {
      for (const line of this.tableauHeader()) out.println(line);
    }
  }

  private cellsOf(row: Row): string[] {
    return this.columns.map((c) => formatValue(row[c.name], c.type));
  }

  private tableauRule(): string { return `+----+${this.widths.map((w) => '-'.repeat(w + 2)).join('+')}+`; }

  private tableauHeader(): string[] {
    const names = this.columns.map((c, i) => fit(c.name, this.widths[i]).padStart(this.widths[i]));
    return [this.tableauRule(), `| op | ${names.join(' | ')} |`, this.tableauRule()];
  }

  /** One change of the result. */
  add(change: ChangelogRow): void {
    this.received++;
    const cells = this.cellsOf(change.row);
    if (this.mode === 'changelog') {
      this.out.println(`${change.op}[${cells.join(', ')}]`);
      return;
    }
    if (this.mode === 'tableau') {
      this.out.println(`| ${change.op} | ${cells.map((v, i) => fit(v, this.widths[i]).padStart(this.widths[i])).join(' | ')} |`);
      return;
    }
    const key = JSON.stringify(cells);
    if (change.op === '+I' || change.op === '+U') {
      this.live.push({ key, cells });
    } else {
      // A retraction removes the most recent equal row (as Flink's materialized result does).
      for (let i = this.live.length - 1; i >= 0; i--) {
        if (this.live[i].key === key) { this.live.splice(i, 1); break; }
      }
    }
    if (this.out.refresh && !this.redrawPending) {
      this.redrawPending = true;
      this.schedule(() => {
        this.redrawPending = false;
        // A redraw due after the end would draw the final table a second time.
        if (!this.ended) this.out.refresh!(this.tableLines());
      });
    }
  }

  /** The materialized table as it stands. */
  private tableLines(): string[] {
    return [...boxTable(this.columns.map((c) => c.name), this.live.map((r) => r.cells)), rowCount(this.live.length)];
  }

  /** The rows of the materialized table ('table' mode), as printed cells. */
  rows(): string[][] { return this.live.map((r) => r.cells); }

  /** The query has ended (or was interrupted): the final table or the closing lines. */
  end(interrupted: boolean): void {
    this.ended = true;
    if (this.mode === 'table') {
      const lines = this.tableLines();
      if (this.out.refresh) { this.out.refresh(lines); this.out.endRefresh?.(); } else for (const l of lines) this.out.println(l);
    } else if (this.mode === 'tableau') {
      this.out.println(this.tableauRule());
      this.out.println(`Received a total of ${this.received} row${this.received === 1 ? '' : 's'}`);
    } else {
      this.out.println(`Received a total of ${this.received} change${this.received === 1 ? '' : 's'}`);
    }
    if (interrupted) this.out.println('[INFO] Query interrupted: the result above is what had arrived.');
  }
}
