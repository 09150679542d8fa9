// IterativeStream: a streaming feedback loop (Flink's DataStream.iterate()). `stream.iterate()`
// adds the loop's head (a source) and input (a pass-through reading `stream`) and returns their
// union, which the body reads; `closeWith(feedback)` adds the tail, a sink fed by `feedback`, which
// hands its records back to the head of the same subtask (api/graph/feedback-loop.ts). Registers
// itself with stream-extensions (DataStream.iterate creates it), so it loads after DataStream.
// Imports api/ only.
import { DEFAULT_LOOP_DRAIN_WAIT_MS, FeedbackLoop, type FeedbackLoopOptions } from '../graph/feedback-loop.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import { FeedbackHeadOperator, FeedbackInputOperator, FeedbackSource, FeedbackTailOperator } from '../operators/feedback-operators.ts';
import { checkParallelism } from './data-stream-sink.ts';
import { DataStream, type StreamInput } from './data-stream.ts';
import { streamExtensions } from './stream-extensions.ts';

/** The start of a streaming iteration: the body reads it, and closeWith closes the loop. */
export class IterativeStream<T> extends DataStream<T> {
  /** @internal */
  constructor(stream: DataStream<T>, inputs: readonly StreamInput[], private readonly loop: FeedbackLoop) {
    super(stream.environment, inputs);
  }

  /**
   * Feeds `feedback` (a stream built from this one) back to the iteration's head: its records go
   * round the loop again. May be called more than once (the feedback streams are merged).
   * Returns `feedback`.
   */
  closeWith(feedback: DataStream<T>): DataStream<T> {
    if (!(feedback instanceof DataStream)) throw new TypeError('closeWith expects a DataStream');
    const head = this.loop.head;
    if (feedback.environment.streamGraph !== this.environment.streamGraph) {
      throw new Error(`closeWith: the feedback stream of iteration "${head.name}" belongs to another environment`);
    }
    for (const input of feedback.inputs) {
      if (!this.derives(input.node)) {
        throw new Error(`closeWith: the feedback stream of iteration "${head.name}" comes from operator "${input.node.name}", ` +
          'which is not built from the iteration; build it from the IterativeStream (it.map(...), it.filter(...), ...)');
      }
    }
    const graph = this.environment.streamGraph;
    if (this.loop.tail === undefined) {
      const loop = this.loop;
      const tail = graph.addNode({
        name: 'Iteration Sink', kind: 'one-input', isSink: true, parallelism: head.parallelism,
        operatorFactory: () => new FeedbackTailOperator(loop),
      });
      tail.feedback = { loop, role: 'tail' };
      if (head.uid !== undefined) tail.uid = head.uid.replace(/-head$/, '-tail');
      loop.tail = tail;
    }
    for (const input of feedback.inputs) {
      graph.addEdge({ source: input.node, target: this.loop.tail!, typeNumber: 1, partitioner: input.partitioner, sideOutputTag: input.sideOutputTag });
    }
    return feedback;
  }

  /** The iteration's parallelism: head, input and tail (a feedback stream must match it). */
  override setParallelism(parallelism: number): this {
    const p = checkParallelism(parallelism, this.loop.head.name);
    for (const node of this.loop.nodes()) node.parallelism = p;
    return this;
  }

  override setMaxParallelism(maxParallelism: number): this {
    const p = checkParallelism(maxParallelism, this.loop.head.name);
    for (const node of this.loop.nodes()) node.maxParallelism = p;
    return this;
  }

  /** The slot sharing group of head, input and tail (they always share one). */
  override slotSharingGroup(group: string): this {
    this.loop.head.slotSharingGroup = group;
    return this;
  }

  override name(name: string): this {
    this.loop.head.name = `${name} (head)`;
    this.loop.input.name = `${name} (input)`;
    return this;
  }

  /** Stable ids of head, input and tail (the tail's state holds the records in flight). */
  override uid(uid: string): this {
    this.loop.head.uid = `${uid}-head`;
    this.loop.input.uid = `${uid}-input`;
    if (this.loop.tail) this.loop.tail.uid = `${uid}-tail`;
    return this;
  }

  /** Whether `node` is built from this iteration (its head or input is upstream of it). */
  private derives(node: StreamNode): boolean {
    const seen = new Set<StreamNode>();
    const pending = [node];
    while (pending.length > 0) {
      const n = pending.pop()!;
      if (n === this.loop.head || n === this.loop.input) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const e of n.inEdges) pending.push(e.source);
    }
    return false;
  }
}

/** stream.iterate(options): see DataStream.iterate. */
function iterateStream<T>(stream: DataStream<T>, options: FeedbackLoopOptions): IterativeStream<T> {
  if (options === null || typeof options !== 'object') throw new TypeError('iterate(options): options must be an object such as { maxWaitTimeMs: 5000 }');
  const wait = options.maxWaitTimeMs;
  if (wait !== undefined && (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0)) {
    throw new RangeError(`iterate: maxWaitTimeMs must be a non-negative number of milliseconds, got ${String(wait)}`);
  }
  const graph = stream.environment.streamGraph;
  // API.md: the job ends once its inputs end and the loop has drained; 0 keeps Flink's endless loop.
  const loop = new FeedbackLoop(wait ?? DEFAULT_LOOP_DRAIN_WAIT_MS);
  const source = new FeedbackSource(loop);
  // The head first: it has the smallest id, so the input and tail resolve their group after it.
  const head = graph.addNode({ name: 'Iteration Source', kind: 'source', source, operatorFactory: () => new FeedbackHeadOperator(loop, source) });
  head.feedback = { loop, role: 'head' };
  loop.head = head;
  const input = stream.addOperator('Iteration Input', () => new FeedbackInputOperator<T>(loop));
  input.feedback = { loop, role: 'input' };
  loop.input = input;
  // Flink's iteration runs at its input's parallelism when that was set.
  const upstream = stream.inputs.length === 1 ? stream.inputs[0].node.parallelism : undefined;
  if (upstream !== undefined) { head.parallelism = upstream; input.parallelism = upstream; }
  return new IterativeStream<T>(stream, [{ node: input }, { node: head }], loop);
}

streamExtensions.iterative = iterateStream;
