// Table: a planned query of a table environment (Flink's Table). Its Table API methods (select,
// where, groupBy().select(), unionAll, join) build SQL over it, so SQL and the Table API share one
// planner; execute() runs it and gives a TableResult. `String(table)` is the name under which it
// can be used inside SQL text of the same environment. Imports the planner and expressions.
import { expressionToSql } from './sql/unparse.ts';
import { Expression, $ } from './expressions.ts';
import type { GroupWindow } from './group-windows.ts';
import type { Planned } from './planner/query-planner.ts';
import { explainPlan } from './planner/explain.ts';
import type { TableResult } from './table-result.ts';
import type { Schema } from './types/schema.ts';

/** What a Table needs from its environment. */
export interface TableOwner {
  /** Plans SQL text that may name anonymous tables. */
  sqlQuery(sql: string): Table;
  /** @internal runs a planned table. */
  executeTable(table: Table): TableResult;
  /** @internal runs an INSERT of a table into a catalog table. */
  executeTableInsert(targetPath: string, table: Table): Promise<TableResult>;
  /** @internal The plan as EXPLAIN prints it under the owner's options (mini-batch, aggregation phases). */
  explainNode?(node: Planned['node']): string;
}

/** A field list item: an expression, or SQL text of one (`'price * 2 AS doubled'`). */
export type SelectItem = Expression | string;

function itemSql(item: SelectItem): string {
  if (typeof item === 'string') return item;
  const text = expressionToSql(item.node);
  return item.alias ? `${text} AS ${quote(item.alias)}` : text;
}

function condSql(c: Expression | string): string { return typeof c === 'string' ? c : expressionToSql(c.node); }

function quote(name: string): string { return `\`${name.replace(/`/g, '``')}\``; }

/** A grouped table: `select` aggregates per group. */
export class GroupedTable {
  constructor(private readonly table: Table, private readonly keys: readonly SelectItem[]) {}

  /** The keys and aggregates of each group. */
  select(...items: SelectItem[]): Table {
    return this.table.owner.sqlQuery(`SELECT ${items.map(itemSql).join(', ')} FROM ${this.table} GROUP BY ${this.keys.map(itemSql).join(', ')}`);
  }
}

/** A table with a group window: group by its alias (and other keys) next. */
export class WindowedTable {
  constructor(private readonly table: Table, private readonly window: GroupWindow) {}

  /** Groups by the window's alias and further keys; follow with `.select(...)`. */
  groupBy(...keys: SelectItem[]): WindowGroupedTable {
    const alias = this.window.alias;
    const isAlias = (k: SelectItem): boolean => typeof k !== 'string' && k.node.kind === 'column' && k.node.names.length === 1 && k.node.names[0] === alias;
    if (!keys.some(isAlias)) throw new Error(`groupBy of a windowed table must include the window $('${alias}')`);
    return new WindowGroupedTable(this.table, this.window, keys.filter((k) => !isAlias(k)));
  }
}

/** A window-grouped table: `select` aggregates per window and group. */
export class WindowGroupedTable {
  constructor(private readonly table: Table, private readonly window: GroupWindow, private readonly keys: readonly SelectItem[]) {}

  /** The keys, window properties (`$('w').start()`) and aggregates of each window and group. */
  select(...items: SelectItem[]): Table {
    const keys = ['window_start', 'window_end', ...this.keys.map(itemSql)].join(', ');
    return this.table.owner.sqlQuery(`SELECT ${items.map(itemSql).join(', ')} FROM TABLE(${this.window.tvf(String(this.table))}) GROUP BY ${keys}`);
  }
}

/** A query's result as a dynamic table. */
export class Table {
  /** @internal */
  constructor(readonly owner: TableOwner, /** @internal */ readonly planned: Planned, /** @internal */ readonly name: string) {}

  /** The columns of the table. */
  getSchema(): Schema { return this.planned.node.schema; }

  /** Whether the table's changelog only inserts. */
  isInsertOnly(): boolean { return this.planned.node.insertOnly; }

  /** Projects (and computes) columns. */
  select(...items: SelectItem[]): Table { return this.owner.sqlQuery(`SELECT ${items.map(itemSql).join(', ')} FROM ${this}`); }

  /** Keeps the rows where `condition` is TRUE. */
  where(condition: Expression | string): Table { return this.owner.sqlQuery(`SELECT * FROM ${this} WHERE ${condSql(condition)}`); }

  /** Same as where. */
  filter(condition: Expression | string): Table { return this.where(condition); }

  /** Groups by `keys`; follow with `.select(...)`. */
  groupBy(...keys: SelectItem[]): GroupedTable { return new GroupedTable(this, keys); }

  /** A group window (`Tumble.over(...).on(...).as('w')`); group by its alias next. */
  window(window: GroupWindow): WindowedTable { return new WindowedTable(this, window); }

  /** Renames the columns. */
  as(...names: string[]): Table {
    const cols = this.getSchema().names;
    if (names.length !== cols.length) throw new Error(`as(): the table has ${cols.length} columns, got ${names.length} names`);
    return this.select(...cols.map((c, i) => $(c).as(names[i])));
  }

  /** UNION ALL with a table of the same columns. */
  unionAll(other: Table): Table { return this.owner.sqlQuery(`SELECT * FROM ${this} UNION ALL SELECT * FROM ${other}`); }

  /** An inner join with `other` on `condition`. */
  join(other: Table, condition: Expression | string): Table { return this.owner.sqlQuery(`SELECT * FROM ${this} JOIN ${other} ON ${condSql(condition)}`); }

  /** A left outer join with `other` on `condition`. */
  leftOuterJoin(other: Table, condition: Expression | string): Table { return this.owner.sqlQuery(`SELECT * FROM ${this} LEFT JOIN ${other} ON ${condSql(condition)}`); }

  /** Distinct rows. */
  distinct(): Table { return this.owner.sqlQuery(`SELECT DISTINCT * FROM ${this}`); }

  /** Runs the query (one job) and gives its result. */
  execute(): TableResult { return this.owner.executeTable(this); }

  /** Writes the table into the catalog table `targetPath` (one job; Flink's executeInsert). */
  executeInsert(targetPath: string): Promise<TableResult> { return this.owner.executeTableInsert(targetPath, this); }

  /** The plan, operator by operator. */
  explain(): string { return this.owner.explainNode?.(this.planned.node) ?? explainPlan(this.planned.node); }

  /** The table's name inside SQL of its environment. */
  toString(): string { return quote(this.name); }
}

