// FusedStatelessChain: a run of chained map and filter operators executed as one loop over their
// functions, feeding the run's downstream output. It behaves exactly like the operators it
// replaces (maps and filters keep timestamps, forward watermarks and idleness, hold no state)
// but costs one call per function instead of two dispatches per operator; the runtime builds it
// when it wires an operator chain. It counts records entering the run and passing each filter
// (maps keep the count), from which each fused operator's records in and out follow. Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import { StreamFilter } from './stream-filter.ts';
import { StreamMap } from './stream-map.ts';
import type { Output } from './stream-operator.ts';

/** One fused function: a map, or a filter (keep when true). */
export interface StatelessStep { readonly filter: boolean; readonly fn: (value: any) => any }

/** The step of a built-in map or filter operator, or undefined for any other operator. */
export function statelessStepOf(operator: unknown): StatelessStep | undefined {
  // Exact classes only: a subclass may add behaviour (state, side outputs) the fusion would skip.
  if (operator instanceof StreamMap && operator.constructor === StreamMap) return { filter: false, fn: operator.fn };
  if (operator instanceof StreamFilter && operator.constructor === StreamFilter) return { filter: true, fn: operator.predicate };
  return undefined;
}

/** Applies the steps in order, then emits to `downstream`; usable as an Output and as an operator input. */
export class FusedStatelessChain implements Output<unknown> {
  /** Records that entered the run (its first operator's numRecordsIn). */
  entered = 0;
  /**
   * Per step, the records a filter let through, counted only for a filter with another filter
   * after it: what the last filter lets through is what the run emits, which its consumer counts.
   */
  readonly passed: number[];
  /** Per step, whether `passed` is counted there. */
  private readonly counted: boolean[];

  constructor(readonly steps: readonly StatelessStep[], readonly downstream: Output<unknown>) {
    this.passed = steps.map(() => 0);
    this.counted = steps.map((step, i) => step.filter && steps.slice(i + 1).some((s) => s.filter));
  }

  collect(value: unknown, timestamp: number): void {
    const steps = this.steps;
    this.entered++;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.filter) { if (!step.fn(value)) return; if (this.counted[i]) this.passed[i]++; } else value = step.fn(value);
    }
    this.downstream.collect(value, timestamp);
  }

  /**
   * Records that reached step `index` (`steps.length`: those the run emitted), given `emitted`,
   * the records the run handed its downstream (as the downstream counted them).
   */
  recordsInto(index: number, emitted: () => number): number {
    let n = this.entered;
    for (let i = 0; i < index && i < this.steps.length; i++) {
      if (!this.steps[i].filter) continue;
      if (!this.counted[i]) return emitted();
      n = this.passed[i];
    }
    return n;
  }

  /** The same as collect: lets the chain stand where an operator input is expected. */
  processElement(value: unknown, timestamp: number): void { this.collect(value, timestamp); }

  collectSide<X>(_tag: OutputTag<X>, _value: X, _timestamp: number): void {}
  emitWatermark(timestamp: number): void { this.downstream.emitWatermark(timestamp); }
  emitWatermarkStatus(idle: boolean): void { this.downstream.emitWatermarkStatus(idle); }

  /** This run preceded by `step`. */
  prepend(step: StatelessStep): FusedStatelessChain { return new FusedStatelessChain([step, ...this.steps], this.downstream); }
}
