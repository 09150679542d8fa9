// InputGate: the receiving side of a subtask: every input channel of both inputs, polled fairly
// (channels with data wait in a queue, Flink's inputChannelsWithData), with the watermark valve
// (minimum over channels, idle channels excluded) and end-of-input bookkeeping per input.
// Barriers go to a BarrierHandler: the checkpoint barrier aligner plugs in there and may block
// channels until alignment completes. For unaligned checkpoints the gate lets barriers overtake:
// while a checkpoint is under way it reads ahead on every channel (a bounded number of elements),
// hands an unaligned barrier to the handler as soon as it arrives and keeps the elements it passed
// buffered, to be processed afterwards; it records, per channel, the batches and watermarks that
// arrive while the channel is persisted (by reference: records are immutable once emitted, as in
// every in-process channel). Reading ahead never passes a barrier of the checkpoint it reads for,
// however that barrier was delivered (read ahead, or polled in order before overtaking began), and
// never hands the handler a barrier while it is handling one: a read-ahead asked for then (the
// first barrier starts overtaking) runs from the mailbox afterwards, once the handler has taken
// the snapshot and started persisting every channel. Restored in-flight data of a channel is
// served before anything the channel itself delivers. It notes when each checkpoint's first and
// last barrier arrived (the subtask's alignment time, a checkpoint statistic). Imports api/ only.
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
  /** Data arrived while barriers may overtake: call `gate.overtake()` soon, from the mailbox. */
  requestOvertake?(gate: InputGate): void;
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
  /** Per channel: elements taken from the channel (read ahead, or restored) not yet handed on. */
  private readonly buffered: ChannelElement[][];
  /** The checkpoint whose barriers may overtake, or undefined. */
  private overtaking: number | undefined;
  /** Per channel: reading ahead stopped at a buffered event that must not be passed (barrier, end). */
  private readonly overtaken: boolean[];
  /** Per channel: the newest checkpoint whose barrier it delivered (reading ahead stops there). */
  private readonly lastBarrier: number[];
  /** True while the handler handles a barrier: the gate must not deliver another one meanwhile. */
  private handlingBarrier = false;
  private overtakeRequested = false;
  /** Elements per channel the gate reads ahead while a barrier may overtake (bounds memory). */
  overtakeLimit = 64;
  /** Per channel: the elements recorded while it is persisted (unaligned checkpoints). */
  private readonly persisting: Array<PersistedElement[] | undefined>;
  private handler: BarrierHandler | undefined;
  /** Arrival times (by `now`) of the first and last barrier of the newest checkpoints. */
  private readonly barrierTimes = new Map<number, { first: number; last: number }>();

  /**
   * `now`: the monotonic clock barrier arrivals are timed by (the subtask's host: virtual under a
   * simulation, where a real clock would put real time into the acknowledgements it sends).
   */
  constructor(
    readonly channels: readonly GateChannel[], private readonly listener: InputGateListener, private readonly onData: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.queued = channels.map(() => false);
    this.blocked = channels.map(() => false);
    this.ended = channels.map(() => false);
    this.buffered = channels.map(() => []);
    this.overtaken = channels.map(() => false);
    this.lastBarrier = channels.map(() => -1);
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
    this.buffered[channel].push(...elements);
    this.markReady(channel);
  }

  /**
   * Starts recording `channel`'s in-flight data of an unaligned checkpoint: what the gate holds of
   * it and has not handed on yet, then everything that arrives.
   */
  startPersisting(channel: number): void {
    const recording: PersistedElement[] = [];
    for (const e of this.buffered[channel]) {
      if (e.kind === 'records' || e.kind === 'watermark') recording.push(e);
      else if (e.kind !== 'watermark-status') break; // a barrier or the end: nothing after it is read ahead
    }
    this.persisting[channel] = recording;
  }

  /** Stops recording `channel`; returns what it recorded, oldest first. */
  stopPersisting(channel: number): PersistedElement[] {
    const recorded = this.persisting[channel] ?? [];
    this.persisting[channel] = undefined;
    return recorded;
  }

  /** True while `channel` is being recorded. */
  isPersisting(channel: number): boolean { return this.persisting[channel] !== undefined; }

  /**
   * Barriers of checkpoint `checkpointId` (and later) may overtake buffered data: the gate reads
   * ahead on every channel now and whenever data arrives, until each delivered its barrier.
   */
  startOvertaking(checkpointId: number): void {
    if (this.overtaking !== undefined && this.overtaking >= checkpointId) return;
    this.overtaking = checkpointId;
    // An event already buffered still stops reading ahead on its channel.
    this.buffered.forEach((buffer, c) => { this.overtaken[c] = buffer.some((e) => e.kind === 'barrier' || e.kind === 'end-of-input'); });
    this.overtake();
  }

  /** Ends reading ahead (the checkpoint's barriers all arrived, or it was aborted). */
  stopOvertaking(): void { this.overtaking = undefined; }

  /** The checkpoint whose barriers may overtake, or undefined. */
  get overtakingCheckpoint(): number | undefined { return this.overtaking; }

  /**
   * Reads ahead on every channel still waiting for its barrier: elements go to the channel's
   * buffer (recorded if it is persisted); an unaligned barrier goes to the handler at once, ahead
   * of them. Only from the subtask's mailbox (the handler may snapshot and forward the barrier).
   */
  overtake(): void {
    if (this.handlingBarrier) {
      // Called from the barrier handler (the first barrier starts overtaking): later, from the mailbox.
      this.requestOvertake();
      return;
    }
    this.overtakeRequested = false;
    for (let c = 0; c < this.channels.length; c++) {
      if (!this.readsAhead(c)) continue;
      const { channel } = this.channels[c];
      const buffer = this.buffered[c];
      while (buffer.length < this.overtakeLimit && channel.size > 0) {
        const element = channel.poll()!;
        if (element.kind === 'barrier' && element.unaligned === true) {
          this.handleEvent(element, c);
          if (!this.readsAhead(c)) break;
          continue;
        }
        buffer.push(element);
        const recording = this.persisting[c];
        if (recording !== undefined && (element.kind === 'records' || element.kind === 'watermark')) recording.push(element);
        if (element.kind === 'barrier' || element.kind === 'end-of-input') { this.overtaken[c] = true; break; }
      }
      if (buffer.length > 0 || channel.size > 0) this.markReady(c);
    }
  }

  /** Whether reading ahead goes on on channel `c` (it has not delivered the barrier being read for). */
  private readsAhead(c: number): boolean {
    const overtaking = this.overtaking;
    return overtaking !== undefined && !this.overtaken[c] && !this.blocked[c] && !this.ended[c] && this.lastBarrier[c] < overtaking;
  }

  /** True when some unblocked channel has data. */
  hasData(): boolean { return this.ready.length > 0; }

  /** True when every channel has ended. */
  isFinished(): boolean { return this.remaining[1] === 0 && this.remaining[2] === 0; }

  /**
   * Takes the next record batch, handling the events in front of it. Returns the batch and sets
   * `lastInput`, or undefined when no channel has a batch ready now.
   */
  pollBatch(): RecordBatch | undefined {
    if (this.overtaking !== undefined) this.overtake();
    while (this.ready.length > 0) {
      const c = this.ready.shift()!;
      this.queued[c] = false;
      if (this.blocked[c]) continue;
      const { channel, input } = this.channels[c];
      const buffer = this.buffered[c];
      const fromBuffer = buffer.length > 0;
      const element = fromBuffer ? buffer.shift() : channel.poll();
      if (channel.size > 0 || buffer.length > 0) this.markReady(c);
      if (element === undefined) continue;
      // Buffered elements were recorded when they arrived (or when persisting started).
      const recording = fromBuffer ? undefined : this.persisting[c];
      if (element.kind === 'records') {
        if (recording !== undefined) recording.push(element);
        this.lastInput = input;
        this.recyclable = fromBuffer || recording !== undefined ? undefined : channel;
        return element;
      }
      if (recording !== undefined && element.kind === 'watermark') recording.push(element);
      this.handleEvent(element, c);
    }
    return undefined;
  }

  /** The input (1 or 2) of the batch pollBatch returned last. */
  lastInput: 1 | 2 = 1;

  /**
   * The batch pollBatch returned last has been processed: its channel may give it back to the
   * sender to fill again, unless something else may still refer to it (it was read ahead, or
   * recorded for an unaligned checkpoint).
   */
  releaseBatch(batch: RecordBatch): void {
    const channel = this.recyclable;
    this.recyclable = undefined;
    channel?.recycle?.(batch);
  }

  /** The channel of the batch pollBatch returned last, when it came straight from it unrecorded. */
  private recyclable: ChannelReceiver | undefined;

  /** Stops reading `channel` (barrier alignment). */
  blockChannel(channel: number): void { this.blocked[channel] = true; }

  /** Resumes every blocked channel. */
  unblockAll(): void {
    for (let c = 0; c < this.blocked.length; c++) {
      if (!this.blocked[c]) continue;
      this.blocked[c] = false;
      if (this.channels[c].channel.size > 0 || this.buffered[c].length > 0) this.markReady(c);
    }
  }

  /**
   * Milliseconds between the first and the last barrier of `checkpointId` so far on this gate
   * (Flink's alignment duration), or undefined when none of its barriers arrived (or it is too old).
   */
  alignmentDurationMs(checkpointId: number): number | undefined {
    const times = this.barrierTimes.get(checkpointId);
    return times === undefined ? undefined : times.last - times.first;
  }

  private noteBarrier(checkpointId: number): void {
    const now = this.now();
    const times = this.barrierTimes.get(checkpointId);
    if (times !== undefined) { times.last = now; return; }
    this.barrierTimes.set(checkpointId, { first: now, last: now });
    // A few checkpoints may overlap; older ones are no longer asked about.
    if (this.barrierTimes.size > 8) this.barrierTimes.delete(this.barrierTimes.keys().next().value!);
  }

  /** Elements queued on every channel (tests and metrics). */
  queuedElements(): number[] { return this.channels.map((c, i) => c.channel.size + this.buffered[i].length); }

  private handleEvent(element: ChannelElement, c: number): void {
    switch (element.kind) {
      case 'watermark': this.valve!.inputWatermark(c, element.timestamp); break;
      case 'watermark-status': this.valve!.inputWatermarkStatus(c, element.idle); break;
      case 'barrier': {
        if (!this.handler) throw new Error(`received checkpoint barrier ${element.checkpointId} but this subtask has no barrier handler`);
        if (element.checkpointId > this.lastBarrier[c]) this.lastBarrier[c] = element.checkpointId;
        this.noteBarrier(element.checkpointId);
        const nested = this.handlingBarrier;
        this.handlingBarrier = true;
        try {
          this.handler.processBarrier(element, c, this);
        } finally {
          this.handlingBarrier = nested;
        }
        break;
      }
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
    if (this.readsAhead(c) && this.channels[c].channel.size > 0) this.requestOvertake();
    if (this.queued[c] || this.ended[c]) return;
    this.queued[c] = true;
    this.ready.push(c);
    this.onData();
  }

  /** Asks the subtask to call `overtake()` from its mailbox (once until it does). */
  private requestOvertake(): void {
    if (this.overtaking === undefined || this.overtakeRequested || !this.handler?.requestOvertake) return;
    this.overtakeRequested = true;
    this.handler.requestOvertake(this);
  }
}
