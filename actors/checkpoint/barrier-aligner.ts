// BarrierAligner: what a subtask does when checkpoint barriers arrive on its input channels
// (Chandy-Lamport, as in Flink's checkpoint barrier handlers). A small pure state machine: the
// subtask's input gate calls it for every barrier and end-of-input and acts on the callbacks.
// No timers, no I/O, no actors: this file imports only the stream element types.
//
//   exactly-once (aligned):   WaitingForFirstBarrier --barrier n--> CollectingBarriers(n)
//                             CollectingBarriers --all live channels delivered n--> trigger n,
//                                                 unblock, WaitingForFirstBarrier
//                             CollectingBarriers --barrier m > n--> abort n, CollectingBarriers(m)
//   exactly-once (unaligned): the first barrier n triggers at once (the barrier overtakes queued
//                             data); records arriving on channels that have not yet delivered n
//                             belong to the snapshot as channel state until their barrier comes
//                             (or the channel ends). Savepoint barriers are aligned (as in Flink).
//   at-least-once:            never blocks; triggers n once every live channel delivered n.
import type { BarrierEvent } from '../../api/stream-elements.ts';

/** What the input gate does on the aligner's behalf. */
export interface AlignmentHandler {
  /** Stop reading `channel` until `unblockAll` (aligned mode only). */
  blockChannel(channel: number): void;
  /** Resume every blocked channel. */
  unblockAll(): void;
  /** Snapshot the operator chain's state for this barrier and forward the barrier downstream. */
  triggerCheckpoint(barrier: BarrierEvent): void;
  /** Checkpoint `checkpointId` cannot complete in this subtask (declined). */
  abortCheckpoint(checkpointId: number, reason: string): void;
  /** Unaligned mode: records now arriving on `channel` are in-flight data of `checkpointId`. */
  startPersistingChannel?(checkpointId: number, channel: number): void;
  /** Unaligned mode: `channel` delivered its barrier; stop recording its in-flight data. */
  stopPersistingChannel?(checkpointId: number, channel: number): void;
  /** Every channel delivered the barrier of `checkpointId` (unaligned: the channel state is complete). */
  alignmentComplete?(checkpointId: number): void;
}

/** The three ways of handling barriers. */
export type AlignmentMode = 'exactly-once' | 'at-least-once' | 'unaligned';

/** The alignment mode of a job's checkpoint config (unaligned applies to exactly-once only, as in Flink). */
export function alignmentModeOf(config: { readonly mode?: string; readonly unaligned?: boolean } | undefined): AlignmentMode {
  if (config?.mode === 'at-least-once') return 'at-least-once';
  return config?.unaligned ? 'unaligned' : 'exactly-once';
}

/** Per-channel bookkeeping shared by the modes. */
class ChannelSet {
  readonly received: boolean[];
  readonly ended: boolean[];
  count = 0;
  constructor(readonly size: number) {
    this.received = new Array<boolean>(size).fill(false);
    this.ended = new Array<boolean>(size).fill(false);
  }
  live(): number { let n = 0; for (const e of this.ended) if (!e) n++; return n; }
  mark(channel: number): boolean {
    if (this.received[channel]) return false;
    this.received[channel] = true;
    this.count++;
    return true;
  }
  reset(): void { this.received.fill(false); this.count = 0; }
  complete(): boolean {
    for (let c = 0; c < this.size; c++) if (!this.ended[c] && !this.received[c]) return false;
    return true;
  }
}

/** Aligns checkpoint barriers over `numChannels` input channels. */
export class BarrierAligner {
  private readonly channels: ChannelSet;
  /** The checkpoint being collected, or -1 while waiting for a first barrier. */
  private pending = -1;
  private pendingBarrier: BarrierEvent | undefined;
  /** The highest checkpoint id seen; older barriers are stale. */
  private latest = -1;
  /** Whether the pending checkpoint blocks channels (aligned) or persists them (unaligned). */
  private blocking = false;
  private persisting = false;

  constructor(numChannels: number, private readonly mode: AlignmentMode, private readonly handler: AlignmentHandler) {
    if (numChannels < 1) throw new RangeError('a barrier aligner needs at least one input channel');
    this.channels = new ChannelSet(numChannels);
  }

  /** The checkpoint currently being aligned, or undefined. */
  get currentCheckpointId(): number | undefined { return this.pending < 0 ? undefined : this.pending; }

  /** True while `channel` is held back (aligned mode, its barrier arrived, others' not yet). */
  isBlocked(channel: number): boolean {
    return this.blocking && this.pending >= 0 && this.channels.received[channel];
  }

  /** A barrier arrived on `channel`. */
  onBarrier(channel: number, barrier: BarrierEvent): void {
    const id = barrier.checkpointId;
    if (id < this.latest || (id === this.latest && this.pending < 0)) return; // stale or already done
    if (id > this.latest) {
      if (this.pending >= 0) this.abortPending(`checkpoint ${id} arrived before ${this.pending} was aligned`);
      this.begin(barrier);
    }
    if (!this.channels.mark(channel)) return;
    if (this.blocking) this.handler.blockChannel(channel);
    if (this.persisting) this.handler.stopPersistingChannel?.(id, channel);
    this.completeIfAligned();
  }

  /** `channel` ended: it will deliver no more barriers, so alignment no longer waits for it. */
  onEndOfInput(channel: number): void {
    if (this.channels.ended[channel]) return;
    this.channels.ended[channel] = true;
    if (this.pending < 0) return;
    // Everything the channel delivered before it ended belongs to the pending checkpoint's channel state.
    if (this.persisting && !this.channels.received[channel]) this.handler.stopPersistingChannel?.(this.pending, channel);
    this.completeIfAligned();
  }

  /** The coordinator aborted `checkpointId` (timeout, failure elsewhere). */
  onAbort(checkpointId: number): void {
    if (checkpointId === this.pending) this.abortPending(`checkpoint ${checkpointId} was aborted`);
    if (checkpointId > this.latest) this.latest = checkpointId;
  }

  private begin(barrier: BarrierEvent): void {
    this.latest = barrier.checkpointId;
    this.pending = barrier.checkpointId;
    this.pendingBarrier = barrier;
    this.channels.reset();
    const unaligned = this.mode === 'unaligned' && barrier.savepoint !== true;
    this.blocking = this.mode === 'exactly-once' || (this.mode === 'unaligned' && !unaligned);
    this.persisting = unaligned;
    if (unaligned) {
      this.handler.triggerCheckpoint(barrier);
      for (let c = 0; c < this.channels.size; c++) {
        if (!this.channels.ended[c]) this.handler.startPersistingChannel?.(barrier.checkpointId, c);
      }
    }
  }

  private completeIfAligned(): void {
    if (!this.channels.complete()) return;
    const barrier = this.pendingBarrier!;
    this.pending = -1;
    this.pendingBarrier = undefined;
    const { blocking, persisting } = this;
    this.blocking = this.persisting = false;
    if (blocking) this.handler.unblockAll();
    if (!persisting) this.handler.triggerCheckpoint(barrier);
    this.handler.alignmentComplete?.(barrier.checkpointId);
    this.channels.reset();
  }

  private abortPending(reason: string): void {
    const id = this.pending;
    this.pending = -1;
    this.pendingBarrier = undefined;
    const blocking = this.blocking;
    this.blocking = this.persisting = false;
    if (blocking) this.handler.unblockAll();
    this.channels.reset();
    this.handler.abortCheckpoint(id, reason);
  }
}
