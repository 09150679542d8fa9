// RecordWriter: the sending side of one network edge in one subtask: picks each record's channel
// with the edge's partitioner, appends it to that channel's open batch, and hands a batch over
// when it is full, when an event must pass, or on flush (buffer timeout, end of input). A batch
// that finds no credit waits in the channel's backlog, in order with later elements; the subtask
// stops pulling input while any backlog exists, so backpressure reaches the sources.
// Hot path: emit() allocates only when a batch fills up. Records out are counted per batch sent,
// and the last watermark sent is kept (the subtask's output metrics).
import { createRecordBatch, type ChannelElement, type RecordBatch } from '../../api/stream-elements.ts';
import type { ChannelSelector } from '../../api/graph/partitioner.ts';
import type { ChannelSender } from './local-channel.ts';

/** The sending side of one edge. */
export class RecordWriter {
  private readonly batches: RecordBatch[];
  private readonly backlogs: ChannelElement[][];
  private backlogged = 0;
  private partial = 0;
  /** Records handed to the channels so far (a broadcast record counts once), counted per batch. */
  recordsOut = 0;
  /** The last watermark sent on every channel (-Infinity before the first). */
  lastWatermark = -Infinity;

  constructor(
    private readonly channels: ChannelSender[],
    private readonly selector: ChannelSelector,
    private readonly batchSize: number,
    /** Told when the first batch waits for credit, and when the last backlog drained. */
    private readonly listener: { onBlocked(): void; onWritable(): void },
  ) {
    this.batches = channels.map(() => createRecordBatch(batchSize));
    this.backlogs = channels.map(() => []);
    channels.forEach((channel, c) => { channel.onCredit = () => this.drain(c); });
  }

  /** Emits one record. */
  emit(value: unknown, timestamp: number): void {
    if (this.selector.broadcast) {
      for (let c = 0; c < this.channels.length; c++) this.append(c, value, timestamp);
    } else {
      this.append(this.channels.length === 1 ? 0 : this.selector.select(value), value, timestamp);
    }
  }

  /** Flushes every open batch, then sends `event` on every channel. */
  broadcastEvent(event: ChannelElement): void {
    this.flush();
    if (event.kind === 'watermark') this.lastWatermark = event.timestamp;
    for (let c = 0; c < this.channels.length; c++) this.send(c, event);
  }

  /** Hands over every non-empty open batch. */
  flush(): void {
    if (this.partial === 0) return;
    for (let c = 0; c < this.channels.length; c++) {
      if (this.batches[c].length > 0) this.sendBatch(c);
    }
  }

  /** True when some batch is waiting for credit. */
  isBackpressured(): boolean { return this.backlogged > 0; }

  /** True when some open batch holds records. */
  hasPartialBatches(): boolean { return this.partial > 0; }

  private append(c: number, value: unknown, timestamp: number): void {
    const batch = this.batches[c];
    const i = batch.length;
    if (i === 0) this.partial++;
    batch.values[i] = value;
    batch.timestamps[i] = timestamp;
    batch.length = i + 1;
    if (i + 1 === this.batchSize) this.sendBatch(c);
  }

  private sendBatch(c: number): void {
    const batch = this.batches[c];
    this.batches[c] = this.channels[c].reuse?.() ?? createRecordBatch(this.batchSize);
    this.partial--;
    if (c === 0 || !this.selector.broadcast) this.recordsOut += batch.length;
    this.send(c, batch);
  }

  private send(c: number, element: ChannelElement): void {
    const backlog = this.backlogs[c];
    if (backlog.length === 0 && this.channels[c].hasCredit()) {
      this.channels[c].push(element);
    } else {
      if (backlog.length === 0 && this.backlogged++ === 0) this.listener.onBlocked();
      backlog.push(element);
    }
  }

  private drain(c: number): void {
    const backlog = this.backlogs[c];
    if (backlog.length === 0) return;
    const channel = this.channels[c];
    while (backlog.length > 0 && channel.hasCredit()) channel.push(backlog.shift()!);
    if (backlog.length === 0 && --this.backlogged === 0) this.listener.onWritable();
  }
}
