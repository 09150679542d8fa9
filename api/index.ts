// The package entry ('actorflow'): the DataStream API, event time and windows, state, sources
// and sinks, and the actor API. This file is the one composition root allowed to import actors/:
// it re-exports the actor API and registers the embedded runtime as the default executor, so
// that `await env.execute()` works with nothing else imported. No other file under api/ imports
// actors/.
import '../actors/runtime/register-embedded-executor.ts';

export * from './environment/stream-execution-environment.ts';
export * from './environment/environment-config.ts';
export * from './environment/executor-registry.ts';
export * from './environment/job-client.ts';
export * from './environment/restart-strategies.ts';
export * from './datastream/data-stream.ts';
export * from './datastream/data-stream-sink.ts';
export * from './datastream/keyed-stream.ts';
export * from './datastream/connected-streams.ts';
export * from './datastream/broadcast-stream.ts';
export * from './datastream/broadcast-connected-stream.ts';
export * from './functions/collector.ts';
export * from './functions/clone-function.ts';
export * from './functions/key-selector.ts';
export * from './functions/runtime-context.ts';
export * from './functions/timer-service.ts';
export * from './functions/process-function.ts';
export * from './functions/keyed-process-function.ts';
export * from './functions/co-process-function.ts';
export * from './functions/broadcast-process-function.ts';
export * from './functions/process-window-function.ts';
export * from './functions/process-join-function.ts';
export * from './graph/stream-graph.ts';
export * from './graph/job-graph.ts';
export * from './graph/job-graph-builder.ts';
export * from './graph/partitioner.ts';
export * from './operators/stream-operator.ts';
export * from './operators/abstract-stream-operator.ts';
export * from './operators/timestamped-collector.ts';
export * from './operators/stream-map.ts';
export * from './operators/stream-filter.ts';
export * from './operators/stream-flat-map.ts';
export * from './operators/process-operator.ts';
export * from './operators/keyed-process-operator.ts';
export * from './operators/stream-grouped-reduce.ts';
export * from './operators/field-aggregations.ts';
export * from './operators/sink-writer-operator.ts';
export * from './operators/sink-function-operator.ts';
export * from './operators/co-process-operator.ts';
export * from './operators/broadcast-state-store.ts';
export * from './operators/co-broadcast-with-non-keyed-operator.ts';
export * from './operators/co-broadcast-with-keyed-operator.ts';
export * from './operators/fused-stateless-chain.ts';
export * from './sources/source.ts';
export * from './sources/source-operator.ts';
export * from './sources/static-split-enumerator.ts';
export * from './sources/collection-source.ts';
export * from './sources/number-sequence-source.ts';
export * from './sources/data-generator-source.ts';
export * from './sinks/sink.ts';
export * from './sinks/print-sink.ts';
export * from './sinks/collect-sink.ts';
export * from './sinks/file-sink.ts';
export * from './sinks/two-phase-commit-sink.ts';
export * from './output-tag.ts';
export * from './stream-elements.ts';
export * from './time/index.ts';
export * from './windowing/index.ts';
export * from '../state/index.ts';
export * from '../actors/index.ts';
