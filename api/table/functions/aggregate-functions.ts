// The built-in aggregate functions as accumulators that can be added to and retracted from (so
// that a GROUP BY downstream of an updating input stays exact), plus DISTINCT and FILTER around
// any of them. Accumulators are plain arrays and objects: they live in keyed state and are
// checkpointed with msgpack. MIN/MAX keep a multiset of values only when the input can retract.
// Accumulators that can be merged (two partial aggregates into one) say so with `merge`: window
// aggregation shares slices between overlapping windows only when every aggregate has it.
// Imports only the UDF shape.
import type { AggregateUdf } from '../planner/function-catalog.ts';

/** An aggregate's accumulator logic. */
export interface Accumulator {
  create(): unknown;
  add(acc: unknown, args: readonly unknown[]): unknown;
  retract(acc: unknown, args: readonly unknown[]): unknown;
  value(acc: unknown): unknown;
  /**
   * Folds `other` into `target` and returns the result. `target` is a fresh accumulator of the
   * caller's (it may be mutated); `other` must be left as it was (a slice shared by windows).
   */
  merge?(target: unknown, other: unknown): unknown;
}

/** A multiset of values keyed by their JSON text: key -> [value, count]. */
type Multiset = Record<string, [unknown, number]>;

function msAdd(ms: Multiset, v: unknown): boolean {
  const k = JSON.stringify(v);
  const e = ms[k];
  if (e) { e[1]++; return false; }
  ms[k] = [v, 1];
  return true;
}

function msRemove(ms: Multiset, v: unknown): boolean {
  const k = JSON.stringify(v);
  const e = ms[k];
  if (!e) return false;
  if (--e[1] === 0) { delete ms[k]; return true; }
  return false;
}

function compare(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function extreme(name: 'MIN' | 'MAX', retracting: boolean): Accumulator {
  const better = name === 'MIN' ? (a: unknown, b: unknown) => compare(a, b) < 0 : (a: unknown, b: unknown) => compare(a, b) > 0;
  if (!retracting) {
    return {
      create: () => null,
      add: (acc, [v]) => (v === null ? acc : acc === null || better(v, acc) ? v : acc),
      retract: () => { throw new Error(`${name} over an append-only input cannot retract`); },
      value: (acc) => acc,
      merge: (target, other) => (other === null ? target : target === null || better(other, target) ? other : target),
    };
  }
  return {
    create: () => ({}),
    add: (acc, [v]) => { if (v !== null) msAdd(acc as Multiset, v); return acc; },
    retract: (acc, [v]) => { if (v !== null) msRemove(acc as Multiset, v); return acc; },
    value: (acc) => {
      let best: unknown = null;
      for (const k in acc as Multiset) {
        const v = (acc as Multiset)[k][0];
        if (best === null || better(v, best)) best = v;
      }
      return best;
    },
  };
}

/** Whether an argument is NULL (a loop: COUNT runs this per row and aggregate). */
function hasNull(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) if (args[i] === null) return true;
  return false;
}

/** The accumulator of built-in `name` (or `udf`) with its DISTINCT and FILTER handling left to `wrap`. */
function base(name: string, integerResult: boolean, retracting: boolean, udf: AggregateUdf | undefined, intSum = false): Accumulator {
  if (udf) {
    return {
      create: () => udf.createAccumulator(),
      add: (acc, args) => udf.accumulate(acc, ...args) ?? acc,
      retract: (acc, args) => {
        if (!udf.retract) throw new Error(`aggregate function ${udf.name} has no retract(): it cannot run on an updating input`);
        return udf.retract(acc, ...args) ?? acc;
      },
      value: (acc) => udf.getValue(acc),
      ...(udf.merge ? { merge: (target: unknown, other: unknown) => udf.merge!(target, other) ?? target } : {}),
    };
  }
  switch (name) {
    case 'COUNT':
      return {
        create: () => 0,
        add: (acc, args) => (hasNull(args) ? acc : (acc as number) + 1),
        retract: (acc, args) => (hasNull(args) ? acc : (acc as number) - 1),
        value: (acc) => acc,
        merge: (target, other) => (target as number) + (other as number),
      };
    case 'SUM': case 'SUM0': case 'AVG':
      // [sum, count of non-null values]: SUM of no values is NULL, SUM0 of none is 0.
      return {
        create: () => [0, 0],
        add: (acc, [v]) => { if (v !== null) { const a = acc as number[]; a[0] += v as number; a[1]++; } return acc; },
        retract: (acc, [v]) => { if (v !== null) { const a = acc as number[]; a[0] -= v as number; a[1]--; } return acc; },
        merge: (target, other) => { const a = target as number[], b = other as number[]; a[0] += b[0]; a[1] += b[1]; return a; },
        value: (acc) => {
          const [sum, n] = acc as number[];
          if (n === 0) return name === 'SUM0' ? 0 : null;
          // SUM of an INT is an INT and wraps at 32 bits as in Flink; the exact double sum taken
          // mod 2^32 once here equals wrapping at every step, and costs nothing per record.
          if (name !== 'AVG') return intSum ? sum | 0 : sum;
          return integerResult ? Math.trunc(sum / n) : sum / n;
        },
      };
    case 'MIN': case 'MAX': return extreme(name, retracting);
    default: throw new Error(`unknown aggregate function ${name}`);
  }
}

/** One aggregate of a group: the accumulator over its argument fields, with DISTINCT and FILTER. */
export function createAccumulator(
  name: string, options: {
    distinct: boolean; integerResult: boolean; retracting: boolean; udf?: AggregateUdf;
    /** The argument is TINYINT, SMALLINT or INT, so SUM's result is an INT (which wraps). */
    intArgument?: boolean;
  },
): Accumulator {
  const inner = base(name, options.integerResult, options.retracting, options.udf, options.intArgument === true);
  if (!options.distinct) return inner;
  // DISTINCT: [multiset of argument tuples, inner accumulator]; the inner sees each tuple once.
  return {
    create: () => [{}, inner.create()],
    add: (acc, args) => {
      const a = acc as [Multiset, unknown];
      if (args.some((x) => x === null)) return acc;
      if (msAdd(a[0], args)) a[1] = inner.add(a[1], args);
      return acc;
    },
    retract: (acc, args) => {
      const a = acc as [Multiset, unknown];
      if (args.some((x) => x === null)) return acc;
      if (msRemove(a[0], args)) a[1] = inner.retract(a[1], args);
      return acc;
    },
    value: (acc) => inner.value((acc as [Multiset, unknown])[1]),
    // Tuples new to the target go through the inner add once, as they would have one by one.
    merge: (target, other) => {
      const a = target as [Multiset, unknown];
      const from = (other as [Multiset, unknown])[0];
      for (const k in from) {
        const e = a[0][k];
        if (e !== undefined) e[1] += from[k][1];
        else { a[0][k] = [from[k][0], from[k][1]]; a[1] = inner.add(a[1], from[k][0] as unknown[]); }
      }
      return a;
    },
  };
}
