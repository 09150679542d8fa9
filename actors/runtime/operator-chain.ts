// The operator chain of one subtask, built from its job vertex: each operator set up with its
// context (keyed state backend, timer services, accumulators) and its output (chained consumers
// as direct calls, record writers for network edges, side outputs), maps and filters feeding one
// consumer fused into a single loop, and the head wired to its input: a source reader, or an
// input gate whose records reach the head operator through its key context. Built tail first, so
// that each operator's consumers exist when it is set up. The subtask (StreamTask) owns what is
// built and runs it. Imports api/, state/ and actors/runtime.
import type { StreamNode } from '../../api/graph/stream-graph.ts';
import { createChannelSelector } from '../../api/graph/partitioner.ts';
import { selectKey } from '../../api/functions/key-selector.ts';
import type { OneInputStreamOperator, OperatorContext, Output, TwoInputStreamOperator } from '../../api/operators/stream-operator.ts';
import type { SourceOperator } from '../../api/sources/source-operator.ts';
import type { TaskIOMetrics } from '../../api/metrics/task-io-metrics.ts';
import type { Cancel } from '../../api/time/clock.ts';
import { keyGroupRangeForOperator } from '../../state/key-groups.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../../state/timer-service.ts';
import { ChainingOutput, createOutput, KeyedChainingOutput, RecordWriterOutput } from './chain-outputs.ts';
import { ChainMetrics } from './chain-metrics.ts';
import { FusedStatelessChain, statelessStepOf } from '../../api/operators/fused-stateless-chain.ts';
import { InputGate } from './input-gate.ts';
import { createKeyedStateBackend, createTimerService } from './keyed-state-factory.ts';
import { RecordWriter } from './record-writer.ts';
import type { TaskDeployment } from './stream-task.ts';

/** One operator of the chain, with the timer services it created (by name). */
export interface ChainedOperatorEntry {
  readonly node: StreamNode;
  readonly operator: any;
  readonly context: OperatorContext;
  readonly timerServices: Map<string, InternalTimerService>;
}

/** Where the records of one input of the head go. */
export interface ElementInput { processElement(value: unknown, timestamp: number): void }

/** What building a chain needs of its subtask. */
export interface ChainHost {
  readonly deployment: TaskDeployment;
  /** The subtask's I/O metrics (the head's records in, the input watermark). */
  readonly io: TaskIOMetrics;
  /** Queues the subtask to run (its input gate has data). */
  schedule(): void;
  /** A record writer waits for credit. */
  onBlocked(): void;
  /** A record writer's backlog drained. */
  onWritable(): void;
  /** Input `input` (1 or 2) of the head ended. */
  onEndOfInput(input: 1 | 2): void;
  /** The source reader asks for a split. */
  onSplitRequest(): void;
  registerProcessingTimer(timestamp: number, callback: (time: number) => void): Cancel;
}

/** A built chain: what the subtask runs. */
export interface OperatorChain {
  /** Head first. */
  readonly operators: ChainedOperatorEntry[];
  readonly writers: RecordWriter[];
  readonly metrics: ChainMetrics;
  /** The head's source reader (a source vertex), else undefined. */
  readonly source: SourceOperator<unknown> | undefined;
  /** The head's input gate (any other vertex), else undefined. */
  readonly gate: InputGate | undefined;
  readonly input1: ElementInput | undefined;
  readonly input2: ElementInput | undefined;
}

/** Builds the operator chain of `host`'s subtask (see the file header). */
export function buildOperatorChain(host: ChainHost): OperatorChain {
  const { vertex, subtaskIndex, outputChannels, batchSize } = host.deployment;
  const inChain = new Set(vertex.nodes);
  const inputs = new Map<StreamNode, Output<unknown>>();
  const metrics = new ChainMetrics(vertex.nodes);
  const backpressure = { onBlocked: (): void => host.onBlocked(), onWritable: (): void => host.onWritable() };
  const operators: ChainedOperatorEntry[] = [];
  const writers: RecordWriter[] = [];
  let head: Pick<OperatorChain, 'source' | 'gate' | 'input1' | 'input2'> = { source: undefined, gate: undefined, input1: undefined, input2: undefined };
  // Tail first: each operator's consumers exist when it is set up.
  for (let i = vertex.nodes.length - 1; i >= 0; i--) {
    const node = vertex.nodes[i];
    const main: Output<unknown>[] = [];
    const side = new Map<string, Output<unknown>[]>();
    for (const edge of node.outEdges) {
      let consumer: Output<unknown>;
      if (inChain.has(edge.target)) {
        consumer = inputs.get(edge.target)!;
        metrics.chained(node, edge.sideOutputTag ? `side:${edge.sideOutputTag.id}` : 'main', edge.target);
      } else {
        const jobEdge = vertex.outputs.find((e) => e.streamEdge === edge)!;
        const channels = outputChannels.get(jobEdge)!;
        const selector = createChannelSelector(jobEdge.partitioner, {
          numChannels: channels.length, senderIndex: subtaskIndex, senderParallelism: vertex.parallelism,
          maxParallelism: jobEdge.target.maxParallelismOf.get(jobEdge.targetNode.id)!, targetName: jobEdge.targetNode.name,
        });
        const writer = new RecordWriter(channels, selector, batchSize, backpressure);
        writers.push(writer);
        metrics.network(node, edge.sideOutputTag ? `side:${edge.sideOutputTag.id}` : 'main', writer);
        consumer = new RecordWriterOutput(writer);
      }
      if (edge.sideOutputTag) {
        const list = side.get(edge.sideOutputTag.id) ?? [];
        list.push(consumer);
        side.set(edge.sideOutputTag.id, list);
      } else {
        main.push(consumer);
      }
    }
    const output = createOutput(main, side);
    const operator = node.operatorFactory() as any;
    const timerServices = new Map<string, InternalTimerService>();
    const context = createContext(host, node, timerServices);
    operator.setup(context, output);
    operators.unshift({ node, operator, context, timerServices });
    const selector = node.keySelectors[0];
    // Maps and filters feeding a single chained consumer run fused: one loop over their functions.
    const step = !selector && side.size === 0 && main.length === 1 ? statelessStepOf(operator) : undefined;
    const fused = step ? (main[0] instanceof FusedStatelessChain ? main[0].prepend(step) : new FusedStatelessChain([step], main[0])) : undefined;
    if (fused) metrics.fusedStep(node, step!, fused);
    if (i > 0) {
      const link = fused ?? (selector && context.keyedState
        ? new KeyedChainingOutput(operator, context.keyedState, selector, node.name)
        : new ChainingOutput(operator));
      if (!fused) metrics.link(node, link as ChainingOutput<unknown>);
      inputs.set(node, link);
      continue;
    }
    metrics.head(node, node.kind === 'source' ? undefined : () => host.io.numRecordsIn);
    head = wireHead(host, node, operator, context, output);
    if (fused && node.kind === 'one-input') head = { ...head, input1: fused };
  }
  return { operators, writers, metrics, ...head };
}

