// StreamTask: one subtask: an operator chain between an input gate and record writers, run as
// a mailbox. Control actions (timers, split assignments, cancellation) run between batches and
// are never starved by data; data is processed a slice at a time under the TaskScheduler. Chained
// operators are direct calls; per record there is no promise, message or allocation beyond the
// operators' own. After a stop-with-savepoint snapshot it is suspended (reads no input, fires no
// processing-time timer) until the savepoint ends. Its lifecycle is the subtask machine. Its I/O
// metrics are counted per batch and per slice (TaskIOMetrics), never per record. Its chain is
// built by operator-chain.ts. Imports api/, state/ and actors/runtime.
// Just over 400 lines: the slice loop, the mailbox, stop-with-savepoint suspension and finishing
// share the task's phase and writers; the chain construction is already apart.
import { createActor, type Actor } from 'xstate';
import type { JobEdge, JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceOperator } from '../../api/sources/source-operator.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { BarrierEvent, RecordBatch } from '../../api/stream-elements.ts';
import { TaskIOMetrics, type TaskIOSample } from '../../api/metrics/task-io-metrics.ts';
import type { Cancel, Clock } from '../../api/time/clock.ts';
import type { ChainMetrics, OperatorIOSample } from './chain-metrics.ts';
import type { BarrierHandler, GateChannel, InputGate } from './input-gate.ts';
import { loadHeapState } from './keyed-state-factory.ts';
import type { ChannelSender } from './local-channel.ts';
import { buildOperatorChain, type ChainedOperatorEntry, type ElementInput } from './operator-chain.ts';
import type { RecordWriter } from './record-writer.ts';
import { subtaskMachine, type SubtaskEvent, type SubtaskState } from './subtask.machine.ts';
import type { Runnable, TaskScheduler } from './task-scheduler.ts';

export type { ChainedOperatorEntry } from './operator-chain.ts';

/** What a subtask reports to its JobMaster. */
export interface TaskListener {
  onStateChange(task: StreamTask, state: SubtaskState, error?: unknown): void;
  /** A source reader registered (the enumerator may assign it splits). */
  onReaderRegistered?(task: StreamTask): void;
  /** A source reader asks for a split. */
  onSplitRequest?(task: StreamTask): void;
}

/** Everything a subtask is deployed with. */
export interface TaskDeployment {
  readonly jobId: string;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  readonly clock: Clock;
  readonly bufferTimeoutMs: number;
  readonly batchSize: number;
  readonly checkpointingEnabled: boolean;
  /** Input channels of this subtask, with the input (1 or 2) each feeds. */
  readonly inputChannels: GateChannel[];
  /** Per outgoing network edge, the channels to the receiving subtasks (index = receiver). */
  readonly outputChannels: Map<JobEdge, ChannelSender[]>;
  readonly scheduler: TaskScheduler;
  readonly listener: TaskListener;
  /** Fault tolerance of this subtask (restore, final checkpoint); absent without checkpointing. */
  readonly checkpointing?: TaskCheckpointHooks;
}

/** Where checkpointing plugs into a subtask's lifecycle. */
export interface TaskCheckpointHooks {
  /** After the chain is set up, before it opens: restore state, install the barrier handler. */
  initializeState(task: StreamTask): void | Promise<void>;
  /** After the chain opened, before the reader registers: hand back restored splits. */
  afterOpen(task: StreamTask): void;
  /** After the end of input, before the chain closes: wait for the final checkpoint. */
  beforeClose(task: StreamTask): Promise<void>;
}

type Phase = 'created' | 'running' | 'finishing' | 'closing' | 'done';

const MAX_STEPS_PER_SLICE = 16;

