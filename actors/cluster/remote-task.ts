// RemoteTask: the JobMaster's handle on a subtask deployed on a TaskManager process. Commands
// (cancel, splits, checkpoint trigger and notifications) become messages to the TaskManager's task
// executor; the subtask's reports (state changes, reader registration, split requests, checkpoint
// acknowledgements) arrive through `onReport` and reach the JobMaster and the job's checkpointing
// as if the subtask were local. A subtask whose TaskManager was lost counts as failed. It keeps
// the metrics its TaskManager reported last (final ones once it finished).
// Imports api/ types, actors/checkpoint and actors/runtime types.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { BarrierEvent } from '../../api/stream-elements.ts';
import type { RemoteCheckpointedTask, SubtaskCheckpointHandle } from '../checkpoint/job-checkpointing.ts';
import { subtaskKey, type SubtaskCheckpointListener } from '../checkpoint/subtask-checkpointer.ts';
import type { JobTaskListener } from '../runtime/subtask-deployer.ts';
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import type { TaskHandle } from '../runtime/task-manager.ts';
import type { SubtaskId, TaskReport } from './cluster-messages.protocol.ts';
import type { RemoteTaskManager } from './remote-task-manager.ts';
import type { SubtaskMetricsSnapshot } from '../observability/subtask-metrics.ts';

const TERMINAL: ReadonlySet<SubtaskState> = new Set(['finished', 'canceled', 'failed']);

/** A subtask on a TaskManager process. */
export class RemoteTask implements TaskHandle, RemoteCheckpointedTask {
  readonly name: string;
  state: SubtaskState = 'deploying';
  private readonly accumulatorValues = new Map<string, unknown>();
  private checkpointListener: SubtaskCheckpointListener | undefined;
  private awaitingFinal = false;
  /** The subtask asked for its final checkpoint once: its input ended (it stays ended). */
  private inputEnded = false;
  /** Completion notifications the subtask has not acted on yet, by checkpoint id. */
  private readonly notifications = new Map<number, () => void>();
  private readonly terminated: Promise<void>;
  private markTerminated!: () => void;
  /** The metrics its TaskManager reported last, if any yet. */
  metrics: SubtaskMetricsSnapshot | undefined;
  /** Alignment times of the newest checkpoints this subtask acknowledged, by checkpoint id. */
  private readonly alignments = new Map<number, number>();

  constructor(
    readonly id: SubtaskId,
    readonly vertex: JobVertex,
    readonly taskManager: RemoteTaskManager,
    private readonly listener: JobTaskListener,
  ) {
    this.name = `${vertex.name} (${id.subtask + 1}/${vertex.parallelism})`;
    this.terminated = new Promise((resolve) => { this.markTerminated = resolve; });
  }

  get subtaskIndex(): number { return this.id.subtask; }

  cancel(): Promise<void> {
    if (TERMINAL.has(this.state)) return Promise.resolve();
    this.taskManager.send({ type: 'taskexecutor.cancel-task', id: this.id });
    return this.terminated;
  }

  addSplits(splits: SourceSplit[]): void {
    this.taskManager.send({ type: 'taskexecutor.add-splits', id: this.id, splits: splits as unknown[] });
  }

  notifyNoMoreSplits(): void {
    this.taskManager.send({ type: 'taskexecutor.no-more-splits', id: this.id });
  }

  accumulators(): Map<string, unknown> { return this.accumulatorValues; }

  createCheckpointHandle(listener: SubtaskCheckpointListener): SubtaskCheckpointHandle {
    this.checkpointListener = listener;
    // The subtask asked for its final checkpoint before the job's checkpointing knew it.
    if (this.awaitingFinal) listener.awaitingFinalCheckpoint();
    const task = this;
    return {
      trigger: (barrier: BarrierEvent) => this.taskManager.send({ type: 'taskexecutor.trigger-checkpoint', id: this.id, barrier }),
      notifyComplete: (checkpointId: number) => {
        if (TERMINAL.has(this.state)) return Promise.resolve();
        return new Promise<void>((resolve) => {
          this.notifications.get(checkpointId)?.();
          this.notifications.set(checkpointId, resolve);
          this.taskManager.send({ type: 'taskexecutor.checkpoint-complete', id: this.id, checkpointId });
        });
      },
      notifyAborted: (checkpointId: number) => this.taskManager.send({ type: 'taskexecutor.checkpoint-aborted', id: this.id, checkpointId }),
      get awaitingFinal() { return task.awaitingFinal; },
      get inputEnded() { return task.inputEnded || task.state === 'finished'; },
    };
  }

  /** A report of this subtask arrived from its TaskManager. */
  onReport(report: TaskReport): void {
    switch (report.type) {
      case 'jobmaster.task-state': {
        if (TERMINAL.has(this.state)) return;
        this.state = report.state;
        if (report.accumulators) for (const [k, v] of Object.entries(report.accumulators)) this.accumulatorValues.set(k, v);
        if (report.metrics) this.metrics = report.metrics;
        if (TERMINAL.has(report.state)) this.terminate();
        const error = report.state === 'failed' ? new Error(report.error ?? 'unknown failure') : undefined;
        if (report.state === 'finished' || report.state === 'failed' || report.state === 'canceled') this.listener.onStateChange(this, report.state, error);
        return;
      }
      case 'jobmaster.reader-registered': this.listener.onReaderRegistered(this); return;
      case 'jobmaster.split-request': this.listener.onSplitRequest(this); return;
      case 'jobmaster.checkpoint-ack':
        if (report.alignmentMs !== undefined) {
          this.alignments.set(report.checkpointId, report.alignmentMs);
          if (this.alignments.size > 8) this.alignments.delete(this.alignments.keys().next().value!);
        }
        this.checkpointListener?.acknowledge(report.checkpointId, this.key(), report.bytes);
        return;
      case 'jobmaster.task-metrics': if (!TERMINAL.has(this.state)) this.metrics = report.metrics; return;
      case 'jobmaster.checkpoint-decline': this.checkpointListener?.decline(report.checkpointId, this.key(), report.reason); return;
      case 'jobmaster.checkpoint-notified': {
        this.awaitingFinal = report.awaitingFinal;
        const resolve = this.notifications.get(report.checkpointId);
        this.notifications.delete(report.checkpointId);
        resolve?.();
        return;
      }
      case 'jobmaster.awaiting-final':
        this.awaitingFinal = true;
        this.inputEnded = true;
        this.checkpointListener?.awaitingFinalCheckpoint();
        return;
    }
  }

  /** Milliseconds between the first and last barrier of `checkpointId` at the subtask's input, as its acknowledgement said. */
  alignmentDurationMs(checkpointId: number): number | undefined { return this.alignments.get(checkpointId); }

  /** Its TaskManager was lost: the subtask can no longer be reached (the job fails over). */
  lost(): void {
    if (TERMINAL.has(this.state)) return;
    this.state = 'failed';
    this.terminate();
  }

  private terminate(): void {
    this.awaitingFinal = false;
    for (const resolve of this.notifications.values()) resolve();
    this.notifications.clear();
    this.markTerminated();
  }

  private key(): string { return subtaskKey(this.vertex.head.id, this.id.subtask); }
}
