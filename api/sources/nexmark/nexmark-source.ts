// NexmarkSource: the Nexmark generator as a split-based, replayable source (FLIP-27 shape). The
// stream is one numbering of events (NexmarkGenerator); a job at parallelism P deals it into P
// splits, split s holding the events s, s + P, s + 2P, ..., so every split moves through event
// time at the same pace and the union is the same stream at every parallelism. A reader's
// position is, per split, the number of the next event within the split: that is all it
// checkpoints. Events go out as fast as possible, or (maxEmitSpeed false) each when its event
// time, counted from the reader's start, has come on the injected clock. Imports api/ only.
import type { Clock } from '../../time/clock.ts';
import { WatermarkStrategy } from '../../time/watermark-strategy.ts';
import type { WatermarkGenerator, WatermarkOutput } from '../../time/watermark-generator.ts';
import { ReaderWakeUp } from '../reader-wake-up.ts';
import { StaticSplitEnumerator } from '../static-split-enumerator.ts';
import type {
  InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext,
} from '../source.ts';
import { resolveNexmarkConfig, type NexmarkConfig, type ResolvedNexmarkConfig } from './nexmark-config.ts';
import type { NexmarkEvent } from './nexmark-events.ts';
import { NexmarkGenerator } from './nexmark-generator.ts';

/** Split `index` of `count`: the events index + i·count for next <= i < end. */
export interface NexmarkSplit extends SourceSplit {
  readonly index: number;
  readonly count: number;
  /** The next event's number within the split (the reader's position). */
  readonly next: number;
  /** Events in the split. */
  readonly end: number;
}

/** Events one poll emits from one split before the reader turns to its next split. */
const BATCH = 512;

/** The splits of `numEvents` events dealt over `count` splits. */
export function nexmarkSplits(numEvents: number, count: number): NexmarkSplit[] {
  const n = Math.max(1, Math.min(count, numEvents));
  return Array.from({ length: n }, (_, index) => ({
    splitId: `nexmark-${index}-of-${n}`, index, count: n, next: 0, end: Math.ceil((numEvents - index) / n),
  }));
}

interface ReaderSplit { splitId: string; index: number; count: number; next: number; end: number; output: ReaderOutput<NexmarkEvent> }

class NexmarkReader implements SourceReader<NexmarkEvent, NexmarkSplit> {
  private readonly generator: NexmarkGenerator;
  private readonly splits: ReaderSplit[] = [];
  private cursor = 0;
  private noMoreSplits = false;
  private output: ReaderOutput<NexmarkEvent> | undefined;
  /** Paced readers: the clock time at which event time `baseTime` is due. */
  private anchor: number | undefined;
  private readonly clock: Clock;
  /** Resolves the pending isAvailable() promise. */
  /** Resolves isAvailable() when pacing allows the next event, or when splits arrive. */
  private readonly wakeUp: ReaderWakeUp;

  constructor(config: ResolvedNexmarkConfig, context: SourceReaderContext) {
    this.generator = new NexmarkGenerator(config);
    this.clock = context.clock;
    this.wakeUp = new ReaderWakeUp(context.clock);
  }

