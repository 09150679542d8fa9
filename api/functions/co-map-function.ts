// CoMapFunction and CoFlatMapFunction: stateless functions over two connected streams (Flink's),
// one method per input. Plain objects implement them; open/close are optional (Flink's rich
// variants) and give access to the RuntimeContext (keyed state when both inputs are keyed).
// Imports api/ only.
import type { Collector } from './collector.ts';
import type { RuntimeContext } from './runtime-context.ts';

/** Lifecycle hooks either function may have (Flink's RichFunction). */
export interface CoFunctionLifecycle {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Maps each element of either input to one output element. */
export interface CoMapFunction<IN1, IN2, OUT> extends CoFunctionLifecycle {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** Emits any number of elements per element of either input. */
export interface CoFlatMapFunction<IN1, IN2, OUT> extends CoFunctionLifecycle {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}