/** The head's input: its source reader, or an input gate feeding its inputs. */
function wireHead(host: ChainHost, node: StreamNode, operator: any, context: OperatorContext, output: Output<unknown>): Pick<OperatorChain, 'source' | 'gate' | 'input1' | 'input2'> {
  if (node.kind === 'source') {
    const source = operator as SourceOperator<unknown>;
    source.splitRequestHandler = () => host.onSplitRequest();
    return { source, gate: undefined, input1: undefined, input2: undefined };
  }
  const { deployment, io } = host;
  const gate = new InputGate(deployment.inputChannels, {
    onWatermark: (t) => { io.currentInputWatermark = t; operator.processWatermark(t); },
    onWatermarkStatus: (idle) => (operator.processWatermarkStatus ? operator.processWatermarkStatus(idle) : output.emitWatermarkStatus(idle)),
    onEndOfInput: (input) => host.onEndOfInput(input),
  }, () => host.schedule(), () => deployment.scheduler.now());
  const backend = context.keyedState;
  const keyed = (selector: ((v: any) => any) | undefined, process: (v: unknown, t: number) => void): ElementInput => {
    if (!selector || !backend) return { processElement: process };
    const name = node.name;
    return { processElement: (v, t) => { backend.setCurrentKey(selectKey(selector, v, name)); process(v, t); } };
  };
  if (node.kind === 'two-input') {
    const op = operator as TwoInputStreamOperator<unknown, unknown, unknown>;
    return {
      source: undefined, gate,
      input1: keyed(node.keySelectors[0], (v, t) => op.processElement1(v, t)),
      input2: keyed(node.keySelectors[1], (v, t) => op.processElement2(v, t)),
    };
  }
  const op = operator as OneInputStreamOperator<unknown, unknown>;
  const selector = node.keySelectors[0];
  let input1: ElementInput = op;
  if (selector && backend) {
    const name = node.name;
    // The keyed hot path: set the key, call the operator; no intermediate closure.
    input1 = op.setKeyContext !== undefined
      ? { processElement: (v, t) => { op.setKeyContext!(selectKey(selector, v, name)); op.processElement(v, t); } }
      : { processElement: (v, t) => { backend.setCurrentKey(selectKey(selector, v, name)); op.processElement(v, t); } };
  }
  return { source: undefined, gate, input1, input2: undefined };
}

/** Builds an operator's context; every timer service it creates is recorded in `timerServices` (for snapshots). */
function createContext(host: ChainHost, node: StreamNode, timerServices: Map<string, InternalTimerService>): OperatorContext {
  const { vertex, subtaskIndex, attemptNumber, clock, checkpointingEnabled } = host.deployment;
  const maxParallelism = vertex.maxParallelismOf.get(node.id)!;
  const keyed = node.keySelectors[0] !== undefined || node.keySelectors[1] !== undefined;
  const now = (): number => clock.now();
  const registerProcessingTimer = (timestamp: number, callback: (time: number) => void): Cancel => host.registerProcessingTimer(timestamp, callback);
  let keyedState: KeyedStateBackend | undefined;
  if (keyed) keyedState = createKeyedStateBackend(maxParallelism, keyGroupRangeForOperator(maxParallelism, vertex.parallelism, subtaskIndex), now);
  return {
    operatorName: node.name,
    uid: node.uid ?? `${node.name}-${node.id}`,
    subtaskIndex,
    parallelism: vertex.parallelism,
    maxParallelism,
    attemptNumber,
    clock,
    registerProcessingTimer,
    keyedState,
    getTimerService: keyedState ? (name, triggerable) => {
      // Operators may create their services in setup(), before the checkpointer wraps anything.
      const service = createTimerService(keyedState!, triggerable, now, registerProcessingTimer);
      timerServices.set(name, service);
      return service;
    } : undefined,
    checkpointingEnabled,
    accumulators: new Map(),
  };
}