  start(): void {}

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    if (this.output !== output) this.attach(output);
    if (this.splits.length === 0) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    if (this.cursor >= this.splits.length) this.cursor = 0;
    const split = this.splits[this.cursor];
    const generator = this.generator;
    const out = split.output;
    const { index, count } = split;
    let stop = Math.min(split.end, split.next + BATCH);
    if (!this.generator.config.maxEmitSpeed) stop = Math.min(stop, this.dueEnd(split));
    let i = split.next;
    for (; i < stop; i++) {
      const event = generator.event(index + i * count);
      out.collect(event, event.dateTime);
    }
    split.next = i;
    if (i >= split.end) {
      output.releaseOutputForSplit(split.splitId);
      this.splits.splice(this.cursor, 1);
    } else {
      this.cursor++;
    }
    if (this.splits.length === 0) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    if (this.generator.config.maxEmitSpeed) return 'more-available';
    return this.splits.some((s) => this.dueEnd(s) > s.next) ? 'more-available' : 'nothing-available';
  }

  isAvailable(): Promise<void> {
    // Also resolved by addSplits and notifyNoMoreSplits: on a cluster the reader polls before its
    // splits arrive, and the runtime waits on this one promise until it resolves.
    if (this.generator.config.maxEmitSpeed || this.splits.length === 0) return this.wakeUp.wait();
    let due = Infinity;
    for (const s of this.splits) due = Math.min(due, this.dueAt(s.index + s.next * s.count));
    return this.wakeUp.wait(due);
  }

  addSplits(splits: NexmarkSplit[]): void {
    for (const s of splits) {
      if (!(Number.isSafeInteger(s.next) && Number.isSafeInteger(s.end) && s.count >= 1 && s.index >= 0 && s.index < s.count)) {
        throw new Error(`NexmarkSource: invalid split ${JSON.stringify(s)}`);
      }
      this.splits.push({ splitId: s.splitId, index: s.index, count: s.count, next: s.next, end: s.end, output: undefined! });
    }
    if (this.output !== undefined) this.attach(this.output);
    this.wakeUp.wakeUp();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp.wakeUp();
  }

  snapshotState(): NexmarkSplit[] {
    return this.splits.map((s) => ({ splitId: s.splitId, index: s.index, count: s.count, next: s.next, end: s.end }));
  }

  close(): void { this.wakeUp.cancel(); }

  /** Gives every split its own output (per-split watermarks). */
  private attach(output: ReaderOutput<NexmarkEvent>): void {
    this.output = output;
    for (const s of this.splits) if (s.output === undefined) s.output = output.createOutputForSplit(s.splitId);
  }

  /** When the event with global number k is due on the clock (paced readers). */
  private dueAt(k: number): number {
    if (this.anchor === undefined) {
      // The first event this reader will emit is due now; the rest follow at their event-time distance.
      let first = Infinity;
      for (const s of this.splits) first = Math.min(first, this.generator.timestampOfIndex(s.index + s.next * s.count));
      this.anchor = this.clock.now() - (first - this.generator.config.baseTime);
    }
    return this.anchor + (this.generator.timestampOfIndex(k) - this.generator.config.baseTime);
  }

  /** The split's first position not yet due (paced readers). */
  private dueEnd(split: ReaderSplit): number {
    const now = this.clock.now();
    let i = split.next;
    const limit = Math.min(split.end, split.next + BATCH);
    while (i < limit && this.dueAt(split.index + i * split.count) <= now) i++;
    return i;
  }
}

/** Nexmark's watermark: the largest event time seen minus 4 s (its DDL), emitted periodically. */
export class NexmarkWatermarks implements WatermarkGenerator<NexmarkEvent> {
  private max = -Infinity;
  onEvent(_event: NexmarkEvent, timestamp: number): void { if (timestamp > this.max) this.max = timestamp; }
  onPeriodicEmit(output: WatermarkOutput): void { if (this.max !== -Infinity) output.emitWatermark(this.max - 4000); }
}

/** The generated Nexmark stream: Person, Auction and Bid events with their dateTime as timestamp. */
export class NexmarkSource implements Source<NexmarkEvent, NexmarkSplit, NexmarkSplit[]> {
  readonly boundedness: 'bounded' | 'continuous-unbounded';
  /** The configuration with defaults applied. */
  readonly config: ResolvedNexmarkConfig;

  constructor(config: NexmarkConfig = {}) {
    this.config = resolveNexmarkConfig(config);
    this.boundedness = this.config.bounded ? 'bounded' : 'continuous-unbounded';
  }

  /** Timestamps from the events' dateTime (carried by the source), watermarks 4 s behind (per split). */
  static watermarkStrategy(): WatermarkStrategy<NexmarkEvent> {
    return WatermarkStrategy.forGenerator<NexmarkEvent>(() => new NexmarkWatermarks());
  }

  createEnumerator(context: SplitEnumeratorContext<NexmarkSplit>): SplitEnumerator<NexmarkSplit, NexmarkSplit[]> {
    return new StaticSplitEnumerator(context, nexmarkSplits(this.config.numEvents, context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<NexmarkSplit>, state: NexmarkSplit[]): SplitEnumerator<NexmarkSplit, NexmarkSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<NexmarkEvent, NexmarkSplit> {
    return new NexmarkReader(this.config, context);
  }
}
