// The contexts the window operator hands to triggers and window functions. One instance of each
// per operator, re-pointed at the current key's window before every call, so firing and
// per-element trigger calls allocate nothing. Imports api/ and state/ contracts only.
import type { KeyedStateBackend, Namespace } from '../../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.ts';
import type { StateDescriptor } from '../../state/state-descriptors.ts';
import type { InternalTimerService } from '../../state/timer-service.ts';
import type { KeyedStateStore, ProcessWindowContext } from '../functions/process-window-function.ts';
import type { Output } from '../operators/stream-operator.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import type { Window } from './time-window.ts';
import type { OnMergeContext, PartitionedState } from './trigger.ts';

/** Fetches state of `descriptor` from `backend`, pointed at `namespace`. */
export function stateInNamespace(backend: KeyedStateBackend, descriptor: StateDescriptor, namespace: Namespace): any {
  let state;
  switch (descriptor.kind) {
    case 'value': state = backend.getValueState(descriptor); break;
    case 'list': state = backend.getListState(descriptor); break;
    case 'map': state = backend.getMapState(descriptor); break;
    case 'reducing': state = backend.getReducingState(descriptor); break;
    case 'aggregating': state = backend.getAggregatingState(descriptor); break;
  }
  state.setCurrentNamespace(namespace);
  return state;
}

/** The trigger context: timers and state in the namespace of the current window. */
export class WindowTriggerContext<W extends Window> implements OnMergeContext {
  window!: W;
  namespace: Namespace = VOID_NAMESPACE;
  /** Set during onMerge: the namespaces of the windows merged into `window`. */
  mergedNamespaces: Namespace[] = [];

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
    private readonly watermark: () => number,
  ) {}

  getCurrentProcessingTime(): number { return this.timers.currentProcessingTime(); }
  getCurrentWatermark(): number { return this.watermark(); }
  registerProcessingTimeTimer(time: number): void { this.timers.registerProcessingTimeTimer(this.namespace, time); }
  registerEventTimeTimer(time: number): void { this.timers.registerEventTimeTimer(this.namespace, time); }
  deleteProcessingTimeTimer(time: number): void { this.timers.deleteProcessingTimeTimer(this.namespace, time); }
  deleteEventTimeTimer(time: number): void { this.timers.deleteEventTimeTimer(this.namespace, time); }

  getPartitionedState<D extends StateDescriptor>(descriptor: D): PartitionedState<D> {
    return stateInNamespace(this.backend, descriptor, this.namespace);
  }

  mergePartitionedState(descriptor: StateDescriptor): void {
    if (this.mergedNamespaces.length === 0) return;
    if (descriptor.kind === 'value' || descriptor.kind === 'map') {
      throw new Error(`trigger state "${descriptor.name}" cannot be merged: only list, reducing and aggregating state merge`);
    }
    const state = stateInNamespace(this.backend, descriptor, this.namespace);
    const sources = this.mergedNamespaces.filter((ns) => ns !== this.namespace);
    if (sources.length > 0) state.mergeNamespaces(this.namespace, sources);
  }
}

class ScopedStateStore implements KeyedStateStore {
  constructor(private readonly backend: KeyedStateBackend, private readonly namespace: () => Namespace) {}
  getState(d: any): any { return stateInNamespace(this.backend, d, this.namespace()); }
  getListState(d: any): any { return stateInNamespace(this.backend, d, this.namespace()); }
  getMapState(d: any): any { return stateInNamespace(this.backend, d, this.namespace()); }
  getReducingState(d: any): any { return stateInNamespace(this.backend, d, this.namespace()); }
  getAggregatingState(d: any): any { return stateInNamespace(this.backend, d, this.namespace()); }
}

/**
 * Per-window state of merging windows: refused, as in Flink. When windows merge, the window
 * function's state in each of them could not be merged (value and map state do not merge, and
 * the operator does not know which descriptors the function used), so it would be lost silently.
 */
class MergingWindowStateStore implements KeyedStateStore {
  getState(): never { return refuse(); }
  getListState(): never { return refuse(); }
  getMapState(): never { return refuse(); }
  getReducingState(): never { return refuse(); }
  getAggregatingState(): never { return refuse(); }
}

function refuse(): never {
  throw new Error('Per-window state is not allowed when using merging windows: use globalState, or a window assigner that does not merge');
}

/** The context of window functions: the fired window, time, scoped state, side outputs. */
export class WindowProcessContext<W extends Window> implements ProcessWindowContext<W> {
  window!: W;
  namespace: Namespace = VOID_NAMESPACE;
  readonly windowState: KeyedStateStore;
  readonly globalState: KeyedStateStore;

  constructor(
    backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
    private readonly watermark: () => number,
    private readonly out: Output<unknown>,
    /** Windows merge (session windows): per-window state is refused. */
    merging = false,
  ) {
    this.windowState = merging ? new MergingWindowStateStore() : new ScopedStateStore(backend, () => this.namespace);
    this.globalState = new ScopedStateStore(backend, () => VOID_NAMESPACE);
  }

  get currentWatermark(): number { return this.watermark(); }
  get currentProcessingTime(): number { return this.timers.currentProcessingTime(); }
  output<X>(tag: OutputTag<X>, value: X): void { this.out.collectSide(requireOutputTag(tag), value, this.window.maxTimestamp()); }
}
