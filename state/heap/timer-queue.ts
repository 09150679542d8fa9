// TimerQueue: one time domain's timers in firing order (timestamp, then registration order),
// deduplicated by (timestamp, key, namespace) and deletable (Flink's HeapPriorityQueueSet).
// Timers are grouped in one bucket per distinct timestamp: windows make many keys register the
// same timestamp, so a bucket holds many timers and the min-heap orders only the few distinct
// timestamps. Within a bucket timers are kept in registration order, so firing order needs no
// comparison. Each bucket dedups by key token in one Map; firing a timer is an index increment.
// Imports only state/ contracts; never api/ or actors/.
import type { Key } from '../key-groups.ts';
import type { Namespace } from '../keyed-state-backend.ts';
import type { Timer } from '../timer-service.ts';

/**
 * A pending (or fired, once `live` is false) timer. Its timestamp is its bucket's: the number is
 * held once per bucket rather than boxed in every timer (a window's end is shared by many keys).
 */
export class TimerNode implements Timer {
  /** False once fired or deleted. */
  live = true;
  constructor(
    private readonly bucket: Bucket,
    readonly key: Key,
    readonly namespace: Namespace,
    readonly token: unknown,
    /** Registration order across the queue (checkpoints keep ties in this order). */
    readonly seq: number,
    /** An older timer of the same key in the same bucket (another namespace), if any. */
    public sameKey: TimerNode | undefined,
  ) {}

  get timestamp(): number { return this.bucket.timestamp; }
}

/** The timers of one timestamp, in registration order. */
class Bucket {
  /** Timers from `head` on; the one at `head` is live whenever `live > 0`. */
  nodes: Array<TimerNode | undefined> = [];
  head = 0;
  live = 0;
  /** Position in the queue's heap of buckets. */
  index = 0;
  /** The newest timer per key token; older ones of the token chain through `sameKey`. */
  readonly byToken = new Map<unknown, TimerNode>();
  constructor(readonly timestamp: number) {}

  find(token: unknown, namespace: Namespace): TimerNode | undefined {
    for (let t = this.byToken.get(token); t !== undefined; t = t.sameKey) {
      if (t.namespace === namespace && t.live) return t;
    }
    return undefined;
  }

  /** Moves `head` past fired and deleted timers. */
  skipDead(): void {
    const nodes = this.nodes;
    let h = this.head;
    while (h < nodes.length && !nodes[h]!.live) nodes[h++] = undefined;
    this.head = h;
  }
}

/** Dead timers a bucket tolerates behind its head before compacting. */
const COMPACT_AT = 32;

/** A deduplicated priority queue of timers. */
export class TimerQueue {
  /** Buckets with live timers, a binary min-heap by timestamp. */
  private readonly heap: Bucket[] = [];
  private readonly buckets = new Map<number, Bucket>();
  /** The bucket of the last registration (consecutive registrations share timestamps). */
  private last: Bucket | undefined;
  private count = 0;
  private seq = 0;

  /** Number of pending timers. */
  get size(): number { return this.count; }

  /** The earliest timer, if any. */
  peek(): TimerNode | undefined {
    const b = this.heap[0];
    return b === undefined ? undefined : b.nodes[b.head];
  }

  /** Adds a timer unless an equal one is pending; returns whether it was added. */
  add(timestamp: number, key: Key, token: unknown, namespace: Namespace): boolean {
    let b = this.last;
    if (b === undefined || b.timestamp !== timestamp || b.live === 0) {
      b = this.buckets.get(timestamp);
      if (b === undefined) b = this.newBucket(timestamp);
      this.last = b;
    }
    const first = b.byToken.get(token);
    let older: TimerNode | undefined;
    if (first !== undefined) {
      if (first.namespace === namespace && first.live) return false;
      if (first.sameKey !== undefined || first.live) {
        if (b.find(token, namespace) !== undefined) return false;
        older = liveChain(first);
      }
    }
    const node = new TimerNode(b, key, namespace, token, this.seq++, older);
    b.byToken.set(token, node);
    b.nodes.push(node);
    b.live++;
    this.count++;
    return true;
  }