/** One subtask of a job vertex. */
export class StreamTask implements Runnable {
  queued = false;
  /** The task's name as Flink prints it: `vertex name (index/parallelism)`. */
  readonly name: string;
  private readonly lifecycle: Actor<typeof subtaskMachine>;
  private readonly mail: Array<() => void> = [];
  private readonly timers = new Set<Cancel>();
  private writers: RecordWriter[] = [];
  private operators: ChainedOperatorEntry[] = [];
  private gate: InputGate | undefined;
  private source: SourceOperator<unknown> | undefined;
  private input1: ElementInput | undefined;
  private input2: ElementInput | undefined;
  private phase: Phase = 'created';
  private endedInputs = 0;
  /** What endInput started, settled into its error (if any); awaited before the subtask finishes. */
  private readonly endInputWork: Array<Promise<{ error: unknown } | undefined>> = [];
  private awaitingSource = false;
  private flushTimer: Cancel | undefined;
  private blockedWriters = 0;
  private failure: { error: unknown } | undefined;
  /** Set after a stop-with-savepoint snapshot: no input is read and no processing-time timer fires. */
  private suspended = false;
  /** Finishing because a stop-with-savepoint completed (not because the input ended). */
  private stoppedWithSavepoint = false;
  /** Processing-time timers that came due while suspended (they fire if the subtask resumes). */
  private readonly heldTimers: Array<() => void> = [];
  /** Records in, loop times and the input watermark (records out are the writers'). */
  private readonly io = new TaskIOMetrics();
  /** Records in and out of each chained operator (read from the chain's links when sampled). */
  private chainMetrics: ChainMetrics | undefined;

