// FunctionCatalog: the user-defined functions registered on a table environment
// (createTemporarySystemFunction): scalar functions with their result types, and aggregate
// functions with accumulators. Names are case-insensitive, as Flink's function lookup.
// Imports only the types.
import type { LogicalType } from '../types/logical-type.ts';

/** A user-defined scalar function and the SQL type of what it returns. */
export interface ScalarUdf { readonly name: string; readonly fn: (...args: any[]) => unknown; readonly resultType: LogicalType }

/** A user-defined aggregate function (Flink's AggregateFunction with retract for updating input). */
export interface AggregateUdf<ACC = any> {
  readonly name: string;
  createAccumulator(): ACC;
  accumulate(acc: ACC, ...args: any[]): ACC | void;
  retract?(acc: ACC, ...args: any[]): ACC | void;
  /** Folds `other` into `acc` (leaving `other` unchanged): lets window aggregation share slices. */
  merge?(acc: ACC, other: ACC): ACC | void;
  getValue(acc: ACC): unknown;
  readonly resultType: LogicalType;
}

/** A user-defined table function: rows (arrays, or single values for one column) per call. */
export interface TableUdf {
  readonly name: string;
  readonly fn: (...args: any[]) => Iterable<unknown>;
  /** The columns of the rows it makes. */
  readonly columns: readonly { readonly name: string; readonly type: LogicalType }[];
}

/** The user-defined functions of one table environment. */
export class FunctionCatalog {
  private readonly scalars = new Map<string, ScalarUdf>();
  private readonly aggregates = new Map<string, AggregateUdf>();
  private readonly tables = new Map<string, TableUdf>();

  /** Registers (or replaces) a scalar function. */
  registerScalar(udf: ScalarUdf): void { this.aggregates.delete(udf.name.toUpperCase()); this.scalars.set(udf.name.toUpperCase(), udf); }
  /** Registers (or replaces) an aggregate function. */
  registerAggregate(udf: AggregateUdf): void { this.scalars.delete(udf.name.toUpperCase()); this.aggregates.set(udf.name.toUpperCase(), udf); }
  /** Registers (or replaces) a table function. */
  registerTable(udf: TableUdf): void { this.tables.set(udf.name.toUpperCase(), udf); }
  /** The table function `name`, if registered. */
  table(name: string): TableUdf | undefined { return this.tables.get(name.toUpperCase()); }
  /** The scalar function `name`, if registered. */
  scalar(name: string): ScalarUdf | undefined { return this.scalars.get(name.toUpperCase()); }
  /** The aggregate function `name`, if registered. */
  aggregate(name: string): AggregateUdf | undefined { return this.aggregates.get(name.toUpperCase()); }
  /** Drops `name`; true when it existed. */
  drop(name: string): boolean {
    const n = name.toUpperCase();
    return this.scalars.delete(n) || this.aggregates.delete(n) || this.tables.delete(n);
  }
  /** Every registered name. */
  names(): string[] { return [...this.scalars.values(), ...this.aggregates.values(), ...this.tables.values()].map((f) => f.name).sort(); }
}
