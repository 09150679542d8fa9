// Channel state: the in-flight input of one subtask at an unaligned checkpoint (Flink's
// InputChannelStateHandle). Per input channel of the subtask, in arrival order, the records and
// watermarks that the barrier overtook; stored with the snapshot of the chain's head operator and
// re-injected into the same input channels on restore, before any new data. Because it names
// channels by position, it restores only into the same channel layout: rescaling from an unaligned
// checkpoint is refused (as Flink restricted it). Imports only state/; never api/ or actors/.
import type { CheckpointSnapshot } from './checkpoint-snapshot.ts';

/** One element of a channel's in-flight data: a batch of records, or a watermark. */
export type ChannelStateElement =
  | { readonly kind: 'records'; readonly values: unknown[]; readonly timestamps: number[] }
  | { readonly kind: 'watermark'; readonly timestamp: number };

/** The in-flight input of one subtask at one unaligned checkpoint. */
export interface SubtaskChannelState {
  /** Per input channel, in the subtask's gate order: the input (1 or 2) it feeds. */
  readonly inputs: ReadonlyArray<1 | 2>;
  /** Per input channel: what it connected when the checkpoint was taken (for error messages). */
  readonly descriptions?: readonly string[];
  /** Per input channel: its in-flight elements, oldest first. */
  readonly channels: ReadonlyArray<readonly ChannelStateElement[]>;
}

/** The number of records held in `state`. */
export function channelStateRecords(state: SubtaskChannelState | undefined): number {
  let n = 0;
  for (const channel of state?.channels ?? []) for (const e of channel) if (e.kind === 'records') n += e.values.length;
  return n;
}

/** The input channel layout a restoring subtask has. */
export interface ChannelLayout {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Per input channel of the subtask's gate: the input it feeds. */
  readonly inputs: ReadonlyArray<1 | 2>;
}

/**
 * The in-flight elements per input channel that subtask `layout` re-injects from `checkpoint`, or
 * undefined when the checkpoint holds none for its operator. Throws, naming the operator, when the
 * operator holds channel state but its parallelism or the subtask's input channels changed.
 */
export function restoreChannelState(checkpoint: CheckpointSnapshot, layout: ChannelLayout): ReadonlyArray<readonly ChannelStateElement[]> | undefined {
  const operator = checkpoint.operators[layout.operatorUid];
  if (operator === undefined) return undefined;
  const subtasks = Object.values(operator.subtasks);
  if (!subtasks.some((s) => hasElements(s.channelState))) return undefined;
  const refuse = (what: string): Error => new Error(
    `cannot restore operator "${layout.operatorUid}" from unaligned checkpoint ${checkpoint.checkpointId}: its in-flight data ` +
    `(channel state) was taken ${what}; rescaling from an unaligned checkpoint is not supported: restore at the ` +
    'original parallelism, or take a savepoint (savepoints are always aligned) and rescale from it',
  );
  if (operator.parallelism !== layout.parallelism) {
    throw refuse(`at parallelism ${operator.parallelism}, and the operator now runs at parallelism ${layout.parallelism}`);
  }
  const own = operator.subtasks[layout.subtaskIndex]?.channelState;
  if (own === undefined) return undefined;
  const same = own.inputs.length === layout.inputs.length && own.inputs.every((input, c) => input === layout.inputs[c]);
  if (!same || own.channels.length !== own.inputs.length) {
    throw refuse(`with ${own.inputs.length} input channels at subtask ${layout.subtaskIndex}, which now has ${layout.inputs.length} (an upstream operator was rescaled)`);
  }
  return hasElements(own) ? own.channels : undefined;
}

function hasElements(state: SubtaskChannelState | undefined): boolean {
  return state !== undefined && state.channels.some((c) => c.length > 0);
}