  constructor(readonly deployment: TaskDeployment) {
    const { vertex, subtaskIndex } = deployment;
    this.name = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})`;
    this.lifecycle = createActor(subtaskMachine).start();
  }

  /** The lifecycle state. */
  get state(): SubtaskState { return this.lifecycle.getSnapshot().value as SubtaskState; }

  get subtaskIndex(): number { return this.deployment.subtaskIndex; }
  get vertex(): JobVertex { return this.deployment.vertex; }

  /** Creates, sets up and opens the operator chain, then starts processing. */
  async start(): Promise<void> {
    this.transition({ type: 'subtask.initialize' });
    try {
      if (this.vertex.nodes.some((n) => n.keySelectors[0] || n.keySelectors[1])) await loadHeapState();
      this.buildChain();
      await this.deployment.checkpointing?.initializeState(this);
      // Flink opens operators tail first, so that an operator never emits into an unopened one.
      for (let i = this.operators.length - 1; i >= 0; i--) await this.operators[i].operator.open();
      if (this.phase !== 'created') return; // cancelled while opening
      this.phase = 'running';
      this.io.start(this.deployment.scheduler.now());
      this.transition({ type: 'subtask.run' });
      this.deployment.checkpointing?.afterOpen(this);
      if (this.source) this.deployment.listener.onReaderRegistered?.(this);
      this.deployment.scheduler.schedule(this);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Posts a control action into the mailbox; it runs between batches. */
  enqueueMail(action: () => void): void {
    this.mail.push(action);
    this.deployment.scheduler.schedule(this);
  }

  /** Hands splits to the source reader (through the mailbox). */
  addSplits(splits: SourceSplit[]): void { this.enqueueMail(() => this.source!.addSplits(splits)); }

  /** No more splits will come (through the mailbox). */
  notifyNoMoreSplits(): void { this.enqueueMail(() => this.source!.notifyNoMoreSplits()); }

  /** Stops the subtask; resolves when its operators are closed. */
  async cancel(): Promise<void> {
    if (this.phase === 'done' || this.isTerminal()) return;
    const wasClosing = this.phase === 'closing';
    this.phase = 'done';
    this.transition({ type: 'subtask.cancel' });
    this.releaseTimers();
    if (!wasClosing) {
      for (const { operator } of this.operators) {
        try { await operator.close(); } catch { /* a cancelled subtask's close errors are not the job's failure */ }
      }
    }
    this.transition({ type: 'subtask.canceled' });
    this.deployment.listener.onStateChange(this, 'canceled');
  }

  runSlice(deadline: number): boolean {
    const started = this.deployment.scheduler.now();
    try {
      return this.slice(deadline);
    } finally {
      this.io.busyTimeMs += this.deployment.scheduler.now() - started;
    }
  }

  private slice(deadline: number): boolean {
    try {
      if (this.mail.length > 0) this.processMail();
      let more = false;
      for (let step = 0; step < MAX_STEPS_PER_SLICE; step++) {
        if (this.phase !== 'running' && this.phase !== 'finishing') return false;
        if (this.blockedWriters > 0 || this.suspended) break;
        if (this.phase === 'finishing') { void this.close(); return false; }
        if (this.source) {
          const status = this.source.emitNext();
          if (status === 'end-of-input') this.endOfInput();
          else if (status === 'nothing-available') { this.awaitSource(); break; }
        } else {
          const batch = this.gate!.pollBatch();
          if (batch === undefined) break;
          this.processBatch(batch);
          this.gate!.releaseBatch(batch);
        }
        if (this.mail.length > 0) this.processMail();
        if (this.deployment.scheduler.now() >= deadline) { more = true; break; }
        if (step === MAX_STEPS_PER_SLICE - 1) more = true;
      }
      this.afterSlice();
      return more && this.blockedWriters === 0;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /**
   * The place where checkpointing plugs in: the barrier aligner of this subtask's input (it may
   * block channels and triggers snapshots). Sources have no input gate.
   */
  setBarrierHandler(handler: BarrierHandler): void {
    if (!this.gate) throw new Error(`subtask ${this.name} has no input gate (a source): inject barriers with emitBarrier`);
    this.gate.barrierHandler = handler;
  }

  /**
   * Sends `barrier` downstream on every output after what was emitted before it (through the
   * mailbox, so between batches). Sources call it when the coordinator triggers a checkpoint;
   * other subtasks when their barrier handler completes alignment.
   */
  emitBarrier(barrier: BarrierEvent): void {
    this.enqueueMail(() => { for (const w of this.writers) w.broadcastEvent(barrier); });
  }

  /**
   * Sends `barrier` on every output now, after everything emitted so far. Only from inside the
   * mailbox (a barrier handler or a mail), so that no record emitted after the snapshot precedes it.
   */
  broadcastBarrier(barrier: BarrierEvent): void {
    for (const w of this.writers) w.broadcastEvent(barrier);
  }

  /**
   * Stop-with-savepoint, right after this subtask's savepoint snapshot (inside the mailbox): it
   * reads no more input (a source polls no more) and fires no processing-time timer, so nothing
   * is processed or emitted after the snapshot; control mails (the savepoint's completion or
   * abort, cancellation) still run. Flink's synchronous savepoint.
   */
  suspendAfterSavepoint(): void { this.suspended = true; }

  /** The stop-with-savepoint failed: the subtask goes on where it stopped (timers held meanwhile fire now). */
  resumeAfterSavepoint(): void {
    if (!this.suspended) return;
    this.suspended = false;
    for (const fire of this.heldTimers.splice(0)) this.enqueueMail(fire);
    this.deployment.scheduler.schedule(this);
  }

  /**
   * The stop-with-savepoint completed: the subtask finishes (FINISHED, as in Flink, not CANCELED)
   * without ending its input. Its operators close; nothing after the savepoint was processed, and
   * no final checkpoint is awaited (the savepoint was the last one).
   */
  finishAfterSavepoint(): void {
    if (this.phase !== 'running' || !this.suspended) return;
    this.stoppedWithSavepoint = true;
    this.phase = 'finishing';
    this.transition({ type: 'subtask.finish' });
    void this.close();
  }

  /** The chain's operators, head first (snapshots walk them). */
  chainedOperators(): ReadonlyArray<ChainedOperatorEntry> {
    return this.operators;
  }

  /** This subtask's I/O metrics now: cumulative counts and times, the watermarks. */
  ioSample(): TaskIOSample {
    let recordsOut = 0;
    let outputWatermark = this.writers.length > 0 ? Infinity : this.io.currentInputWatermark;
    for (const w of this.writers) {
      recordsOut += w.recordsOut;
      if (w.lastWatermark < outputWatermark) outputWatermark = w.lastWatermark;
    }
    return this.io.sample(this.deployment.scheduler.now(), recordsOut, outputWatermark);
  }

  /** Each chained operator's records in and out now, head first. */
  operatorIOSample(): OperatorIOSample[] { return this.chainMetrics?.sample() ?? []; }

  /** The monotonic clock of the subtask's host (its scheduler's), which its metrics are timed by. */
  monotonicNow(): number { return this.deployment.scheduler.now(); }

  /** Milliseconds between the first and last barrier of `checkpointId` at this subtask's input, if any arrived. */
  alignmentDurationMs(checkpointId: number): number | undefined { return this.gate?.alignmentDurationMs(checkpointId); }

  /** Queued elements per input channel (tests, metrics). */
  inputQueueSizes(): number[] { return this.gate ? this.gate.queuedElements() : []; }

  /** Accumulators of every operator, merged by name. */
  accumulators(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const { context } of this.operators) for (const [k, v] of context.accumulators) out.set(k, v);
    return out;
  }

  // ---- chain construction (operator-chain.ts) ----

  private buildChain(): void {
    const chain = buildOperatorChain({
      deployment: this.deployment,
      io: this.io,
      schedule: () => this.deployment.scheduler.schedule(this),
      onBlocked: () => { if (this.blockedWriters++ === 0) this.io.markBlocked(this.deployment.scheduler.now()); },
      onWritable: () => {
        if (--this.blockedWriters === 0) { this.io.markWritable(this.deployment.scheduler.now()); this.deployment.scheduler.schedule(this); }
      },
      onEndOfInput: (input) => this.onEndOfInput(input),
      onSplitRequest: () => this.deployment.listener.onSplitRequest?.(this),
      registerProcessingTimer: (timestamp, callback) => this.registerProcessingTimer(timestamp, callback),
    });
    this.operators = chain.operators;
    this.writers = chain.writers;
    this.chainMetrics = chain.metrics;
    this.source = chain.source;
    this.gate = chain.gate;
    this.input1 = chain.input1;
    this.input2 = chain.input2;
  }

  // ---- processing ----

  private processBatch(batch: RecordBatch): void {
    const input = this.gate!.lastInput === 1 ? this.input1! : this.input2!;
    const { values, timestamps, length } = batch;
    this.io.numRecordsIn += length;
    for (let i = 0; i < length; i++) input.processElement(values[i], timestamps[i]);
  }

  private processMail(): void {
    const n = this.mail.length;
    for (let i = 0; i < n; i++) this.mail.shift()!();
    for (const w of this.writers) w.flush();
  }

  private registerProcessingTimer(timestamp: number, callback: (time: number) => void): Cancel {
    const clock = this.deployment.clock;
    let cancelled = false;
    const cancelClock = clock.schedule(timestamp - clock.now(), () => {
      this.timers.delete(cancel);
      const fire = (): void => {
        if (cancelled || this.phase === 'done' || this.phase === 'created') return;
        if (this.suspended) { this.heldTimers.push(fire); return; }
        callback(clock.now());
      };
      this.enqueueMail(fire);
    });
    const cancel: Cancel = () => { cancelled = true; cancelClock(); this.timers.delete(cancel); };
    this.timers.add(cancel);
    return cancel;
  }

  private afterSlice(): void {
    if (this.phase !== 'running') return;
    const timeout = this.deployment.bufferTimeoutMs;
    if (timeout <= 0) {
      for (const w of this.writers) w.flush();
    } else if (!this.flushTimer && this.writers.some((w) => w.hasPartialBatches())) {
      const clock = this.deployment.clock;
      const cancel = clock.schedule(timeout, () => {
        this.timers.delete(cancel);
        this.enqueueMail(() => { this.flushTimer = undefined; });
      });
      this.flushTimer = cancel;
      this.timers.add(cancel);
    }
  }

  private awaitSource(): void {
    if (this.awaitingSource) return;
    this.awaitingSource = true;
    this.source!.isAvailable().then(() => {
      this.awaitingSource = false;
      if (this.phase === 'running') this.deployment.scheduler.schedule(this);
    }, (error) => this.fail(error));
  }

  // ---- end of input, finishing, failure ----

  private onEndOfInput(input: 1 | 2): void {
    const head = this.operators[0];
    if (head.node.kind === 'two-input') this.keepEndInput(head.operator.endInput?.(input));
    const needed = head.node.kind === 'two-input' ? 2 : 1;
    if (++this.endedInputs < needed) return;
    if (head.node.kind !== 'two-input') this.keepEndInput(head.operator.endInput?.());
    this.endChain(1);
  }

  private endOfInput(): void {
    this.keepEndInput(this.operators[0].operator.endInput?.());
    this.endChain(1);
  }

  /** An operator's endInput returned a promise (a sink committing its last transaction): close waits for it. */
  private keepEndInput(result: void | Promise<void> | undefined): void {
    if (!result || typeof (result as Promise<void>).then !== 'function') return;
    // Handled at once: a rejection before close() looks at it must not count as unhandled.
    this.endInputWork.push((result as Promise<void>).then(() => undefined, (error: unknown) => ({ error })));
  }

  /** Ends the chained operators after the head, then sends end-of-input downstream. */
  private endChain(from: number): void {
    for (let i = from; i < this.operators.length; i++) this.keepEndInput(this.operators[i].operator.endInput?.());
    for (const w of this.writers) w.broadcastEvent({ kind: 'end-of-input' });
    this.phase = 'finishing';
    this.transition({ type: 'subtask.finish' });
    // The input may have ended inside the gate's poll with nothing else to run: the next slice closes.
    this.deployment.scheduler.schedule(this);
  }

  private async close(): Promise<void> {
    if (this.phase !== 'finishing') return;
    this.phase = 'closing';
    try {
      // Work that endInput started (without checkpoints, a sink commits its last transaction
      // there) settles before the subtask may count as finished; a rejection fails it.
      const started = this.endInputWork.splice(0);
      if (started.length > 0) {
        const failed = (await Promise.all(started)).find((r) => r !== undefined);
        if (failed) throw failed.error;
      }
      if (this.phase !== 'closing') return; // cancelled while waiting
      // Transactional sinks commit what they wrote after the end of input at the final checkpoint.
      if (!this.stoppedWithSavepoint) await this.deployment.checkpointing?.beforeClose(this);
      if (this.phase !== 'closing') return; // cancelled while waiting
      for (const { operator } of this.operators) await operator.close();
      if (this.phase !== 'closing') return; // cancelled meanwhile
      this.phase = 'done';
      this.releaseTimers();
      this.transition({ type: 'subtask.finished' });
      this.deployment.listener.onStateChange(this, 'finished');
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failure || this.isTerminal()) return;
    this.failure = { error };
    this.phase = 'done';
    this.releaseTimers();
    this.transition({ type: 'subtask.fail' });
    for (const { operator } of this.operators) {
      try { void Promise.resolve(operator.close()).catch(() => {}); } catch { /* already failing */ }
    }
    this.deployment.listener.onStateChange(this, 'failed', error);
  }

  /** The subtask stops (finished, failed or cancelled): its timers go, its loop times end. */
  private releaseTimers(): void {
    this.io.end(this.deployment.scheduler.now());
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
    this.flushTimer = undefined;
  }

  private isTerminal(): boolean {
    const s = this.state;
    return s === 'finished' || s === 'canceled' || s === 'failed';
  }

  private transition(event: SubtaskEvent): void { this.lifecycle.send(event); }
}
