// FusedStatelessChain: a run of chained map and filter operators executed as one loop over their
// functions, feeding the run's downstream output. It behaves exactly like the operators it
// replaces (maps and filters keep timestamps, forward watermarks and idleness, hold no state)
// but costs one call per function instead of two dispatches per operator; the runtime builds it
// when it wires an operator chain. It counts the records each filter drops; with what the run
// emits (counted by its consumer) each fused operator's records in and out follow. Imports api/ only.
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
  /**
   * Per step, the records a filter dropped (maps drop none). Counting drops rather than passes
   * costs an increment only for a record that goes no further: the records that reached a step are
   * those the run emitted (its consumer counts them) plus those dropped at that step or later.
   */
  readonly dropped: number[];

  constructor(readonly steps: readonly StatelessStep[], readonly downstream: Output<unknown>) {
    this.dropped = steps.map(() => 0);
  }

  collect(value: unknown, timestamp: number): void {
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.filter) { if (!step.fn(value)) { this.dropped[i]++; return; } } else value = step.fn(value);
    }
    this.downstream.collect(value, timestamp);
  }

  /**
   * Records that reached step `index` (`steps.length`: those the run emitted), given `emitted`,
   * the records the run handed its downstream (as the downstream counted them).
   */
  recordsInto(index: number, emitted: () => number): number {
    let n = emitted();
    for (let i = Math.max(0, index); i < this.steps.length; i++) n += this.dropped[i];
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
