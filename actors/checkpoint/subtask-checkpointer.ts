// SubtaskCheckpointer: the checkpointing side of one subtask (Flink's SubtaskCheckpointCoordinator
// plus the task's CheckpointBarrierHandler). It restores the operator chain before it opens, aligns
// barriers on the input gate with a BarrierAligner, snapshots every chained operator at alignment
// (keyed state, timers, operator state, source reader splits) synchronously inside the mailbox,
// forwards the barrier before any later record, writes the snapshot asynchronously while records
// keep flowing, and acknowledges to the coordinator. Completion and abort notifications reach the
// operators through the mailbox. A subtask whose input has ended snapshots without a barrier (its
// state is final), and waits for a checkpoint taken after its end of input before it closes, so
// that transactions committed at the end are never replayed (Flink's final checkpoint).
// Unaligned checkpoints: the first barrier snapshots the chain and is forwarded at once (after the
// output already queued: output-side order is kept, so only input-side in-flight data is channel
// state); what each input channel hands on until its own barrier is recorded by the gate, and the
// snapshot is written with that channel state once every channel delivered the barrier (or ended).
// On restore the channel state goes back into the same input channels before any new data.
// Stop-with-savepoint is synchronous (Flink): after its snapshot a subtask blocks its input
// channels and suspends (no source poll, no processing-time timer), so nothing after the savepoint
// is processed or emitted; an abort of that savepoint lets it go on.
// Imports api/, state/ and actors/ (checkpoint, runtime types); never the JobMaster.
// Just over 400 lines: alignment, snapshots, restore and the stop-with-savepoint suspension all
// act on the same chain and barrier state; the barrier handling itself lives in BarrierAligner.
import type { OperatorContext, OperatorStateSnapshot } from '../../api/operators/stream-operator.ts';
import type { SourceOperator } from '../../api/sources/source-operator.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { BarrierEvent, ChannelElement } from '../../api/stream-elements.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { CheckpointStorage } from '../../state/checkpoint/checkpoint-storage.ts';
import { restoreChannelState, type ChannelStateElement, type SubtaskChannelState } from '../../state/snapshot/channel-state.ts';
import { timersOf, type CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import { restoreSubtask } from '../../state/snapshot/restore-subtask.ts';
import type { StateBackend } from '../../state/snapshot/state-backend.ts';
import { abortIncrementalChain, type SubtaskSnapshot } from '../../state/snapshot/subtask-snapshot.ts';
import type { InternalTimerService, Triggerable } from '../../state/timer-service.ts';
import type { InputGate, PersistedElement } from '../runtime/input-gate.ts';
import type { StreamTask } from '../runtime/stream-task.ts';
import { BarrierAligner, type AlignmentMode } from './barrier-aligner.ts';

/** What a subtask checkpointer reports to the job's checkpointing. */
export interface SubtaskCheckpointListener {
  acknowledge(checkpointId: number, subtaskKey: string, bytes: number): void;
  decline(checkpointId: number, subtaskKey: string, reason: string): void;
  /** The subtask waits for a checkpoint taken after its end of input (request one). */
  awaitingFinalCheckpoint(): void;
}

/** The job-wide settings a subtask checkpointer works with. */
export interface SubtaskCheckpointerConfig {
  readonly backend: StateBackend;
  readonly storage: CheckpointStorage;
  readonly mode: AlignmentMode;
  /** The checkpoint or savepoint this attempt restores, if any. */
  readonly restore: CheckpointSnapshot | undefined;
  readonly listener: SubtaskCheckpointListener;
}

/** The key under which the coordinator tracks subtask `index` of the vertex whose head is `headId`. */
export function subtaskKey(headId: number, index: number): string { return `${headId}#${index}`; }

/** List state name of a source reader's splits. */
const SPLITS = 'splits';

interface ChainedOperator { readonly operator: any; readonly context: OperatorContext; readonly timers: Map<string, InternalTimerService> }

/** An unaligned checkpoint whose operator snapshot is taken and whose channel state is being recorded. */
interface UnalignedCheckpoint { readonly id: number; readonly snapshots: SubtaskSnapshot[]; readonly channels: ChannelStateElement[][] }

/** A recorded batch or watermark in the snapshot format (only the batch's valid records). */
function toChannelStateElement(element: PersistedElement): ChannelStateElement {
  if (element.kind === 'watermark') return { kind: 'watermark', timestamp: element.timestamp };
  return { kind: 'records', values: element.values.slice(0, element.length), timestamps: element.timestamps.slice(0, element.length) };
}

/** A channel state element back as the stream element it was. */
function toChannelElement(element: ChannelStateElement): ChannelElement {
  if (element.kind === 'watermark') return { kind: 'watermark', timestamp: element.timestamp };
  return { kind: 'records', values: [...element.values], timestamps: [...element.timestamps], length: element.values.length };
}

/** Checkpointing of one subtask attempt. */
export class SubtaskCheckpointer {
  readonly key: string;
  private chain: ChainedOperator[] = [];
  private aligner: BarrierAligner | undefined;
  private gate: InputGate | undefined;
  private numChannels = 0;
  private endedChannels = 0;
  /** Checkpoints triggered by the coordinator this subtask has not snapshotted yet. */
  private readonly expected = new Set<number>();
  private readonly snapshotted = new Set<number>();
  /** The first checkpoint snapshotted after the end of input. */
  private firstFinalId = Infinity;
  private finalCompleted: (() => void) | undefined;
  private finalDone = false;
  /** The newest checkpoint-complete notification: the next one waits for it. */
  private notifying: Promise<void> = Promise.resolve();
  private restoredSplits: SourceSplit[] | undefined;
  private opened = false;
  /** Barriers triggered before the source opened; injected once it has. */
  private readonly deferred: BarrierEvent[] = [];
  /** The unaligned checkpoint whose channel state is being recorded. */
  private unaligned: UnalignedCheckpoint | undefined;
  /** An unaligned checkpoint triggered before the chain opened: its barriers overtake once it has. */
  private overtakeOnOpen: number | undefined;
  /** Restored channel state, handed to the input gate when the barrier handler is installed. */
  private restoredChannels: ReadonlyArray<readonly ChannelStateElement[]> | undefined;
  /** The stop-with-savepoint this subtask snapshotted and is suspended for (until it completes or aborts). */
  private stopping: number | undefined;
  /** Records of channel state written by this subtask's checkpoints so far (metrics, tests). */
  channelStateRecords = 0;

  constructor(private readonly task: StreamTask, private readonly config: SubtaskCheckpointerConfig) {
    this.key = subtaskKey(task.vertex.head.id, task.subtaskIndex);
  }

  // ---- hooks of the StreamTask ----

  /** Before the chain opens: restores state, wraps timer services, installs the barrier handler. */
  async initializeState(): Promise<void> {
    const { restore } = this.config;
    const task = this.task;
    this.chain = task.chainedOperators().map(({ operator, context, timerServices }) => ({ operator, context, timers: timerServices }));
    for (const op of this.chain) {
      const { context } = op;
      const uid = context.uid;
      const create = context.getTimerService;
      const restoredOperator = restore?.operators[uid];
      if (create && restoredOperator) {
        // Services made in setup() exist already; later ones (made in open()) are restored as created.
        for (const [name, service] of op.timers) service.restore(timersOf(restoredOperator, name, context.keyedState!.keyGroupRange));
        (context as { getTimerService?: OperatorContext['getTimerService'] }).getTimerService = (name: string, triggerable: Triggerable) => {
          const service = create(name, triggerable);
          service.restore(timersOf(restoredOperator, name, context.keyedState!.keyGroupRange));
          return service;
        };
      }
      const state = restore
        ? restoreSubtask(restore, { operatorUid: uid, subtaskIndex: task.subtaskIndex, parallelism: task.vertex.parallelism, keyed: context.keyedState })
        : { operatorState: {}, unionState: {} };
      if (task.vertex.head.kind === 'source' && op === this.chain[0]) {
        this.restoredSplits = restore ? (state.operatorState[SPLITS] ?? []) as SourceSplit[] : undefined;
        continue;
      }
      await op.operator.initializeState?.({
        isRestored: restore !== undefined && restore.operators[uid] !== undefined,
        list: state.operatorState.list ?? [],
        union: state.unionState.union ?? [],
      });
    }
    if (task.vertex.head.kind !== 'source') {
      const inputChannels = task.deployment.inputChannels;
      this.numChannels = inputChannels.length;
      if (restore) {
        this.restoredChannels = restoreChannelState(restore, {
          operatorUid: this.chain[0].context.uid, subtaskIndex: task.subtaskIndex, parallelism: task.vertex.parallelism,
          inputs: inputChannels.map((c) => c.input),
        });
      }
      this.aligner = new BarrierAligner(this.numChannels, this.config.mode, {
        blockChannel: (c) => this.gate!.blockChannel(c),
        unblockAll: () => this.gate!.unblockAll(),
        triggerCheckpoint: (barrier) => this.onAligned(barrier),
        abortCheckpoint: (id, reason) => this.onAlignmentAborted(id, reason),
        startPersistingChannel: (_id, c) => this.gate!.startPersisting(c),
        stopPersistingChannel: (id, c) => this.onChannelPersisted(id, c),
        alignmentComplete: (id) => this.onAlignmentComplete(id),
      });
      task.setBarrierHandler({
        attach: (gate) => this.attach(gate),
        requestOvertake: (gate) => task.enqueueMail(() => gate.overtake()),
        processBarrier: (barrier, channel, gate) => { this.gate = gate; this.aligner!.onBarrier(channel, barrier); },
        processEndOfInput: (channel, gate) => { this.gate = gate; this.onChannelEnded(channel); },
      });
    }
  }

  /** After the chain opened: a restored source reader gets back the splits it held. */
  afterOpen(): void {
    this.opened = true;
    for (const barrier of this.deferred.splice(0)) this.task.enqueueMail(() => this.checkpoint(barrier));
    const overtake = this.overtakeOnOpen;
    this.overtakeOnOpen = undefined;
    if (overtake !== undefined) this.task.enqueueMail(() => { if (this.expected.has(overtake)) this.gate?.startOvertaking(overtake); });
    if (this.restoredSplits && this.restoredSplits.length > 0) (this.chain[0].operator as SourceOperator<unknown>).addSplits(this.restoredSplits);
    this.restoredSplits = undefined;
  }

  /** Before the chain closes: wait for a checkpoint that contains the state after the end of input. */
  beforeClose(): Promise<void> {
    if (this.finalDone) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.finalCompleted = resolve;
      this.config.listener.awaitingFinalCheckpoint();
    });
  }

  /** True while this subtask waits for its final checkpoint. */
  get awaitingFinal(): boolean { return this.finalCompleted !== undefined; }

  /** True once this subtask ended its input: waiting for its final checkpoint, or past it. */
  get inputEnded(): boolean { return this.finalCompleted !== undefined || this.finalDone; }

  // ---- coordinator side (called by the job's checkpointing) ----

  /** The coordinator triggered `barrier`: sources inject it, finished inputs snapshot at once. */
  trigger(barrier: BarrierEvent): void {
    const id = barrier.checkpointId;
    if (this.task.vertex.head.kind === 'source') {
      if (this.opened) this.task.enqueueMail(() => this.checkpoint(barrier));
      else this.deferred.push(barrier);
    } else if (this.numChannels > 0 && this.endedChannels === this.numChannels) {
      this.task.enqueueMail(() => this.checkpoint(barrier));
    } else {
      this.expected.add(id);
      // The barriers are on their way: let them overtake the data queued ahead of them (once the
      // chain is open: a checkpoint may be triggered, and its mail run, while the subtask initializes).
      if (this.isUnaligned(barrier)) {
        this.task.enqueueMail(() => {
          if (!this.expected.has(id)) return;
          if (this.opened && this.gate) this.gate.startOvertaking(id);
          else this.overtakeOnOpen = Math.max(this.overtakeOnOpen ?? id, id);
        });
      }
    }
  }

  /**
   * Checkpoint `checkpointId` completed: operators may publish (two-phase commit). Resolves once
   * every operator of the chain has acted on it. Notifications run one after another, as in
   * Flink's mailbox: a later checkpoint's notification reaches the operators only after what the
   * earlier one started (an asynchronous commit) has settled, so the final checkpoint's release
   * never overtakes the commit of an earlier transaction.
   */
  notifyComplete(checkpointId: number): Promise<void> {
    const next = this.notifying.then(() => this.notifyNow(checkpointId));
    this.notifying = next;
    return next;
  }

  private notifyNow(checkpointId: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.task.enqueueMail(() => {
        const pending: Array<Promise<unknown>> = [];
        for (const { operator } of this.chain) {
          const r = operator.notifyCheckpointComplete?.(checkpointId);
          if (r && typeof r.then === 'function') pending.push(r);
        }
        const release = (): void => {
          resolve();
          // The stop-with-savepoint this subtask is suspended for completed: it finishes now.
          if (this.stopping === checkpointId) {
            this.stopping = undefined;
            this.task.enqueueMail(() => this.task.finishAfterSavepoint());
          }
          if (checkpointId < this.firstFinalId) return;
          this.finalDone = true;
          const done = this.finalCompleted;
          this.finalCompleted = undefined;
          done?.();
        };
        if (pending.length === 0) release();
        else Promise.all(pending).then(release, (error) => { resolve(); this.task.enqueueMail(() => { throw error; }); });
      });
    });
  }

  /** Checkpoint `checkpointId` was aborted. */
  notifyAborted(checkpointId: number): void {
    this.task.enqueueMail(() => {
      this.expected.delete(checkpointId);
      this.aligner?.onAbort(checkpointId);
      if (this.gate?.overtakingCheckpoint === checkpointId) this.gate.stopOvertaking();
      for (const { operator } of this.chain) operator.notifyCheckpointAborted?.(checkpointId);
      // A failed stop-with-savepoint: the job keeps running, so this subtask goes on.
      if (this.stopping === checkpointId) {
        this.stopping = undefined;
        this.gate?.unblockAll();
        this.task.resumeAfterSavepoint();
      }
    });
  }

  // ---- internals (inside the mailbox) ----

  /** The barrier handler is installed on `gate`: restored in-flight data goes in before anything new. */
  private attach(gate: InputGate): void {
    this.gate = gate;
    const channels = this.restoredChannels;
    this.restoredChannels = undefined;
    channels?.forEach((elements, c) => gate.restoreChannelState(c, elements.map(toChannelElement)));
  }

  private onAligned(barrier: BarrierEvent): void {
    // The last channel ended: snapshot after the end of input has run through the chain.
    if (this.endedChannels === this.numChannels) this.task.enqueueMail(() => this.checkpoint(barrier));
    else if (this.isUnaligned(barrier)) { this.gate!.startOvertaking(barrier.checkpointId); this.checkpoint(barrier, true); }
    else this.checkpoint(barrier);
  }

  /** Whether `barrier` is of an unaligned checkpoint (savepoints are aligned, as in Flink). */
  private isUnaligned(barrier: BarrierEvent): boolean {
    return this.config.mode === 'unaligned' && barrier.savepoint !== true;
  }

  /** Checkpoint `id` needs no more reading ahead. */
  private endOvertaking(id: number): void {
    const current = this.gate?.overtakingCheckpoint;
    if (current !== undefined && current <= id) this.gate!.stopOvertaking();
  }

  /** Channel `c` delivered the barrier of unaligned checkpoint `id` (or ended): its channel state is complete. */
  private onChannelPersisted(id: number, c: number): void {
    const recorded = this.gate!.stopPersisting(c);
    const pending = this.unaligned;
    if (pending === undefined || pending.id !== id) return;
    pending.channels[c] = recorded.map(toChannelStateElement);
  }

  /** Every channel delivered the barrier of `id`: an unaligned checkpoint writes its snapshot now. */
  private onAlignmentComplete(id: number): void {
    this.endOvertaking(id);
    const pending = this.unaligned;
    if (pending === undefined || pending.id !== id) return;
    this.unaligned = undefined;
    const channelState: SubtaskChannelState = {
      inputs: this.task.deployment.inputChannels.map((c) => c.input),
      descriptions: this.task.deployment.inputChannels.map((c) => c.channel.description),
      channels: pending.channels,
    };
    for (const channel of pending.channels) for (const e of channel) if (e.kind === 'records') this.channelStateRecords += e.values.length;
    const [head, ...rest] = pending.snapshots;
    this.write(id, [{ ...head, channelState }, ...rest]);
  }

  /** The aligner gave up on `id` (a newer barrier, or the coordinator aborted it). */
  private onAlignmentAborted(id: number, reason: string): void {
    this.endOvertaking(id);
    const pending = this.unaligned;
    if (pending === undefined || pending.id !== id) { this.declineOnce(id, reason); return; }
    this.unaligned = undefined;
    for (let c = 0; c < this.numChannels; c++) this.gate?.stopPersisting(c);
    this.abortKeyedChains();
    this.config.listener.decline(id, this.key, reason);
  }

  private onChannelEnded(channel: number): void {
    this.endedChannels++;
    this.aligner!.onEndOfInput(channel);
    if (this.endedChannels < this.numChannels) return;
    for (const id of this.expected) {
      this.task.enqueueMail(() => this.checkpoint({ kind: 'barrier', checkpointId: id, timestamp: this.task.deployment.clock.now() }));
    }
  }

  /**
   * Takes the synchronous snapshot of the chain, forwards the barrier, writes asynchronously; an
   * unaligned checkpoint writes once its channel state is recorded.
   */
  private checkpoint(barrier: BarrierEvent, unaligned = false): void {
    const id = barrier.checkpointId;
    if (this.snapshotted.has(id)) return;
    this.snapshotted.add(id);
    this.expected.delete(id);
    const state = this.task.state;
    const inputEnded = state === 'finishing' || state === 'finished';
    const { backend } = this.config;
    const task = this.task;
    // Stop --drain: the source ends event time first, so that the chain's windows and timers fire
    // (and their output travels) ahead of the barrier, and the snapshot holds what is left.
    if (barrier.drain && task.vertex.head.kind === 'source' && !inputEnded) (this.chain[0].operator as SourceOperator<unknown>).drain();
    const snapshots: SubtaskSnapshot[] = [];
    for (let i = 0; i < this.chain.length; i++) {
      const { operator, context, timers } = this.chain[i];
      let operatorState: Record<string, unknown[]> | undefined;
      let unionState: Record<string, unknown[]> | undefined;
      if (i === 0 && task.vertex.head.kind === 'source') {
        operatorState = { [SPLITS]: (operator as SourceOperator<unknown>).snapshotState(id) };
      } else {
        const s: OperatorStateSnapshot | undefined = operator.snapshotState?.(id, barrier.timestamp);
        if (s?.list) operatorState = { list: s.list };
        if (s?.union) unionState = { union: s.union };
      }
      snapshots.push(backend.snapshotSubtask(id, {
        operatorUid: context.uid, subtaskIndex: task.subtaskIndex, parallelism: task.vertex.parallelism,
        maxParallelism: context.maxParallelism, keyed: context.keyedState as HeapKeyedStateBackend | undefined,
        timers: Object.fromEntries(timers), operatorState, unionState,
      }));
    }
    // Marked unaligned (sources too), so that receiving gates let it overtake their queued data.
    if (!inputEnded) task.broadcastBarrier(this.isUnaligned(barrier) ? { ...barrier, unaligned: true } : barrier);
    else if (id < this.firstFinalId) this.firstFinalId = id;
    if ((barrier.stop || barrier.drain) && !inputEnded) this.suspendUntilSavepointEnds(id);
    if (unaligned) this.unaligned = { id, snapshots, channels: Array.from({ length: this.numChannels }, () => []) };
    else this.write(id, snapshots);
  }

  /**
   * Stop-with-savepoint `id` is snapshotted: nothing after the snapshot may be processed or
   * emitted (a plain sink would otherwise see it again when the job is restored from the
   * savepoint). The input channels stay blocked, even within the poll that delivered the barrier.
   */
  private suspendUntilSavepointEnds(id: number): void {
    this.stopping = id;
    for (let c = 0; c < this.numChannels; c++) this.gate?.blockChannel(c);
    this.task.suspendAfterSavepoint();
  }

  private write(id: number, snapshots: SubtaskSnapshot[]): void {
    const { storage } = this.config;
    Promise.all(snapshots.map((s) => storage.writeSubtaskState(id, s))).then(
      (results) => this.config.listener.acknowledge(id, this.key, results.reduce((n, r) => n + r.bytes, 0)),
      (error) => {
        this.abortKeyedChains();
        this.config.listener.decline(id, this.key, `writing the snapshot failed: ${(error as Error).message}`);
      },
    );
  }

  /** The next incremental keyed snapshot must not build on one that was never written. */
  private abortKeyedChains(): void {
    for (const { context } of this.chain) if (context.keyedState) abortIncrementalChain(context.keyedState as HeapKeyedStateBackend);
  }

  private declineOnce(id: number, reason: string): void {
    if (this.snapshotted.has(id)) return;
    this.snapshotted.add(id);
    this.expected.delete(id);
    this.config.listener.decline(id, this.key, reason);
  }
}
