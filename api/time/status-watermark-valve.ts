// StatusWatermarkValve: combines the watermarks and idleness of an operator's input channels into
// one watermark (the minimum over active, aligned channels) and one status (idle when every
// channel is idle). The output watermark never goes back. Pure: the input gate calls it per event.
// Imports nothing.

/** Where the valve emits the combined watermark and status. */
export interface ValveOutput {
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

interface ChannelStatus {
  watermark: number;
  idle: boolean;
  /** Counts in the minimum: active and caught up with the output watermark. */
  aligned: boolean;
}

/** Min-watermark over input channels with idleness (Flink's StatusWatermarkValve). */
export class StatusWatermarkValve {
  private readonly channels: ChannelStatus[];
  private lastOutputWatermark = -Infinity;
  private lastOutputIdle = false;

  constructor(numChannels: number, private readonly output: ValveOutput) {
    if (!(numChannels >= 1)) throw new RangeError(`a valve needs at least one channel, got ${numChannels}`);
    this.channels = Array.from({ length: numChannels }, () => ({ watermark: -Infinity, idle: false, aligned: true }));
  }

  /** The last watermark emitted (-Infinity before the first). */
  get currentWatermark(): number { return this.lastOutputWatermark; }

  /** True when every channel is idle. */
  get idle(): boolean { return this.lastOutputIdle; }

  /** A watermark arrived on `channel`. Watermarks of idle channels are ignored. */
  inputWatermark(channel: number, watermark: number): void {
    const status = this.channels[channel];
    if (this.lastOutputIdle || status.idle) return;
    if (watermark <= status.watermark) return;
    status.watermark = watermark;
    if (!status.aligned && watermark >= this.lastOutputWatermark) status.aligned = true;
    this.emitMinOfAligned();
  }

  /** `channel` went idle (true) or active (false). */
  inputWatermarkStatus(channel: number, idle: boolean): void {
    const status = this.channels[channel];
    if (idle && !status.idle) {
      status.idle = true;
      status.aligned = false;
      if (this.channels.every((c) => c.idle)) {
        // The last channel holding the watermark back went idle: release what the others reached.
        if (status.watermark === this.lastOutputWatermark) this.emitMaxOfAll();
        this.lastOutputIdle = true;
        this.output.emitWatermarkStatus(true);
      } else if (status.watermark === this.lastOutputWatermark) {
        this.emitMinOfAligned();
      }
    } else if (!idle && status.idle) {
      status.idle = false;
      // A channel that fell behind while idle rejoins the minimum only once it catches up.
      if (status.watermark >= this.lastOutputWatermark) status.aligned = true;
      if (this.lastOutputIdle) {
        this.lastOutputIdle = false;
        this.output.emitWatermarkStatus(false);
      }
    }
  }

  /** End of input on `channel`: it no longer holds the watermark back. */
  inputEnded(channel: number): void {
    const status = this.channels[channel];
    if (status.idle) this.inputWatermarkStatus(channel, false);
    this.inputWatermark(channel, Infinity);
  }

  private emitMinOfAligned(): void {
    let min = Infinity;
    let any = false;
    for (const c of this.channels) {
      if (c.aligned && !c.idle) { any = true; if (c.watermark < min) min = c.watermark; }
    }
    if (any && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.output.emitWatermark(min);
    }
  }

  private emitMaxOfAll(): void {
    let max = -Infinity;
    for (const c of this.channels) if (c.watermark > max) max = c.watermark;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      this.output.emitWatermark(max);
    }
  }
}
