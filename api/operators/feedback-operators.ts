// The operators of a streaming iteration (api/graph/feedback-loop.ts): the head, a source whose
// reader emits what its FeedbackChannel holds and ends once the iteration's input has ended and
// the loop stayed idle for maxWaitTimeMs (on the job's clock); the input, a pass-through that
// marks the end of the iteration's regular input on its channel; and the tail, a sink that feeds
// records back into its channel and keeps the records in flight around the loop in its
// checkpointed state (re-queued on restore). Imports api/ only.
import type { FeedbackChannel, FeedbackLoop, FeedbackRecord } from '../graph/feedback-loop.ts';
import { SourceOperator } from '../sources/source-operator.ts';
import { NoSplitEnumerator } from '../sources/no-split-enumerator.ts';
import type {
  InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext,
} from '../sources/source.ts';
import type { Cancel } from '../time/clock.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorContext, OperatorStateSnapshot, Output, StateInitializationContext } from './stream-operator.ts';

/** The channel of this subtask's attempt; a clear error when a newer attempt owns it. */
function channelOf(loop: FeedbackLoop, context: { subtaskIndex: number; clock: { now(): number } }, attempt: number, who: string): FeedbackChannel {
  const channel = loop.channel(context.subtaskIndex, attempt, context.clock.now());
  if (channel === undefined) throw new Error(`${who} (subtask ${context.subtaskIndex}) belongs to attempt ${attempt}, which a newer attempt replaced`);
  return channel;
}

/** The head's source: one reader per subtask, no splits. */
export class FeedbackSource implements Source<unknown, SourceSplit, null> {
  readonly boundedness = 'continuous-unbounded' as const;

  constructor(private readonly loop: FeedbackLoop) {}

  createEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, null> { return new NoSplitEnumerator(context); }

  restoreEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, null> { return new NoSplitEnumerator(context); }

  createReader(context: SourceReaderContext): SourceReader<unknown, SourceSplit> {
    const attempt = this.loop.headAttempts.get(context.subtaskIndex);
    if (attempt === undefined) throw new Error(`"${this.loop.head.name}" reads only as the head of its iteration`);
    return new FeedbackReader(this.loop, context, attempt);
  }
}


/** Emits what the tail fed back; ends when the input has ended and the loop stayed idle. */
class FeedbackReader implements SourceReader<unknown, SourceSplit> {
  private readonly channel: FeedbackChannel;
  private readonly maxWaitMs: number;
  private timer: Cancel | undefined;
  private ended = false;

  constructor(private readonly loop: FeedbackLoop, private readonly context: SourceReaderContext, attempt: number) {
    this.channel = channelOf(loop, context, attempt, `"${loop.head.name}"`);
    this.maxWaitMs = loop.maxWaitTimeMs ?? 0;
  }

  start(): void {}

  pollNext(output: ReaderOutput<unknown>): InputStatus {
    if (this.ended) return 'end-of-input';
    if (this.channel.size > 0 && this.channel.take((value, timestamp) => output.collect(value, timestamp))) return 'more-available';
    if (this.channel.idleRemaining(this.maxWaitMs, this.context.clock.now()) === 0) {
      this.ended = true;
      this.channel.finishHead();
      return 'end-of-input';
    }
    return 'nothing-available';
  }

  isAvailable(): Promise<void> {
    this.cancelTimer();
    const clock = this.context.clock;
    const remaining = this.channel.idleRemaining(this.maxWaitMs, clock.now());
    if (this.ended || this.channel.size > 0 || remaining === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => { this.cancelTimer(); resolve(); };
      this.channel.onActivity(done);
      if (remaining !== Infinity) this.timer = clock.schedule(remaining, done);
    });
  }

  addSplits(): void {}
  notifyNoMoreSplits(): void {}

  /** The head's part of a checkpoint: the channel starts logging what is in flight for it. */
  snapshotState(checkpointId: number): SourceSplit[] {
    this.channel.beginCheckpoint(checkpointId);
    return [];
  }

  close(): void { this.cancelTimer(); }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }
}

/** The head operator: a source operator that records its attempt (its reader's channel) and holds back no watermark. */
export class FeedbackHeadOperator extends SourceOperator<unknown> {
  private headOutput!: Output<unknown>;

  constructor(private readonly loop: FeedbackLoop, source: FeedbackSource) { super(source, undefined, 0); }

  override setup(context: OperatorContext, output: Output<unknown>): void {
    this.loop.headAttempts.set(context.subtaskIndex, context.attemptNumber);
    this.headOutput = output;
    super.setup(context, output);
  }

  override async open(): Promise<void> {
    await super.open();
    // Fed-back records carry the timestamps they had; event time in the body follows the
    // iteration's input, so the head is idle for watermarks from the start.
    this.headOutput.emitWatermarkStatus(true);
  }
}

/** Passes the iteration's input into the body and tells the channel when it has ended. */
export class FeedbackInputOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
  private channel!: FeedbackChannel;

  constructor(private readonly loop: FeedbackLoop) { super(); }

  override setup(context: OperatorContext, output: Output<T>): void {
    super.setup(context, output);
    this.channel = channelOf(this.loop, context, context.attemptNumber, `"${context.operatorName}"`);
  }

  processElement(value: T, timestamp: number): void { this.output.collect(value, timestamp); }

  endInput(): void { this.channel.endInput(this.context.clock.now()); }
}

/** Feeds records back to the head of its subtask; its state is what was in flight at a checkpoint. */
export class FeedbackTailOperator extends AbstractStreamOperator<never> implements OneInputStreamOperator<unknown, never> {
  private channel!: FeedbackChannel;

  constructor(private readonly loop: FeedbackLoop) { super(); }

  override setup(context: OperatorContext, output: Output<never>): void {
    super.setup(context, output);
    this.channel = channelOf(this.loop, context, context.attemptNumber, `"${context.operatorName}"`);
  }

  initializeState(context: StateInitializationContext): void {
    const now = this.context.clock.now();
    for (const record of context.list as FeedbackRecord[]) this.channel.push(record[0], record[1], now);
  }

  processElement(value: unknown, timestamp: number): void {
    if (this.channel.push(value, timestamp, this.context.clock.now())) return;
    throw new Error(`iteration "${this.loop.head.name}" (subtask ${this.context.subtaskIndex}) ended after ${this.loop.maxWaitTimeMs} ms ` +
      'without feedback, yet a record was fed back afterwards: raise maxWaitTimeMs in iterate({ maxWaitTimeMs })');
  }

  /** Watermarks end at the tail (the head holds back none). */
  override processWatermark(timestamp: number): void { this.currentWatermark = timestamp; }

  override processWatermarkStatus(): void {}

  snapshotState(checkpointId: number): OperatorStateSnapshot { return { list: this.channel.endCheckpoint(checkpointId) }; }
}