  /** Removes the timer equal to (timestamp, key, namespace), if pending. */
  delete(timestamp: number, token: unknown, namespace: Namespace): boolean {
    const b = this.buckets.get(timestamp);
    if (b === undefined) return false;
    let prev: TimerNode | undefined;
    let node = b.byToken.get(token);
    while (node !== undefined && !(node.namespace === namespace && node.live)) { prev = node; node = node.sameKey; }
    if (node === undefined) return false;
    if (prev === undefined) {
      if (node.sameKey === undefined) b.byToken.delete(token);
      else b.byToken.set(token, node.sameKey);
    } else {
      prev.sameKey = node.sameKey;
    }
    node.live = false;
    this.count--;
    if (--b.live === 0) this.removeBucket(b);
    else if (b.nodes[b.head] === node) b.skipDead();
    else if (b.nodes.length - b.head - b.live > COMPACT_AT && b.nodes.length - b.head > 2 * b.live) compact(b);
    return true;
  }

  /** Removes and returns the earliest timer. */
  poll(): TimerNode | undefined {
    const b = this.heap[0];
    if (b === undefined) return undefined;
    const node = b.nodes[b.head]!;
    b.nodes[b.head++] = undefined;
    node.live = false;
    this.count--;
    if (--b.live === 0) this.removeBucket(b);
    else b.skipDead();
    return node;
  }

  /** Every pending timer, in no particular order. */
  all(): TimerNode[] {
    const out: TimerNode[] = [];
    for (const b of this.heap) {
      for (let i = b.head; i < b.nodes.length; i++) {
        const t = b.nodes[i]!;
        if (t.live) out.push(t);
      }
    }
    return out;
  }

  /** Drops every timer. */
  clear(): void {
    for (const b of this.heap) for (let i = b.head; i < b.nodes.length; i++) b.nodes[i]!.live = false;
    this.heap.length = 0;
    this.buckets.clear();
    this.last = undefined;
    this.count = 0;
  }

  private newBucket(timestamp: number): Bucket {
    const b = new Bucket(timestamp);
    this.buckets.set(timestamp, b);
    b.index = this.heap.length;
    this.heap.push(b);
    this.siftUp(b.index);
    return b;
  }

  private removeBucket(b: Bucket): void {
    this.buckets.delete(b.timestamp);
    if (this.last === b) this.last = undefined;
    const heap = this.heap;
    const last = heap.pop()!;
    if (b.index === heap.length) return;
    heap[b.index] = last;
    last.index = b.index;
    this.siftDown(last.index);
    this.siftUp(last.index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const b = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent.timestamp <= b.timestamp) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = b;
    b.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const b = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right].timestamp < heap[left].timestamp ? right : left;
      if (heap[child].timestamp >= b.timestamp) break;
      heap[index] = heap[child];
      heap[index].index = index;
      index = child;
    }
    heap[index] = b;
    b.index = index;
  }
}

/** `first`'s chain without its fired timers (fired timers are not unlinked when they fire). */
function liveChain(first: TimerNode): TimerNode | undefined {
  let head: TimerNode | undefined;
  let tail: TimerNode | undefined;
  for (let t: TimerNode | undefined = first; t !== undefined; t = t.sameKey) {
    if (!t.live) continue;
    if (tail === undefined) head = t;
    else tail.sameKey = t;
    tail = t;
  }
  if (tail !== undefined) tail.sameKey = undefined;
  return head;
}

/** Drops the dead timers of a bucket's array, keeping registration order. */
function compact(b: Bucket): void {
  const kept: Array<TimerNode | undefined> = [];
  for (let i = b.head; i < b.nodes.length; i++) {
    const t = b.nodes[i]!;
    if (t.live) kept.push(t);
  }
  b.nodes = kept;
  b.head = 0;
}

// A timer's namespace is a string or a number (a window). V8 stores a field that has only held
// numbers as a box per object; one timer with a string namespace, made at load, keeps the field
// tagged, so a window's namespace is shared by every timer in it rather than copied per timer.
new TimerNode(new Bucket(0), '', '', '', 0, undefined);
