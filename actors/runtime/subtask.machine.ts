// The lifecycle of one subtask (Flink's ExecutionState), as an xstate v5 machine. Control plane
// only: the subtask sends an event at each phase change, never per record.
//
//   deploying -> initializing -> running -> finishing -> finished
//       |             |             |           |
//       +-------------+------+------+-----------+--> canceling -> canceled
//                            +--> failed   (from any non-final state)
import { setup } from 'xstate';

/** The states a subtask passes through. */
export type SubtaskState = 'deploying' | 'initializing' | 'running' | 'finishing' | 'finished' | 'canceling' | 'canceled' | 'failed';

/** Events of the subtask lifecycle. */
export type SubtaskEvent =
  | { type: 'subtask.initialize' } | { type: 'subtask.run' } | { type: 'subtask.finish' } | { type: 'subtask.finished' }
  | { type: 'subtask.cancel' } | { type: 'subtask.canceled' } | { type: 'subtask.fail' };

/** The subtask lifecycle machine. */
export const subtaskMachine = setup({ types: { events: {} as SubtaskEvent } }).createMachine({
  id: 'subtask',
  initial: 'deploying',
  states: {
    deploying: { on: { 'subtask.initialize': 'initializing', 'subtask.cancel': 'canceling', 'subtask.fail': 'failed' } },
    initializing: { on: { 'subtask.run': 'running', 'subtask.cancel': 'canceling', 'subtask.fail': 'failed' } },
    running: { on: { 'subtask.finish': 'finishing', 'subtask.cancel': 'canceling', 'subtask.fail': 'failed' } },
    finishing: { on: { 'subtask.finished': 'finished', 'subtask.cancel': 'canceling', 'subtask.fail': 'failed' } },
    canceling: { on: { 'subtask.canceled': 'canceled', 'subtask.fail': 'failed' } },
    finished: { type: 'final' },
    canceled: { type: 'final' },
    failed: { type: 'final' },
  },
});
