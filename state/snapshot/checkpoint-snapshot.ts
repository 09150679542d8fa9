// The canonical snapshot format: a completed checkpoint (or savepoint) by operator uid and key
// group, as plain msgpack-encodable data. Restores at any parallelism pick key groups out of it.
// Imports only state/ contracts; never api/ or actors/.
import type { Key, KeyGroupRange } from '../key-groups.ts';
import type { KeyedStateSnapshot, Namespace } from '../keyed-state-backend.ts';
import type { TimersSnapshot } from '../heap/heap-timer-service.ts';
import type { SubtaskChannelState } from './channel-state.ts';

/** The state of one key group of one operator. */
export interface KeyGroupSnapshot {
  /** Per state name: entries [key, namespace, value] (map state values as [key, value] pairs). */
  readonly states: Record<string, Array<[Key, Namespace, unknown]>>;
  /** Per timer service name: the timers whose key is in this key group. */
  readonly timers: Record<string, TimersSnapshot>;
}

/** Non-keyed state one subtask wrote (Flink's operator state), and its in-flight input. */
export interface SubtaskOperatorState {
  /** Redistributed evenly across subtasks on restore (Flink's getListState). */
  readonly operatorState?: Record<string, unknown[]>;
  /** Given whole to every subtask on restore (Flink's getUnionListState). */
  readonly unionState?: Record<string, unknown[]>;
  /** In-flight input of an unaligned checkpoint (head operator of a chain only); restored by position. */
  readonly channelState?: SubtaskChannelState;
}

/** The operator state a restoring subtask gets (channel state is restored apart, by position). */
export type RestoredOperatorState = Required<Pick<SubtaskOperatorState, 'operatorState' | 'unionState'>>;

/** The state of one operator (by uid) in a checkpoint. */
export interface OperatorSnapshot {
  readonly maxParallelism: number;
  /** Parallelism when the checkpoint was taken. */
  readonly parallelism: number;
  /** Only key groups with state or timers appear. */
  readonly keyGroups: Record<number, KeyGroupSnapshot>;
  readonly subtasks: Record<number, SubtaskOperatorState>;
}

/** A completed checkpoint or savepoint in the canonical format. */
export interface CheckpointSnapshot {
  readonly jobId: string;
  readonly checkpointId: number;
  /** The JobManager leadership whose storage keys hold it (absent: 0, no high availability). */
  readonly epoch?: number;
  readonly timestamp: number;
  /** Free-form metadata of the coordinator (savepoint flag, source enumerator state, ...). */
  readonly properties: Record<string, unknown>;
  readonly operators: Record<string, OperatorSnapshot>;
}

function inRange(keyGroup: number, range: KeyGroupRange | undefined): boolean {
  return range === undefined || (keyGroup >= range.start && keyGroup <= range.end);
}

/** The keyed state of `operator` within `range` (all key groups without one), for `backend.restore`. */
export function keyedStateOf(operator: OperatorSnapshot, range?: KeyGroupRange): KeyedStateSnapshot {
  const keyGroups: Record<number, Record<string, Array<[Key, Namespace, unknown]>>> = {};
  for (const [kgText, group] of Object.entries(operator.keyGroups)) {
    const kg = Number(kgText);
    if (inRange(kg, range) && Object.keys(group.states).length > 0) keyGroups[kg] = group.states;
  }
  return { maxParallelism: operator.maxParallelism, keyGroups };
}

/** The timers of service `name` of `operator` within `range`, for `timerService.restore`. */
export function timersOf(operator: OperatorSnapshot, name: string, range?: KeyGroupRange): TimersSnapshot {
  const out: TimersSnapshot = { eventTime: [], processingTime: [] };
  for (const [kgText, group] of Object.entries(operator.keyGroups)) {
    const timers = group.timers[name];
    if (timers === undefined || !inRange(Number(kgText), range)) continue;
    out.eventTime.push(...timers.eventTime);
    out.processingTime.push(...timers.processingTime);
  }
  return out;
}

/**
 * The operator state subtask `index` of `parallelism` restores: at the checkpoint's parallelism
 * its own list state (Flink keeps the assignment when the parallelism is unchanged: a subtask
 * restarted alone by region failover must not take the list state of subtasks still running),
 * otherwise each list state split into contiguous, nearly equal parts (Flink's round-robin
 * redistribution); union state whole.
 */
export function operatorStateOf(operator: OperatorSnapshot, index: number, parallelism: number): RestoredOperatorState {
  const split: Record<string, unknown[]> = {};
  const union: Record<string, unknown[]> = {};
  const subtasks = Object.keys(operator.subtasks).map(Number).sort((a, b) => a - b);
  const all: Record<string, unknown[]> = {};
  for (const s of subtasks) {
    const state = operator.subtasks[s];
    for (const [name, items] of Object.entries(state.operatorState ?? {})) (all[name] ??= []).push(...items);
    for (const [name, items] of Object.entries(state.unionState ?? {})) (union[name] ??= []).push(...items);
  }
  if (parallelism === operator.parallelism) {
    for (const [name, items] of Object.entries(operator.subtasks[index]?.operatorState ?? {})) split[name] = [...items];
    for (const name of Object.keys(all)) split[name] ??= [];
    return { operatorState: split, unionState: union };
  }
  for (const [name, items] of Object.entries(all)) {
    const start = Math.floor((index * items.length) / parallelism);
    const end = Math.floor(((index + 1) * items.length) / parallelism);
    split[name] = items.slice(start, end);
  }
  return { operatorState: split, unionState: union };
}
