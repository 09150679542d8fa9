// RuntimeContext: what a user function sees of its subtask (Flink's RuntimeContext): subtask
// index and parallelism, keyed state when the function runs on a keyed stream, and the
// iteration's superstep and aggregators when it runs in a bulk or delta iteration's step.
// Imports state/ contracts and the operator context; never actors/.
import type { OperatorContext } from '../operators/stream-operator.ts';
import { iterationOf, type IterationAggregation, type IterationRuntimeContext } from './iteration-aggregators.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState,
  MapStateDescriptor, ReducingState, ReducingStateDescriptor, ValueState, ValueStateDescriptor,
} from '../../state/state-descriptors.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';

/** The subtask a function runs in, its keyed state, and its iteration (inside a step only). */
export interface RuntimeContext extends IterationRuntimeContext {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  /** The operator's name as shown in the job graph. */
  getTaskName(): string;
  /**
   * The numeric accumulator `name` of this subtask (Flink's IntCounter / LongCounter /
   * DoubleCounter): the job's result reports each name summed over all subtasks.
   */
  getIntCounter(name: string): Counter;
  getLongCounter(name: string): Counter;
  getDoubleCounter(name: string): Counter;
}

/** A numeric accumulator of one subtask. */
export interface Counter {
  add(value: number): void;
  getLocalValue(): number;
}

/** The counter `name` kept in `accumulators` (one shared object per name and subtask). */
function counterOf(accumulators: Map<string, unknown>, counters: Map<string, Counter>, name: string): Counter {
  let counter = counters.get(name);
  if (counter === undefined) {
    const existing = accumulators.get(name);
    if (existing !== undefined && typeof existing !== 'number') throw new Error(`accumulator "${name}" exists and is not a counter`);
    if (existing === undefined) accumulators.set(name, 0);
    counter = {
      add: (n: number): void => { accumulators.set(name, (accumulators.get(name) as number) + n); },
      getLocalValue: () => accumulators.get(name) as number,
    };
    counters.set(name, counter);
  }
  return counter;
}

function iteration(context: OperatorContext): IterationAggregation {
  const it = iterationOf(context);
  if (it === undefined) throw new Error(`operator "${context.operatorName}" runs outside an iteration: superstep numbers and iteration aggregators exist only in the step of iterate(maxIterations, step) or iterateDelta`);
  return it;
}

/** The runtime context of a function run by an operator with `context`. */
export function createRuntimeContext(context: OperatorContext): RuntimeContext {
  const counters = new Map<string, Counter>();
  const backend = (): KeyedStateBackend => {
    if (!context.keyedState) {
      throw new Error(`keyed state is only available on a keyed stream (operator "${context.operatorName}"): use keyBy() before this function`);
    }
    return context.keyedState;
  };
  return {
    getState: (d) => backend().getValueState(d),
    getListState: (d) => backend().getListState(d),
    getMapState: (d) => backend().getMapState(d),
    getReducingState: (d) => backend().getReducingState(d),
    getAggregatingState: (d) => backend().getAggregatingState(d),
    getIndexOfThisSubtask: () => context.subtaskIndex,
    getNumberOfParallelSubtasks: () => context.parallelism,
    getMaxNumberOfParallelSubtasks: () => context.maxParallelism,
    getAttemptNumber: () => context.attemptNumber,
    getTaskName: () => context.operatorName,
    getIntCounter: (name) => counterOf(context.accumulators, counters, name),
    getLongCounter: (name) => counterOf(context.accumulators, counters, name),
    getDoubleCounter: (name) => counterOf(context.accumulators, counters, name),
    getSuperstepNumber: () => iteration(context).superstepNumber,
    getIterationAggregator: (name) => iteration(context).aggregatorFor(context, name),
    getPreviousIterationAggregate: (name) => iteration(context).previousAggregate(name),
  };
}
