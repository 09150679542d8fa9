// WindowOperator: keyed windows (Flink's WindowOperator). Each element goes into the windows its
// assigner names; window contents live in keyed state with the window as namespace (one
// accumulator per key and window for reduce/aggregate, a list otherwise); the trigger decides
// firing through timers in the same namespace; a cleanup timer at maxTimestamp + allowedLateness
// drops the window. Session windows merge through a MergingWindowSet kept in keyed state.
// (BufferedWindowOperator combines the common event-time windows in memory before state.)
// Hot path: no allocation per element beyond what the state backend does (assigners reuse their
// window arrays, contexts are re-pointed, not created). Imports api/ and state/ only.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../../state/keyed-state-backend.ts';
import {
  ValueStateDescriptor, type AggregatingStateDescriptor, type ListStateDescriptor, type ReducingStateDescriptor, type ValueState,
} from '../../state/state-descriptors.ts';
import type { InternalTimerService, Timer, Triggerable } from '../../state/timer-service.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import { requireKeyedState } from '../operators/keyed-process-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from '../operators/stream-operator.ts';
import { TimestampedCollector } from '../operators/timestamped-collector.ts';
import type { OutputTag } from '../output-tag.ts';
import type { InternalWindowFunction } from './internal-window-function.ts';
import { MergingWindowSet, type MergingWindowSetState } from './merging-window-set.ts';
import type { Window } from './time-window.ts';
import { isFire, isPurge, type Trigger } from './trigger.ts';
import { MergingWindowAssigner, requireMergingTrigger, type WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { WindowProcessContext, WindowTriggerContext } from './window-contexts.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';

/** The keyed state holding window contents: appends, reads, clears, merges. */
export type WindowContentsDescriptor<IN> =
  | ReducingStateDescriptor<IN> | AggregatingStateDescriptor<IN, any, any> | ListStateDescriptor<IN>;

/** The internal view of window contents state. */
export interface WindowContentsState<IN, C> {
  setCurrentNamespace(namespace: Namespace): void;
  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void;
  /** Adds to the current namespace; `false` means its contents existed before (heap states say so). */
  add(value: IN): boolean | void;
  /** Folds a partial value combined elsewhere (accumulator, reduced value) into the current namespace. */
  addPartial(partial: unknown): void;
  /** Replaces the current namespace's contents with a partial value combined elsewhere. */
  setPartial(partial: unknown): void;
  get(): C | undefined;
  clear(): void;
}

/** How a window operator is put together. */
export interface WindowOperatorOptions<IN, C, OUT, K extends Key, W extends Window> {
  assigner: WindowAssigner<IN, W>;
  /** The contents state: reducing, aggregating, or a list of elements. */
  contents: WindowContentsDescriptor<any>;
  windowFunction: InternalWindowFunction<C, OUT, K, W>;
  trigger: Trigger<IN, W>;
  /** Event-time windows keep state this long after their end, firing again for late elements. */
  allowedLateness?: number;
  /** Elements too late for any window go here instead of being dropped. */
  lateDataOutputTag?: OutputTag<IN>;
}

/** Windows over a keyed stream. */
export class WindowOperator<IN, C, OUT, K extends Key, W extends Window> extends AbstractStreamOperator<OUT>
  implements OneInputStreamOperator<IN, OUT>, Triggerable {
  /** Elements dropped because they were later than allowed lateness and no side output was set. */
  numLateRecordsDropped = 0;

  protected readonly assigner: WindowAssigner<IN, W>;
  protected readonly trigger: Trigger<IN, W>;
  protected readonly windowFunction: InternalWindowFunction<C, OUT, K, W>;
  protected readonly allowedLateness: number;
  protected backend!: KeyedStateBackend;
  protected timers!: InternalTimerService;
  protected windowState!: WindowContentsState<any, any>;
  protected collector!: TimestampedCollector<OUT>;
  protected processContext!: WindowProcessContext<W>;
  private triggerContext!: WindowTriggerContext<W>;
  private mergingSetsState: ValueState<MergingWindowSetState> | undefined;
  private readonly merging: MergingWindowAssigner<IN, W> | undefined;
  private readonly eventTime: boolean;
  /**
   * The trigger is Flink's EventTimeTrigger on non-merging windows: its per-element logic
   * (register a timer at the window's end unless the watermark passed it) runs inline, without
   * the trigger context.
   */
  private readonly eventTimeTrigger: boolean;
  protected assignerContext!: WindowAssignerContext;
  protected currentKey!: K;
  /**
   * The namespace of the window assigned last at each position. Assigners hand out the same
   * (immutable) window objects while elements stay in them, so this skips recomputing, and
   * re-boxing, the namespace of every element. Starts with a string so that the array holds
   * tagged values, never unboxed doubles.
   */
  protected readonly lastWindows: W[] = [];
  private readonly lastNamespaces: Namespace[] = [''];

  constructor(protected readonly options: WindowOperatorOptions<IN, C, OUT, K, W>) {
    super();
    this.assigner = options.assigner;
    this.trigger = options.trigger;
    this.windowFunction = options.windowFunction;
    this.allowedLateness = options.allowedLateness ?? 0;
    if (!(this.allowedLateness >= 0)) throw new RangeError(`allowedLateness must be >= 0, got ${this.allowedLateness}`);
    this.merging = options.assigner instanceof MergingWindowAssigner ? options.assigner : undefined;
    this.eventTime = options.assigner.isEventTime();
    this.eventTimeTrigger = options.trigger.constructor === EventTimeTrigger && this.merging === undefined && this.eventTime;
    // Also checked where the program is built (WindowedStream.trigger); operators built directly get it here.
    requireMergingTrigger(options.assigner, options.trigger);
  }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.backend = requireKeyedState(context);
    this.timers = context.getTimerService!('window-timers', this);
    this.windowState = this.createContentsState(this.options.contents);
    this.collector = new TimestampedCollector(output);
    const watermark = () => this.currentWatermark;
    this.triggerContext = new WindowTriggerContext(this.backend, this.timers, watermark);
    this.processContext = new WindowProcessContext(this.backend, this.timers, watermark, output as Output<unknown>, this.merging !== undefined);
    const timers = this.timers;
    this.assignerContext = { getCurrentProcessingTime: () => timers.currentProcessingTime() };
    if (this.merging) this.mergingSetsState = this.backend.getValueState(new ValueStateDescriptor<MergingWindowSetState>('merging-window-set'));
  }

  override async open(): Promise<void> {
    await this.windowFunction.open(createRuntimeContext(this.context));
  }

  override async close(): Promise<void> {
    await this.windowFunction.close();
  }

  /** The element's key (the runtime calls this before processElement). */
  setKeyContext(key: Key): void {
    this.currentKey = key as K;
    this.backend.setCurrentKey(key);
  }

  processElement(value: IN, timestamp: number): void {
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
    const skipped = this.merging ? this.addToMergingWindows(value, timestamp, windows) : this.addToWindows(value, timestamp, windows);
    if (skipped) this.skippedElement(value, timestamp);
  }

  /** An element none of whose windows took it: late ones go to the side output or are counted. */
  protected skippedElement(value: IN, timestamp: number): void {
    if (!this.isElementLate(timestamp)) return;
    if (this.options.lateDataOutputTag) this.output.collectSide(this.options.lateDataOutputTag, value, timestamp);
    else this.numLateRecordsDropped++;
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: Timer): void { this.onTimer(timer, true); }

  onProcessingTime(timer: Timer): void { this.onTimer(timer, false); }

  /**
   * Adds an element to the contents of the current namespace (evicting windows keep timestamps);
   * `false` when the window's contents are known to have existed before.
   */
  protected addToContents(value: IN, _timestamp: number): boolean | void { return this.windowState.add(value); }

  /** Emits a fired window's contents (the contents state points at its state window). */
  protected emitWindowContents(window: W, namespace: Namespace): void {
    const contents = this.windowState.get();
    if (hasContents(contents)) this.callWindowFunction(window, namespace, contents as C);
  }

  protected callWindowFunction(window: W, namespace: Namespace, contents: C): void {
    this.collector.timestamp = window.maxTimestamp();
    this.processContext.window = window;
    this.processContext.namespace = namespace;
    this.windowFunction.process(this.currentKey, window, this.processContext, contents, this.collector);
  }

  private addToWindows(value: IN, timestamp: number, windows: readonly W[]): boolean {
    let skipped = true;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i];
      if (this.isWindowLate(window)) continue;
      skipped = false;
      let ns: Namespace;
      if (this.lastWindows[i] === window) ns = this.lastNamespaces[i];
      else {
        ns = this.assigner.namespaceOf(window);
        this.lastWindows[i] = window;
        this.lastNamespaces[i] = ns;
      }
      this.windowState.setCurrentNamespace(ns);
      const existed = this.addToContents(value, timestamp) === false;
      if (this.eventTimeTrigger) {
        const max = window.maxTimestamp();
        if (max > this.currentWatermark) {
          // EventTimeTrigger.onElement (CONTINUE), then the cleanup timer (the same one without
          // lateness). Contents that existed before this element got both timers with their first
          // element, and they are still pending: the watermark has not reached the window's end,
          // and only firing at the cleanup time or clearing (which drops the contents) removes them.
          if (existed) continue;
          this.timers.registerEventTimeTimer(ns, max);
          if (this.allowedLateness !== 0) this.timers.registerEventTimeTimer(ns, max + this.allowedLateness);
          continue;
        }
      }
      this.triggerContext.window = window;
      this.triggerContext.namespace = ns;
      const result = this.trigger.onElement(value, timestamp, window, this.triggerContext);
      if (isFire(result)) this.emitWindowContents(window, ns);
      if (isPurge(result)) this.windowState.clear();
      this.registerCleanupTimer(window, ns);
    }
    return skipped;
  }

  private addToMergingWindows(value: IN, timestamp: number, windows: readonly W[]): boolean {
    const set = this.loadMergingWindowSet();
    const ns = (w: W) => this.assigner.namespaceOf(w);
    let skipped = true;
    for (const window of windows) {
      const actual = set.addWindow(window, (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) => {
        if (this.eventTime && this.cleanupTime(mergeResult) <= this.currentWatermark) {
          throw new Error(`the end timestamp of an event-time window cannot become earlier than the current watermark by merging (watermark ${this.currentWatermark}, window ${String(mergeResult)})`);
        }
        const ctx = this.triggerContext;
        ctx.window = mergeResult;
        ctx.namespace = ns(mergeResult);
        ctx.mergedNamespaces = mergedWindows.map(ns);
        this.trigger.onMerge!(mergeResult, ctx);
        ctx.mergedNamespaces = [];
        for (const merged of mergedWindows) {
          ctx.window = merged;
          ctx.namespace = ns(merged);
          this.trigger.clear(merged, ctx);
          this.deleteCleanupTimer(merged, ctx.namespace);
        }
        if (mergedStateWindows.length > 0) this.windowState.mergeNamespaces(ns(stateWindowResult), mergedStateWindows.map(ns));
      });
      if (this.isWindowLate(actual)) { set.retireWindow(actual); continue; }
      skipped = false;
      const actualNs = ns(actual);
      this.windowState.setCurrentNamespace(ns(set.getStateWindow(actual)!));
      this.addToContents(value, timestamp);
      this.triggerContext.window = actual;
      this.triggerContext.namespace = actualNs;
      const result = this.trigger.onElement(value, timestamp, actual, this.triggerContext);
      if (isFire(result)) this.emitWindowContents(actual, actualNs);
      if (isPurge(result)) this.windowState.clear();
      this.registerCleanupTimer(actual, actualNs);
    }
    set.persist();
    return skipped;
  }

  private onTimer(timer: Timer, eventTime: boolean): void {
    this.currentKey = this.backend.getCurrentKey() as K;
    const window = this.assigner.windowOf(timer.namespace);
    let set: MergingWindowSet<W> | undefined;
    if (this.merging) {
      set = this.loadMergingWindowSet();
      const stateWindow = set.getStateWindow(window);
      // The window merged into another since this timer was set: its timers moved with it.
      if (stateWindow === undefined) return;
      this.windowState.setCurrentNamespace(this.assigner.namespaceOf(stateWindow));
    } else {
      this.windowState.setCurrentNamespace(timer.namespace);
    }
    const ctx = this.triggerContext;
    ctx.window = window;
    ctx.namespace = timer.namespace;
    const result = eventTime
      ? this.trigger.onEventTime(timer.timestamp, window, ctx)
      : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    if (isFire(result)) this.emitWindowContents(window, timer.namespace);
    if (isPurge(result)) this.windowState.clear();
    if (this.eventTime === eventTime && timer.timestamp === this.cleanupTime(window)) {
      // EventTimeTrigger.clear deletes the timer at the window's end: the one firing, already gone.
      const triggerTimerFired = this.eventTimeTrigger && timer.timestamp === window.maxTimestamp();
      this.clearAllState(window, timer.namespace, set, triggerTimerFired);
    }
    set?.persist();
  }

  private clearAllState(window: W, namespace: Namespace, set: MergingWindowSet<W> | undefined, skipTriggerClear = false): void {
    this.windowState.clear();
    this.triggerContext.window = window;
    this.triggerContext.namespace = namespace;
    if (!skipTriggerClear) this.trigger.clear(window, this.triggerContext);
    this.processContext.window = window;
    this.processContext.namespace = namespace;
    this.windowFunction.clear(window, this.processContext);
    set?.retireWindow(window);
  }

  private loadMergingWindowSet(): MergingWindowSet<W> {
    return new MergingWindowSet(this.merging!, this.mergingSetsState!);
  }

  /** When a window's state is dropped: end + allowed lateness in event time, end in processing time. */
  private cleanupTime(window: W): number {
    return this.eventTime ? window.maxTimestamp() + this.allowedLateness : window.maxTimestamp();
  }

  protected isWindowLate(window: W): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.currentWatermark;
  }

  private isElementLate(timestamp: number): boolean {
    return this.eventTime && timestamp + this.allowedLateness <= this.currentWatermark;
  }

  private registerCleanupTimer(window: W, namespace: Namespace): void {
    const at = this.cleanupTime(window);
    // The end of time never comes: no timer (global windows).
    if (at === Infinity) return;
    if (this.eventTime) this.timers.registerEventTimeTimer(namespace, at);
    else this.timers.registerProcessingTimeTimer(namespace, at);
  }

  private deleteCleanupTimer(window: W, namespace: Namespace): void {
    const at = this.cleanupTime(window);
    if (at === Infinity) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(namespace, at);
    else this.timers.deleteProcessingTimeTimer(namespace, at);
  }

  private createContentsState(descriptor: WindowContentsDescriptor<any>): WindowContentsState<any, any> {
    switch (descriptor.kind) {
      case 'reducing': return this.backend.getReducingState(descriptor);
      case 'aggregating': return this.backend.getAggregatingState(descriptor);
      case 'list': return this.backend.getListState(descriptor);
    }
  }
}

/** False for absent or empty window contents, which fire nothing. */
export function hasContents(contents: unknown): boolean {
  return contents !== undefined && !(Array.isArray(contents) && contents.length === 0);
}
