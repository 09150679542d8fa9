// Aggregators and convergence criteria of bulk and delta iterations (Flink's iteration
// aggregators): a function of the step reaches the aggregator `name` through its RuntimeContext
// (getIterationAggregator), adds to it during a superstep, and reads the previous superstep's
// combined value (getPreviousIterationAggregate). Every operator subtask gets its own instance
// per superstep; after the superstep barrier the runtime combines them once, in a fixed order
// (operator uid, then subtask index), so the value does not depend on which subtask finished
// first; the built-in sums are exact, so it does not depend on the parallelism either. A
// convergence criterion on one aggregator ends the iteration after the superstep it holds for.
// Pure; imports api/ only.
import { cloneFunction } from './clone-function.ts';
import type { OperatorContext } from '../operators/stream-operator.ts';

/** Adds values up over a superstep (Flink's Aggregator). */
export interface Aggregator<T> {
  /** Adds `value` (a record's contribution, or another subtask's aggregate). */
  aggregate(value: T): void;
  /** The value so far. */
  getAggregate(): T;
  /** Starts from zero again; must assign fresh objects (instances are shallow copies of the registered one). */
  reset(): void;
  /** Optional: folds another instance in without losing precision (else aggregate(other.getAggregate())). */
  merge?(other: Aggregator<T>): void;
}

/** Holds when the iteration has converged after superstep `superstep` (1 for the first) with `value`. */
export type ConvergenceCriterion<T> = (value: T, superstep: number) => boolean;

/** The aggregation options of iterate() and iterateDelta(). */
export interface IterationAggregationOptions {
  /** Aggregators by name. */
  aggregators?: Record<string, Aggregator<any>>;
  /** Ends the iteration after the superstep whose combined value of `aggregator` satisfies `criterion`. */
  convergence?: { aggregator: string; criterion: ConvergenceCriterion<any> };
}

/** What a function inside an iteration's step sees of the iteration (Flink's IterationRuntimeContext). */
export interface IterationRuntimeContext {
  /** The superstep running (1 for the first). */
  getSuperstepNumber(): number;
  /** This subtask's instance of the aggregator `name` for the current superstep. */
  getIterationAggregator<T>(name: string): Aggregator<T>;
  /** The combined value of `name` after the previous superstep (undefined in the first). */
  getPreviousIterationAggregate<T>(name: string): T | undefined;
}

/** Sums numbers that are integers (Flink's LongSumAggregator); exact up to 2^53. */
export class LongSumAggregator implements Aggregator<number> {
  private sum = 0;
  aggregate(value: number): void {
    if (!Number.isInteger(value)) throw new TypeError(`LongSumAggregator adds integers, got ${String(value)}`);
    this.sum += value;
  }
  getAggregate(): number { return this.sum; }
  reset(): void { this.sum = 0; }
}

/**
 * Sums doubles exactly (Flink's DoubleSumAggregator, without its rounding): the sum is kept as
 * non-overlapping partials (Shewchuk's algorithm) and rounded once when read, so the result is
 * the same whatever the order or the split of the values over subtasks.
 */
export class DoubleSumAggregator implements Aggregator<number> {
  private partials: number[] = [];
  aggregate(value: number): void {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`DoubleSumAggregator adds numbers, got ${String(value)}`);
    let x = value;
    let i = 0;
    for (const y0 of this.partials) {
      let y = y0;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) this.partials[i++] = lo;
      x = hi;
    }
    this.partials.length = i;
    this.partials.push(x);
  }
  getAggregate(): number {
    // The partials are non-overlapping and increasing in magnitude: add them from the top down,
    // stopping where the rest can no longer change the rounded sum (as Python's math.fsum).
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi, y = p[--n];
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2, x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
  reset(): void { this.partials = []; }
  merge(other: Aggregator<number>): void {
    if (other instanceof DoubleSumAggregator) for (const v of other.partials) this.aggregate(v);
    else this.aggregate(other.getAggregate());
  }
}

/** The contexts of operators running in an iteration's body, and the iteration they belong to. */
const boundContexts = new WeakMap<OperatorContext, IterationAggregation>();

/** The iteration the operator of `context` runs in, if any. */
export function iterationOf(context: OperatorContext): IterationAggregation | undefined { return boundContexts.get(context); }

/** The aggregation state of one iteration: its superstep, per-subtask aggregators and the combined values. */
export class IterationAggregation {
  private superstep = 0;
  /** Aggregator instances of the running superstep, by `uid#subtask` then name. */
  private slots = new Map<string, Map<string, Aggregator<unknown>>>();
  private previous = new Map<string, unknown>();

