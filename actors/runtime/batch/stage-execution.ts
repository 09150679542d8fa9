// StageExecution: runs one batch stage's job graph. All of a stage's edges are forward, so its
// subtasks form `parallelism` independent slices (subtask i of every vertex, joined by local
// channels); slices run as slots free up, at most `slots` at a time, which is how a job of
// parallelism 8 runs in 2 slots. The stage's sources share one split enumerator per source
// vertex across slices. A failed slice is cancelled and, if the restart strategy allows, runs
// again as its next attempt from the stage's persisted inputs (its source splits go back to the
// enumerator; its partial output is discarded by its partition sinks). createSliceTasks builds
// one slice's subtasks, here and on the TaskManagers of a cluster. Imports api/ and actors/runtime.
import type { JobEdge, JobGraph, JobVertex } from '../../../api/graph/job-graph.ts';
import type { SourceSplit, SplitEnumerator } from '../../../api/sources/source.ts';
import type { Cancel, Clock } from '../../../api/time/clock.ts';
import type { RestartBackoff } from '../../failover/restart-backoff.ts';
import type { GateChannel } from '../input-gate.ts';
import { LocalChannel } from '../local-channel.ts';
import { StreamTask, type TaskListener } from '../stream-task.ts';
import type { SubtaskState } from '../subtask.machine.ts';
import type { TaskScheduler } from '../task-scheduler.ts';

/** What a stage runs with. */
export interface StageContext {
  readonly jobId: string;
  readonly clock: Clock;
  readonly batchSize: number;
  readonly channelCredits: number;
  /** One scheduler per slot (slots of one TaskManager share its scheduler). */
  readonly slotSchedulers: readonly TaskScheduler[];
  /** The job's restart strategy (shared by every stage). */
  readonly backoff: RestartBackoff;
  /** A slice failed and will run again (the job goes RESTARTING, then RUNNING). */
  onRestart(description: string, error: unknown): void;
  /** Accumulators of finished subtasks. */
  onFinished(task: StreamTask): void;
  /** `running` slices run now (peak slot use). */
  onRunning(running: number): void;
}

interface Slice {
  readonly index: number;
  attempt: number;
  tasks: StreamTask[];
  finished: number;
  slot: number;
}

/** The error a stage gives up with: `cause` is the subtask's own error. */
export class StageFailure extends Error {
  override readonly name = 'StageFailure';
}

/** Runs the slices of one stage graph; resolves when every slice finished. */
export class StageExecution implements TaskListener {
  private readonly parallelism: number;
  private readonly pending: number[] = [];
  private readonly running = new Map<number, Slice>();
  private readonly freeSlots: number[];
  private readonly enumerators = new Map<JobVertex, SplitEnumerator<SourceSplit, unknown>>();
  /** Splits assigned per source vertex and subtask (given back when a slice re-runs). */
  private readonly assigned = new Map<JobVertex, SourceSplit[][]>();
  private readonly taskOf = new Map<StreamTask, Slice>();
  /** Registered readers per source vertex: the subtasks of running slices. */
  private readonly readers = new Map<JobVertex, Set<number>>();
  private readonly timers = new Set<Cancel>();
  private done = 0;
  private settled = false;
  private settle!: { resolve: () => void; reject: (e: unknown) => void };
  /** Resolves when the stage is done; rejects with a StageFailure. */
  readonly result: Promise<void>;

