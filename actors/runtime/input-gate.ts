// InputGate: the receiving side of a subtask: every input channel of both inputs, polled fairly
// (channels with data wait in a queue, Flink's inputChannelsWithData), with the watermark valve
// (minimum over channels, idle channels excluded) and end-of-input bookkeeping per input.
// Barriers go to a BarrierHandler: the checkpoint barrier aligner plugs in there and may block
// channels until alignment completes. For unaligned checkpoints the gate records, per channel, the
// batches and watermarks it hands on while the channel is being persisted (by reference: records
// are immutable once emitted, as in every in-process channel), and serves restored in-flight data
// of a channel before anything the channel itself delivers. Imports api/ only.
import type { BarrierEvent, ChannelElement, RecordBatch, WatermarkEvent } from '../../api/stream-elements.ts';
import { StatusWatermarkValve } from '../../api/time/status-watermark-valve.ts';
import type { ChannelReceiver } from './local-channel.ts';

/** What the gate reports to its subtask, besides record batches. */
export interface InputGateListener {
  /** The combined watermark over all channels advanced. */
  onWatermark(timestamp: number): void;
  /** All channels went idle (true) or one became active (false). */
  onWatermarkStatus(idle: boolean): void;
  /** Every channel of input `input` has ended. */
  onEndOfInput(input: 1 | 2): void;
}

/** Where barriers go (the checkpoint barrier aligner); blocking channels is its tool. */
export interface BarrierHandler {
  /** The handler was installed on `gate` (before the gate is first polled). */
  attach?(gate: InputGate): void;
  processBarrier(barrier: BarrierEvent, channel: number, gate: InputGate): void;
  /** Channel `channel` ended: alignment must not wait for it. */
  processEndOfInput?(channel: number, gate: InputGate): void;
}

/** A batch or watermark as channel state records it. */
export type PersistedElement = RecordBatch | WatermarkEvent;

/** One input channel of the gate and which input it belongs to. */
export interface GateChannel { readonly channel: ChannelReceiver; readonly input: 1 | 2 }

/** All input channels of one subtask. */
export class InputGate {
  private readonly ready: number[] = [];
  private readonly queued: boolean[];
  private readonly blocked: boolean[];
  private readonly ended: boolean[];
  private readonly remaining: [number, number, number];
  private readonly valve: StatusWatermarkValve | undefined;
  /** Per channel: restored in-flight elements, served before the channel's own. */
  private readonly restored: ChannelElement[][];
  /** Per channel: the elements recorded while it is persisted (unaligned checkpoints). */
  private readonly persisting: Array<PersistedElement[] | undefined>;
  private handler: BarrierHandler | undefined;

  constructor(readonly channels: readonly GateChannel[], private readonly listener: InputGateListener, private readonly onData: () => void) {
    this.queued = channels.map(() => false);
    this.blocked = channels.map(() => false);
    this.ended = channels.map(() => false);
    this.restored = channels.map(() => []);
    this.persisting = channels.map(() => undefined);
    this.remaining = [0, channels.filter((c) => c.input === 1).length, channels.filter((c) => c.input === 2).length];
    this.valve = channels.length > 0
      ? new StatusWatermarkValve(channels.length, { emitWatermark: (t) => listener.onWatermark(t), emitWatermarkStatus: (i) => listener.onWatermarkStatus(i) })
      : undefined;
    channels.forEach(({ channel }, c) => {
      channel.onData = () => this.markReady(c);
      // Upstream subtasks may have sent before this one finished opening.
      if (channel.size > 0) this.markReady(c);
    });
  }

  /** Handles barriers; without checkpointing there are none. */
  get barrierHandler(): BarrierHandler | undefined { return this.handler; }
  set barrierHandler(handler: BarrierHandler | undefined) {
    this.handler = handler;
    handler?.attach?.(this);
  }

  /**
   * Restored in-flight data of `channel` (an unaligned checkpoint's channel state): the gate hands
   * it on before anything the channel delivers. Only before the gate is first polled.
   */
  restoreChannelState(channel: number, elements: readonly ChannelElement[]): void {
    if (elements.length === 0) return;
    this.restored[channel].push(...elements);
    this.markReady(channel);
  }

  /** Starts recording what `channel` hands on (its in-flight data of an unaligned checkpoint). */
  startPersisting(channel: number): void { this.persisting[channel] = []; }

  /** Stops recording `channel`; returns what it recorded, oldest first. */
  stopPersisting(channel: number): PersistedElement[] {
    const recorded = this.persisting[channel] ?? [];
    this.persisting[channel] = undefined;
    return recorded;
  }

  /** True while `channel` is being recorded. */
  isPersisting(channel: number): boolean { return this.persisting[channel] !== undefined; }

  /** True when some unblocked channel has data. */
  hasData(): boolean { return this.ready.length > 0; }

  /** True when every channel has ended. */
  isFinished(): boolean { return this.remaining[1] === 0 && this.remaining[2] === 0; }

  /**
   * Takes the next record batch, handling the events in front of it. Returns the batch and sets
   * `lastInput`, or undefined when no channel has a batch ready now.
   */
  pollBatch(): RecordBatch | undefined {
    while (this.ready.length > 0) {
      const c = this.ready.shift()!;
      this.queued[c] = false;
      if (this.blocked[c]) continue;
      const { channel, input } = this.channels[c];
      const restored = this.restored[c];
      const element = restored.length > 0 ? restored.shift() : channel.poll();
      if (channel.size > 0 || restored.length > 0) this.markReady(c);
      if (element === undefined) continue;
      const recording = this.persisting[c];
      if (element.kind === 'records') {
        if (recording !== undefined) recording.push(element);
        this.lastInput = input;
        return element;
      }
      if (recording !== undefined && element.kind === 'watermark') recording.push(element);
      this.handleEvent(element, c);
    }
    return undefined;
  }

  /** The input (1 or 2) of the batch pollBatch returned last. */
  lastInput: 1 | 2 = 1;

  /** Stops reading `channel` (barrier alignment). */
  blockChannel(channel: number): void { this.blocked[channel] = true; }

  /** Resumes every blocked channel. */
  unblockAll(): void {
    for (let c = 0; c < this.blocked.length; c++) {
      if (!this.blocked[c]) continue;
      this.blocked[c] = false;
      if (this.channels[c].channel.size > 0 || this.restored[c].length > 0) this.markReady(c);
    }
  }

  /** Elements queued on every channel (tests and metrics). */
  queuedElements(): number[] { return this.channels.map((c, i) => c.channel.size + this.restored[i].length); }

  private handleEvent(element: ChannelElement, c: number): void {
    switch (element.kind) {
      case 'watermark': this.valve!.inputWatermark(c, element.timestamp); break;
      case 'watermark-status': this.valve!.inputWatermarkStatus(c, element.idle); break;
      case 'barrier':
        if (!this.handler) throw new Error(`received checkpoint barrier ${element.checkpointId} but this subtask has no barrier handler`);
        this.handler.processBarrier(element, c, this);
        break;
      case 'end-of-input': {
        if (this.ended[c]) break;
        this.ended[c] = true;
        this.handler?.processEndOfInput?.(c, this);
        // A finished channel no longer holds the watermark back (Flink: it counts as +Infinity).
        this.valve!.inputEnded(c);
        const input = this.channels[c].input;
        if (--this.remaining[input] === 0) this.listener.onEndOfInput(input);
        break;
      }
      case 'records': break;
    }
  }

  private markReady(c: number): void {
    if (this.queued[c] || this.ended[c]) return;
    this.queued[c] = true;
    this.ready.push(c);
    this.onData();
  }
}
