// TimerQueue: one time domain's timers as a binary min-heap by (timestamp, registration order),
// deduplicated by (timestamp, key, namespace) and deletable in O(log n) (Flink's
// HeapPriorityQueueSet). Imports only state/ contracts; never api/ or actors/.
import type { Key } from '../key-groups.ts';
import type { Namespace } from '../keyed-state-backend.ts';
import type { Timer } from '../timer-service.ts';

/** A timer in the heap: it remembers its heap position so deletion needs no search. */
export interface TimerNode extends Timer {
  readonly token: unknown;
  readonly seq: number;
  index: number;
}

/**
 * The pending timers of one key: a short array while there are few (a window or two per key, the
 * common case: one Map lookup and a scan), a map by timestamp and namespace beyond that.
 */
type KeyTimers = TimerNode[] | Map<number, Map<Namespace, TimerNode>>;

/** Timers per key kept in an array before switching to maps. */
const SMALL = 8;

/** A deduplicated priority queue of timers. */
export class TimerQueue {
  private readonly heap: TimerNode[] = [];
  private readonly byToken = new Map<unknown, KeyTimers>();
  private seq = 0;

  /** Number of pending timers. */
  get size(): number { return this.heap.length; }

  /** The earliest timer, if any. */
  peek(): TimerNode | undefined { return this.heap[0]; }

  /** Adds a timer unless an equal one is pending; returns whether it was added. */
  add(timestamp: number, key: Key, token: unknown, namespace: Namespace): boolean {
    const timers = this.byToken.get(token);
    if (timers !== undefined && find(timers, timestamp, namespace) !== undefined) return false;
    const node: TimerNode = { timestamp, key, namespace, token, seq: this.seq++, index: this.heap.length };
    if (timers === undefined) this.byToken.set(token, [node]);
    else if (!Array.isArray(timers)) addToMap(timers, node);
    else if (timers.length < SMALL) timers.push(node);
    else {
      const map = new Map<number, Map<Namespace, TimerNode>>();
      for (const t of timers) addToMap(map, t);
      addToMap(map, node);
      this.byToken.set(token, map);
    }
    this.heap.push(node);
    this.siftUp(node.index);
    return true;
  }

  /** Removes the timer equal to (timestamp, key, namespace), if pending. */
  delete(timestamp: number, token: unknown, namespace: Namespace): boolean {
    const timers = this.byToken.get(token);
    const node = timers === undefined ? undefined : find(timers, timestamp, namespace);
    if (node === undefined) return false;
    this.unindex(node);
    this.removeAt(node.index);
    return true;
  }

  /** Removes and returns the earliest timer. */
  poll(): TimerNode | undefined {
    const head = this.heap[0];
    if (head === undefined) return undefined;
    this.unindex(head);
    this.removeAt(0);
    return head;
  }

  /** Every pending timer, in no particular order. */
  all(): readonly TimerNode[] { return this.heap; }

  /** Drops every timer. */
  clear(): void {
    this.heap.length = 0;
    this.byToken.clear();
  }

  private unindex(node: TimerNode): void {
    const timers = this.byToken.get(node.token)!;
    if (!Array.isArray(timers)) {
      const byNamespace = timers.get(node.timestamp)!;
      byNamespace.delete(node.namespace);
      if (byNamespace.size === 0) timers.delete(node.timestamp);
      if (timers.size === 0) this.byToken.delete(node.token);
    } else {
      timers.splice(timers.indexOf(node), 1);
      if (timers.length === 0) this.byToken.delete(node.token);
    }
  }

  private removeAt(index: number): void {
    const last = this.heap.pop()!;
    if (index === this.heap.length) return;
    this.heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  private less(a: TimerNode, b: TimerNode): boolean {
    return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const node = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!this.less(node, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = node;
    node.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const node = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right], heap[left]) ? right : left;
      if (!this.less(heap[child], node)) break;
      heap[index] = heap[child];
      heap[index].index = index;
      index = child;
    }
    heap[index] = node;
    node.index = index;
  }
}

function find(timers: KeyTimers, timestamp: number, namespace: Namespace): TimerNode | undefined {
  if (!Array.isArray(timers)) return timers.get(timestamp)?.get(namespace);
  for (let i = 0; i < timers.length; i++) {
    const t = timers[i];
    if (t.timestamp === timestamp && t.namespace === namespace) return t;
  }
  return undefined;
}

function addToMap(map: Map<number, Map<Namespace, TimerNode>>, node: TimerNode): void {
  let byNamespace = map.get(node.timestamp);
  if (byNamespace === undefined) map.set(node.timestamp, byNamespace = new Map());
  byNamespace.set(node.namespace, node);
}
