// RuntimeContext: what a user function sees of its subtask (Flink's RuntimeContext): subtask
// index and parallelism, and keyed state when the function runs on a keyed stream.
// Imports state/ contracts and the operator context; never actors/.
import type { OperatorContext } from '../operators/stream-operator.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState,
  MapStateDescriptor, ReducingState, ReducingStateDescriptor, ValueState, ValueStateDescriptor,
} from '../../state/state-descriptors.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';

/** The subtask a function runs in, and its keyed state. */
export interface RuntimeContext {
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
}

/** The runtime context of a function run by an operator with `context`. */
export function createRuntimeContext(context: OperatorContext): RuntimeContext {
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
  };
}
