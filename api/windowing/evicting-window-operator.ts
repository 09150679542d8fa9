// EvictingWindowOperator: a window operator that buffers every element with its timestamp so an
// evictor can drop some before and/or after the window function (Flink's EvictingWindowOperator).
// Reduce and aggregate run over the kept elements at firing time. Imports api/ and state/ only.
import type { Key } from '../../state/key-groups.ts';
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { ListStateDescriptor } from '../../state/state-descriptors.ts';
import type { Evictor, EvictorContext, TimestampedValue } from './evictor.ts';
import type { InternalWindowFunction } from './internal-window-function.ts';
import type { Window } from './time-window.ts';
import { WindowOperator, type WindowOperatorOptions } from './window-operator.ts';

/** Options of an evicting window operator: the window function sees the kept elements. */
export interface EvictingWindowOperatorOptions<IN, OUT, K extends Key, W extends Window>
  extends Omit<WindowOperatorOptions<IN, Iterable<IN>, OUT, K, W>, 'contents'> {
  evictor: Evictor<IN, W>;
  windowFunction: InternalWindowFunction<Iterable<IN>, OUT, K, W>;
}

/** Keyed windows with an evictor. */
export class EvictingWindowOperator<IN, OUT, K extends Key, W extends Window> extends WindowOperator<IN, Iterable<IN>, OUT, K, W> {
  private readonly evictor: Evictor<IN, W>;
  private readonly evictorContext: EvictorContext;

  constructor(options: EvictingWindowOperatorOptions<IN, OUT, K, W>) {
    super({ ...options, contents: new ListStateDescriptor<TimestampedValue<IN>>('window-contents') });
    this.evictor = options.evictor;
    this.evictorContext = {
      getCurrentProcessingTime: () => this.timers.currentProcessingTime(),
      getCurrentWatermark: () => this.currentWatermark,
    };
  }

  protected override addToContents(value: IN, timestamp: number): boolean | void {
    return this.windowState.add({ value, timestamp });
  }

  protected override emitWindowContents(window: W, namespace: Namespace): void {
    const elements = this.windowState.get() as TimestampedValue<IN>[] | undefined;
    if (elements === undefined || elements.length === 0) return;
    const buffer = elements.slice();
    this.evictor.evictBefore(buffer, buffer.length, window, this.evictorContext);
    this.callWindowFunction(window, namespace, buffer.map((e) => e.value));
    this.evictor.evictAfter(buffer, buffer.length, window, this.evictorContext);
    this.windowState.clear();
    for (const e of buffer) this.windowState.add(e);
  }
}
