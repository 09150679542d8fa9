// Bulk and delta iterations of the DataStream API (batch mode). Each builds a separate StreamGraph
// for its body: the step function gets a stream reading the iteration's head (the current data
// set, or the workset) in a view of the environment whose stream graph is the body's, so whatever
// it builds lands in the body; the streams it returns end at IterationOutput sinks. In the job's
// graph the iteration is one node (never chained, so it is a stage of its own) whose inputs are
// the initial data set (bulk) or the initial solution set and workset (delta); the batch runtime
// runs the body once per superstep. Every operator of the body is bound to the iteration's
// IterationAggregation (its functions' RuntimeContext reaches the superstep number and the
// aggregators). Functions only (no top-level use of DataStream), so data-stream.ts can import
// this module. Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import { IterationAggregation, type IterationAggregationOptions } from '../functions/iteration-aggregators.ts';
import type { KeySelector } from '../functions/key-selector.ts';
import {
  IterationInput, IterationOutput, SolutionSetPartitions, type BulkIterationSpec, type DeltaIterationSpec, type IterationSpec,
} from '../graph/iteration-spec.ts';
import { StreamGraph, type StreamNode } from '../graph/stream-graph.ts';
import { SourceOperator } from '../sources/source-operator.ts';
import type { StreamExecutionEnvironment } from '../environment/stream-execution-environment.ts';
import { DataStream } from './data-stream.ts';
import { SolutionSet } from './solution-set.ts';

/** Options of a bulk iteration: a termination criterion, aggregators and a convergence criterion. */
export interface BulkIterationOptions<T> extends IterationAggregationOptions {
  /** Ends the iteration after a superstep whose criterion data set (built from that superstep's result) is empty. */
  // any element type: DataStream is invariant in T
  terminationCriterion?: (next: DataStream<T>) => DataStream<any>;
}

/** Options of a delta iteration: aggregators and a convergence criterion. */
export type DeltaIterationOptions = IterationAggregationOptions;

/** The step of a delta iteration: the solution set's delta and the next workset. */
export type DeltaStep<S, W> = (solution: SolutionSet<S>, workset: DataStream<W>) => [DataStream<S>, DataStream<W>];

function checkMaxIterations(maxIterations: number): void {
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new RangeError(`maxIterations must be a positive integer, got ${String(maxIterations)}`);
  }
}

/** A view of `env` that adds nodes to `graph` instead of the job's stream graph. */
function bodyEnvironment(env: StreamExecutionEnvironment, graph: StreamGraph): StreamExecutionEnvironment {
  return Object.create(env, { streamGraph: { value: graph } }) as StreamExecutionEnvironment;
}

/** The body's head node, reading `head`. */
function headStream<T>(env: StreamExecutionEnvironment, graph: StreamGraph, head: IterationInput, name: string): [DataStream<T>, StreamNode] {
  const node = graph.addNode({
    name, kind: 'source', source: head,
    operatorFactory: () => new SourceOperator(head, undefined, 0),
  });
  return [new DataStream<T>(bodyEnvironment(env, graph), [{ node }]), node];
}

/** Ends `stream` (a stream of the body) at a new IterationOutput. */
function tail(stream: DataStream<unknown>, graph: StreamGraph, what: string): IterationOutput {
  if (!(stream instanceof DataStream) || stream.environment.streamGraph !== graph) {
    throw new Error(`the iteration's ${what} must be a stream built from the step function's arguments (inside the step), not one from outside it`);
  }
  const output = new IterationOutput(`the iteration's ${what}`);
  output.node = stream.addOperator(`Iteration Tail (${what})`, () => output.create(), true);
  return output;
}

/** The iteration's aggregation state, every operator of its body bound to it. */
function bindBody(body: StreamGraph, options: IterationAggregationOptions, what: string): IterationAggregation {
  const aggregation = new IterationAggregation({ aggregators: options.aggregators, convergence: options.convergence }, what);
  for (const node of body.nodes) (node as { operatorFactory: () => unknown }).operatorFactory = aggregation.bindFactory(node.operatorFactory);
  return aggregation;
}