  constructor(private readonly graph: JobGraph, private readonly context: StageContext) {
    this.parallelism = graph.vertices[0].parallelism;
    this.freeSlots = Array.from({ length: Math.min(context.slotSchedulers.length, this.parallelism) }, (_, i) => i);
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => {});
  }

  /** Starts the stage: enumerators, then the first slices. */
  start(): Promise<void> {
    for (let i = 0; i < this.parallelism; i++) this.pending.push(i);
    try {
      for (const v of this.graph.vertices) if (v.head.kind === 'source') this.createEnumerator(v);
      this.schedule();
    } catch (error) {
      this.fail(new StageFailure(`${this.graph.jobName} could not be scheduled: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
    }
    return this.result;
  }

  /** Cancels every running slice. */
  async cancel(): Promise<void> {
    this.settled = true;
    for (const c of this.timers) c();
    await Promise.all([...this.running.values()].flatMap((s) => s.tasks.map((t) => t.cancel())));
    this.closeEnumerators();
  }

  // ---- TaskListener ----

  onStateChange(task: StreamTask, state: SubtaskState, error?: unknown): void {
    const slice = this.taskOf.get(task);
    if (slice === undefined || this.running.get(slice.index) !== slice || !slice.tasks.includes(task) || this.settled) return;
    if (state === 'finished') {
      this.context.onFinished(task);
      if (++slice.finished < slice.tasks.length) return;
      this.running.delete(slice.index);
      for (const r of this.readers.values()) r.delete(slice.index);
      this.freeSlots.push(slice.slot);
      if (++this.done === this.parallelism) {
        this.settled = true;
        this.closeEnumerators();
        this.settle.resolve();
      } else {
        this.schedule();
      }
    } else if (state === 'failed') {
      void this.onSliceFailure(slice, task, error);
    }
  }

  onReaderRegistered(task: StreamTask): void {
    if (this.isCurrent(task)) this.enumerators.get(task.vertex)?.addReader(task.subtaskIndex);
  }

  onSplitRequest(task: StreamTask): void {
    if (this.isCurrent(task)) this.enumerators.get(task.vertex)?.handleSplitRequest(task.subtaskIndex);
  }

  // ---- internals ----

  private isCurrent(task: StreamTask): boolean {
    const slice = this.taskOf.get(task);
    return slice !== undefined && this.running.get(slice.index) === slice && slice.tasks.includes(task);
  }

  private schedule(): void {
    while (!this.settled && this.pending.length > 0 && this.freeSlots.length > 0) {
      const index = this.pending.shift()!;
      const slot = this.freeSlots.shift()!;
      this.deploy({ index, attempt: 0, tasks: [], finished: 0, slot });
    }
  }

  /** Creates slice `slice.index`'s subtasks and the channels between them, and starts them. */
  private deploy(slice: Slice): void {
    const { jobId, clock, batchSize, channelCredits, slotSchedulers } = this.context;
    slice.tasks = createSliceTasks(this.graph, slice.index, slice.attempt, {
      jobId, clock, batchSize, channelCredits, scheduler: slotSchedulers[slice.slot], listener: this,
    });
    slice.finished = 0;
    for (const t of slice.tasks) this.taskOf.set(t, slice);
    this.running.set(slice.index, slice);
    this.context.onRunning(this.running.size);
    for (const t of slice.tasks) void t.start();
  }

  private async onSliceFailure(slice: Slice, task: StreamTask, error: unknown): Promise<void> {
    this.running.delete(slice.index);
    for (const r of this.readers.values()) r.delete(slice.index);
    await Promise.all(slice.tasks.map((t) => t.cancel()));
    for (const t of slice.tasks) this.taskOf.delete(t);
    if (this.settled) return;
    const { backoff, clock } = this.context;
    backoff.notifyFailure(clock.now());
    if (!backoff.canRestart()) {
      this.fail(new StageFailure(`subtask ${task.name} failed and ${backoff.describe()}: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
      return;
    }
    this.context.onRestart(`subtask ${task.name}`, error);
    // The slice's sources read their splits again; its sinks discarded their partial output.
    for (const [vertex, enumerator] of this.enumerators) {
      const splits = this.assigned.get(vertex)![slice.index].splice(0);
      if (splits.length > 0) enumerator.addSplitsBack(splits, slice.index);
    }
    const again: Slice = { index: slice.index, attempt: slice.attempt + 1, tasks: [], finished: 0, slot: slice.slot };
    const cancel = clock.schedule(backoff.backoffMs(), () => {
      this.timers.delete(cancel);
      if (!this.settled) this.deploy(again);
    });
    this.timers.add(cancel);
  }

  private fail(error: StageFailure): void {
    if (this.settled) return;
    this.settled = true;
    void Promise.all([...this.running.values()].flatMap((s) => s.tasks.map((t) => t.cancel()))).then(() => {
      this.closeEnumerators();
      this.settle.reject(error);
    });
  }

  private createEnumerator(vertex: JobVertex): void {
    const assigned: SourceSplit[][] = Array.from({ length: vertex.parallelism }, () => []);
    this.assigned.set(vertex, assigned);
    const readers = new Set<number>();
    this.readers.set(vertex, readers);
    const taskAt = (i: number): StreamTask => {
      const slice = this.running.get(i);
      const t = slice?.tasks[this.graph.vertices.indexOf(vertex)];
      if (t === undefined) throw new Error(`no running subtask ${i} of "${vertex.name}" to assign a split to`);
      return t;
    };
    const enumerator = vertex.head.source!.createEnumerator({
      currentParallelism: () => vertex.parallelism,
      registeredReaders: () => [...readers],
      assignSplit: (split: SourceSplit, i: number) => { assigned[i].push(split); taskAt(i).addSplits([split]); },
      signalNoMoreSplits: (i: number) => taskAt(i).notifyNoMoreSplits(),
    });
    // Readers register as their slices run (and again after a re-run).
    const addReader = enumerator.addReader.bind(enumerator);
    enumerator.addReader = (i: number) => { readers.add(i); addReader(i); };
    this.enumerators.set(vertex, enumerator);
    enumerator.start();
  }

  private closeEnumerators(): void {
    for (const e of this.enumerators.values()) { try { e.close(); } catch { /* closing is best effort */ } }
    this.enumerators.clear();
  }
}

/** What the subtasks of one slice run with. */
export interface SliceTaskOptions {
  readonly jobId: string;
  readonly clock: Clock;
  readonly batchSize: number;
  readonly channelCredits: number;
  readonly scheduler: TaskScheduler;
  readonly listener: TaskListener;
}

/**
 * Creates (without starting) slice `index` of a stage graph as attempt `attempt`: subtask `index`
 * of every vertex, joined by local channels (also how a TaskManager of a cluster runs a slice).
 */
export function createSliceTasks(graph: JobGraph, index: number, attempt: number, options: SliceTaskOptions): StreamTask[] {
  const inputs = new Map<JobVertex, GateChannel[]>(graph.vertices.map((v) => [v, []]));
  const outputs = new Map<JobVertex, Map<JobEdge, LocalChannel[]>>(graph.vertices.map((v) => [v, new Map()]));
  for (const edge of graph.edges) {
    const channel = new LocalChannel(options.channelCredits, `${edge.sourceNode.name}[${index}] -> ${edge.targetNode.name}[${index}]`);
    // Every edge of a stage is forward: subtask i sends to subtask i only, on channel 0.
    outputs.get(edge.source)!.set(edge, [channel]);
    inputs.get(edge.target)!.push({ channel, input: edge.typeNumber });
  }
  return graph.vertices.map((vertex) => new StreamTask({
    jobId: options.jobId, vertex, subtaskIndex: index, attemptNumber: attempt, clock: options.clock,
    bufferTimeoutMs: graph.config.bufferTimeoutMs, batchSize: options.batchSize, checkpointingEnabled: false,
    inputChannels: inputs.get(vertex)!, outputChannels: outputs.get(vertex)!,
    scheduler: options.scheduler, listener: options.listener,
  }));
}
