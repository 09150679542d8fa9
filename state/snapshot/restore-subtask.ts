// restoreSubtask: loads one subtask's share of a checkpoint (its key groups, the timers of those
// key groups, its part of the operator state) at any parallelism.
// Imports only state/; never api/ or actors/.
import type { KeyedStateBackend } from '../keyed-state-backend.ts';
import type { InternalTimerService } from '../timer-service.ts';
import { keyedStateOf, operatorStateOf, timersOf, type CheckpointSnapshot, type RestoredOperatorState } from './checkpoint-snapshot.ts';

/** The parts of one subtask that a restore fills. */
export interface RestoreTarget {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly keyed?: KeyedStateBackend;
  readonly timers?: Record<string, InternalTimerService>;
}

/**
 * Restores `target` from `checkpoint` and returns its operator state. An operator the checkpoint
 * does not know restores nothing (a new operator), unless `requireOperator` is set.
 */
export function restoreSubtask(
  checkpoint: CheckpointSnapshot, target: RestoreTarget, options: { requireOperator?: boolean } = {},
): RestoredOperatorState {
  const operator = checkpoint.operators[target.operatorUid];
  if (operator === undefined) {
    if (options.requireOperator) throw new Error(`checkpoint ${checkpoint.checkpointId} has no state for operator ${target.operatorUid}`);
    return { operatorState: {}, unionState: {} };
  }
  const range = target.keyed?.keyGroupRange;
  if (target.keyed !== undefined) target.keyed.restore([keyedStateOf(operator, range)]);
  for (const [name, service] of Object.entries(target.timers ?? {})) service.restore(timersOf(operator, name, range));
  return operatorStateOf(operator, target.subtaskIndex, target.parallelism);
}