/** Adds the iteration node reading `inputs` (per input number) to the job's graph. */
function iterationNode<R>(env: StreamExecutionEnvironment, name: string, spec: IterationSpec, inputs: Array<DataStream<unknown>>): DataStream<R> {
  const graph = env.streamGraph;
  const node = graph.addNode({
    name, kind: inputs.length === 1 ? 'one-input' : 'two-input',
    operatorFactory: () => { throw new Error(`"${name}" runs in batch mode only`); },
    chainingStrategy: 'never',
  });
  node.iteration = spec;
  inputs.forEach((stream, i) => {
    if (stream.environment.streamGraph !== graph) throw new Error(`"${name}": every input must belong to the same environment`);
    for (const input of stream.inputs) {
      graph.addEdge({ source: input.node, target: node, typeNumber: (i + 1) as 1 | 2, partitioner: input.partitioner, sideOutputTag: input.sideOutputTag });
    }
  });
  return new DataStream<R>(env, [{ node }]);
}

/** stream.iterate(maxIterations, step, options): see DataStream.iterate. */
export function bulkIteration<T>(stream: DataStream<T>, maxIterations: number, step: (current: DataStream<T>) => DataStream<T>, options: BulkIterationOptions<T> = {}): DataStream<T> {
  checkMaxIterations(maxIterations);
  if (typeof step !== 'function') throw new TypeError('iterate(maxIterations, step): step must be a function');
  const body = new StreamGraph();
  const head = new IterationInput('the bulk iteration head');
  const [current, headNode] = headStream<T>(stream.environment, body, head, 'Bulk Iteration Head');
  const result = step(current);
  const next = tail(result as DataStream<unknown>, body, 'next data set');
  let termination: IterationOutput | undefined;
  if (options.terminationCriterion !== undefined) {
    const criterion = options.terminationCriterion(new DataStream<T>(current.environment, result.inputs));
    termination = tail(criterion, body, 'termination criterion');
  }
  const aggregation = bindBody(body, options, 'iterate()');
  const spec: BulkIterationSpec = { kind: 'bulk', maxIterations, body, head, headNode, next, termination, aggregation };
  return iterationNode<T>(stream.environment, 'Bulk Iteration', spec, [stream as DataStream<unknown>]);
}

/** solution.iterateDelta(workset, maxIterations, keySelector, step): see DataStream.iterateDelta. */
export function deltaIteration<S, W>(
  solution: DataStream<S>, initialWorkset: DataStream<W>, maxIterations: number, keySelector: (s: S) => Key, step: DeltaStep<S, W>,
  options: DeltaIterationOptions = {},
): DataStream<S> {
  checkMaxIterations(maxIterations);
  if (typeof keySelector !== 'function') throw new TypeError('iterateDelta: keySelector must be a function');
  if (typeof step !== 'function') throw new TypeError('iterateDelta: step must be a function');
  const body = new StreamGraph();
  const head = new IterationInput('the delta iteration workset');
  const [workset, headNode] = headStream<W>(solution.environment, body, head, 'Delta Iteration Workset');
  const partitions = new SolutionSetPartitions<S>(keySelector as KeySelector<S>);
  const out = step(new SolutionSet<S>(partitions), workset);
  if (!Array.isArray(out) || out.length !== 2) throw new TypeError('iterateDelta: step must return [delta, nextWorkset]');
  const delta = tail(out[0] as DataStream<unknown>, body, 'solution set delta');
  const nextWorkset = tail(out[1] as DataStream<unknown>, body, 'next workset');
  const aggregation = bindBody(body, options, 'iterateDelta()');
  const spec: DeltaIterationSpec = {
    kind: 'delta', maxIterations, body, head, headNode, delta, nextWorkset, solution: partitions as SolutionSetPartitions<unknown>, aggregation,
  };
  return iterationNode<S>(solution.environment, 'Delta Iteration', spec, [solution as DataStream<unknown>, initialWorkset as DataStream<unknown>]);
}