  constructor(private readonly options: IterationAggregationOptions, private readonly what: string) {
    for (const [name, aggregator] of Object.entries(options.aggregators ?? {})) {
      if (aggregator === null || typeof aggregator !== 'object' || typeof aggregator.aggregate !== 'function'
        || typeof aggregator.getAggregate !== 'function' || typeof aggregator.reset !== 'function') {
        throw new TypeError(`${what}: aggregator "${name}" must have aggregate(value), getAggregate() and reset()`);
      }
    }
    const convergence = options.convergence;
    if (convergence !== undefined) {
      if (typeof convergence.criterion !== 'function') throw new TypeError(`${what}: convergence.criterion must be a function (value, superstep) => boolean`);
      if (!Object.prototype.hasOwnProperty.call(options.aggregators ?? {}, convergence.aggregator)) {
        throw new Error(`${what}: the convergence criterion reads aggregator "${convergence.aggregator}", which is not among the iteration's aggregators`);
      }
    }
  }

  /** Wraps an operator factory of the body so that its operator's context knows this iteration. */
  bindFactory(factory: () => unknown): () => unknown {
    return () => {
      const operator = factory() as { setup?: (context: OperatorContext, ...rest: unknown[]) => void } | undefined;
      const setup = operator?.setup;
      if (operator !== undefined && typeof setup === 'function') {
        operator.setup = (context: OperatorContext, ...rest: unknown[]): void => {
          boundContexts.set(context, this);
          // A new attempt of the subtask replaces what a failed one aggregated.
          this.slots.delete(slotKey(context));
          setup.call(operator, context, ...rest);
        };
      }
      return operator;
    };
  }

  /** Starts over before the iteration's first superstep (also when the iteration runs again). */
  start(): void { this.superstep = 0; this.slots.clear(); this.previous.clear(); }

  /** Superstep `n` (1 for the first) starts: every aggregator starts from zero. */
  beginSuperstep(n: number): void { this.superstep = n; this.slots.clear(); }

  /** The running superstep. */
  get superstepNumber(): number { return this.superstep; }

  /** The aggregator `name` of the operator subtask of `context`. */
  aggregatorFor<T>(context: OperatorContext, name: string): Aggregator<T> {
    const registered = this.registered(name, 'getIterationAggregator');
    const key = slotKey(context);
    let slot = this.slots.get(key);
    if (slot === undefined) this.slots.set(key, slot = new Map());
    let aggregator = slot.get(name);
    if (aggregator === undefined) slot.set(name, aggregator = fresh(registered));
    return aggregator as Aggregator<T>;
  }

  /** The combined value of `name` after the previous superstep. */
  previousAggregate<T>(name: string): T | undefined {
    this.registered(name, 'getPreviousIterationAggregate');
    return this.previous.get(name) as T | undefined;
  }

  /** The registered aggregator `name`, or an error naming the registered ones. */
  private registered(name: string, call: string): Aggregator<unknown> {
    const aggregators = this.options.aggregators ?? {};
    if (!Object.prototype.hasOwnProperty.call(aggregators, name)) {
      const names = Object.keys(aggregators);
      throw new Error(`${call}("${name}"): ${this.what} registers ${names.length === 0 ? 'no aggregators' : `only ${names.map((n) => `"${n}"`).join(', ')}`}`);
    }
    return aggregators[name];
  }

  /**
   * The superstep's barrier: combines every subtask's aggregators (in uid, then subtask order)
   * and returns whether the convergence criterion holds for the result.
   */
  endSuperstep(): boolean {
    const combined = new Map<string, unknown>();
    const keys = [...this.slots.keys()].sort(compareSlotKeys);
    for (const [name, registered] of Object.entries(this.options.aggregators ?? {})) {
      const total = fresh(registered);
      for (const key of keys) {
        const part = this.slots.get(key)!.get(name);
        if (part === undefined) continue;
        if (typeof total.merge === 'function') total.merge(part);
        else total.aggregate(part.getAggregate());
      }
      combined.set(name, total.getAggregate());
    }
    this.previous = combined;
    this.slots.clear();
    const convergence = this.options.convergence;
    if (convergence === undefined) return false;
    const verdict = convergence.criterion(combined.get(convergence.aggregator), this.superstep);
    if (typeof verdict !== 'boolean') throw new TypeError(`${this.what}: the convergence criterion returned ${String(verdict)}, not a boolean`);
    return verdict;
  }

  /** The combined values of the last finished superstep (tests, logs). */
  get lastAggregates(): ReadonlyMap<string, unknown> { return this.previous; }
}

function fresh<T>(registered: Aggregator<T>): Aggregator<T> {
  const copy = cloneFunction(registered);
  copy.reset();
  return copy;
}

function slotKey(context: OperatorContext): string { return `${context.uid}#${context.subtaskIndex}`; }

function compareSlotKeys(a: string, b: string): number {
  const i = a.lastIndexOf('#'), j = b.lastIndexOf('#');
  const ua = a.slice(0, i), ub = b.slice(0, j);
  if (ua !== ub) return ua < ub ? -1 : 1;
  return Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}
