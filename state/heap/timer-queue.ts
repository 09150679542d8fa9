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

type ByNamespace = Map<Namespace, TimerNode>;

/** A deduplicated priority queue of timers. */
export class TimerQueue {
  private readonly heap: TimerNode[] = [];
  private readonly byTimestamp = new Map<number, Map<unknown, ByNamespace>>();
  private seq = 0;

  /** Number of pending timers. */
  get size(): number { return this.heap.length; }

  /** The earliest timer, if any. */
  peek(): TimerNode | undefined { return this.heap[0]; }

  /** Adds a timer unless an equal one is pending; returns whether it was added. */
  add(timestamp: number, key: Key, token: unknown, namespace: Namespace): boolean {
    let byToken = this.byTimestamp.get(timestamp);
    if (byToken === undefined) this.byTimestamp.set(timestamp, byToken = new Map());
    let byNamespace = byToken.get(token);
    if (byNamespace === undefined) byToken.set(token, byNamespace = new Map());
    if (byNamespace.has(namespace)) return false;
    const node: TimerNode = { timestamp, key, namespace, token, seq: this.seq++, index: this.heap.length };
    byNamespace.set(namespace, node);
    this.heap.push(node);
    this.siftUp(node.index);
    return true;
  }

  /** Removes the timer equal to (timestamp, key, namespace), if pending. */
  delete(timestamp: number, token: unknown, namespace: Namespace): boolean {
    const node = this.byTimestamp.get(timestamp)?.get(token)?.get(namespace);
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
    this.byTimestamp.clear();
  }

  private unindex(node: TimerNode): void {
    const byToken = this.byTimestamp.get(node.timestamp)!;
    const byNamespace = byToken.get(node.token)!;
    byNamespace.delete(node.namespace);
    if (byNamespace.size === 0) {
      byToken.delete(node.token);
      if (byToken.size === 0) this.byTimestamp.delete(node.timestamp);
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
