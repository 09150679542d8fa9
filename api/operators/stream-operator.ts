// The operator contract: what a subtask's operator chain is made of. Operators are pure logic:
// elements in, elements out through an Output, state and timers through the context. They never
// see actors, channels or batches. Chained operators call each other's processElement directly.
// Imports state/ and api/, never actors/.
import type { Cancel, Clock } from '../time/clock.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Triggerable } from '../../state/timer-service.ts';

/** Where an operator emits; the next operator of the chain, or the subtask's output channels. */
export interface Output<T> {
  /** Emits a record; `timestamp` is NO_TIMESTAMP when it has none. */
  collect(value: T, timestamp: number): void;
  /** Emits a record to the side output named by `tag`. */
  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void;
  /** Forwards a watermark (after the operator has acted on it). */
  emitWatermark(timestamp: number): void;
  /** Forwards idleness (true) or activity (false) of this output. */
  emitWatermarkStatus(idle: boolean): void;
}

/** What the runtime gives an operator. */
export interface OperatorContext {
  readonly operatorName: string;
  readonly uid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** 0 for the first run, +1 on every restart of the job. */
  readonly attemptNumber: number;
  /** Processing time (read `clock.now()`; do not schedule on it directly). */
  readonly clock: Clock;
  /**
   * Runs `callback(time)` once processing time reaches `timestamp`, inside the subtask's mailbox
   * (between batches, never during another element), and flushes what it emits. Periodic
   * watermark emission and processing-time timers go through here.
   */
  registerProcessingTimer(timestamp: number, callback: (time: number) => void): Cancel;
  /** The subtask's keyed state; present when the operator's input is keyed. */
  readonly keyedState?: KeyedStateBackend;
  /**
   * The timer service named `name` of this operator (keyed operators only). Event-time timers
   * fire from `advanceWatermark`, which the operator calls in `processWatermark`; processing-time
   * timers fire when the runtime calls `advanceProcessingTime`.
   */
  getTimerService?(name: string, triggerable: Triggerable): InternalTimerService;
  /** True when the job takes checkpoints (transactional sinks then commit on checkpoint completion). */
  readonly checkpointingEnabled?: boolean;
  /** Named accumulators reported in the JobExecutionResult. */
  readonly accumulators: Map<string, unknown>;
}

/**
 * Operator (non-keyed) state in a snapshot, redistributed on restore as in Flink: `list`
 * elements are split round-robin among the new subtasks, `union` elements go to every subtask.
 */
export interface OperatorStateSnapshot { list?: unknown[]; union?: unknown[] }

/** What an operator gets back on restore. */
export interface StateInitializationContext {
  /** True when restoring from a checkpoint or savepoint. */
  readonly isRestored: boolean;
  /** This subtask's share of the operators' list state. */
  readonly list: readonly unknown[];
  /** Every subtask's union state. */
  readonly union: readonly unknown[];
}

/** Checkpoint hooks any operator may implement (fault tolerance). Keyed state and timers are snapshotted by the runtime. */
export interface CheckpointListener {
  /** Restores operator state; runs after setup, before open. */
  initializeState?(context: StateInitializationContext): void | Promise<void>;
  /** Synchronous snapshot at the barrier of `checkpointId` (msgpack-encodable). */
  snapshotState?(checkpointId: number, timestamp: number): OperatorStateSnapshot | undefined;
  /** Every subtask acknowledged `checkpointId`: side effects may become visible (two-phase commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** `checkpointId` will never complete. */
  notifyCheckpointAborted?(checkpointId: number): void;
}

/** An operator with one input. */
export interface OneInputStreamOperator<IN, OUT> extends CheckpointListener {
  /** Called once before open, with the context and the output to emit to. */
  setup(context: OperatorContext, output: Output<OUT>): void;
  /** Opens user functions; may be async (runs before any element). */
  open(): void | Promise<void>;
  processElement(value: IN, timestamp: number): void;
  /**
   * Keyed input: takes the key of the element about to be processed (Flink's
   * setKeyContextElement). Without this method the runtime sets the key on the keyed state
   * backend itself; with it the operator decides when the backend needs it.
   */
  setKeyContext?(key: Key): void;
  /** The combined input watermark advanced; the operator acts on it, then forwards it. */
  processWatermark(timestamp: number): void;
  /** The combined input went idle (true) or active (false). Default: forward. */
  processWatermarkStatus?(idle: boolean): void;
  /**
   * All input has ended (bounded streams): flush what is buffered. Records must be emitted
   * synchronously; a returned promise (e.g. committing a sink's last transaction) is awaited
   * before the subtask finishes, and its rejection fails the subtask.
   */
  endInput?(): void | Promise<void>;
  /** Closes user functions; may be async. */
  close(): void | Promise<void>;
}

/** An operator with two inputs (connect, joins); watermarks arrive combined. */
export interface TwoInputStreamOperator<IN1, IN2, OUT> extends CheckpointListener {
  setup(context: OperatorContext, output: Output<OUT>): void;
  open(): void | Promise<void>;
  processElement1(value: IN1, timestamp: number): void;
  processElement2(value: IN2, timestamp: number): void;
  processWatermark(timestamp: number): void;
  processWatermarkStatus?(idle: boolean): void;
  /** Input `input` ended; a returned promise is awaited before the subtask finishes (see the one-input form). */
  endInput?(input: 1 | 2): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Either operator shape. */
export type StreamOperator<OUT = unknown> = OneInputStreamOperator<any, OUT> | TwoInputStreamOperator<any, any, OUT>;
