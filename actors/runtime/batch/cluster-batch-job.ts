// How a cluster (worker-thread TaskManagers or TaskManager processes) sees a BATCH-mode job: every
// process builds the job's graph from its bundle and wraps it the same way (clusterJobGraph, so
// vertex ids agree) into a one-vertex job, which the JobManager's JobMaster runs like any job (its
// status, result, accumulators, cancellation and whole-job restarts). batchJobOf unwraps it. On a
// cluster of TaskManager processes the JobMaster's ClusterBatchDeployer (actors/cluster) then runs
// the wrapped job's stages over every TaskManager: slices in free slots, blocking partitions on the
// TaskManager that wrote them, fetched from there by their consumers, recomputed when their
// TaskManager is lost. A job with a bulk or delta iteration still runs as one task in one slot of
// one TaskManager: its reader (below) runs the whole job there with the embedded BatchJobRunner
// (stages, partitions spilling to that TaskManager's disk, supersteps), because an iteration's
// supersteps exchange partitions many times over and that coordination is not distributed yet;
// the JobMaster restarts it by the job's restart strategy (a lost TaskManager re-runs it
// elsewhere, from its sources). Imports api/ and actors/.
import { defaultEnvironmentConfig } from '../../../api/environment/environment-config.ts';
import type { JobGraph } from '../../../api/graph/job-graph.ts';
import { buildJobGraph } from '../../../api/graph/job-graph-builder.ts';
import { StreamGraph } from '../../../api/graph/stream-graph.ts';
import type { OperatorContext, Output } from '../../../api/operators/stream-operator.ts';
import { SourceOperator } from '../../../api/sources/source-operator.ts';
import { NoSplitEnumerator } from '../../../api/sources/no-split-enumerator.ts';
import type {
  InputStatus, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext,
} from '../../../api/sources/source.ts';
import { BatchJobRunner } from './batch-job-runner.ts';

/** The graph a cluster runs for `graph`: itself in streaming mode, a one-task wrapper in batch mode. */
export function clusterJobGraph(graph: JobGraph): JobGraph {
  if (graph.config.runtimeMode !== 'batch') return graph;
  const stream = new StreamGraph();
  const source = new BatchJobSource(graph);
  const node = stream.addNode({
    name: `Batch Job "${graph.jobName}"`, kind: 'source', source, parallelism: 1, isSink: true,
    operatorFactory: () => new BatchJobOperator(source),
  });
  node.uid = 'batch-job';
  return buildJobGraph(stream, {
    jobName: graph.jobName, parallelism: 1, maxParallelism: 1, chainingEnabled: false,
    // The wrapper streams nothing; checkpoints do not apply to batch jobs (the graph has none).
    config: { ...graph.config, runtimeMode: 'streaming' },
  });
}

/** The batch job a graph of clusterJobGraph wraps, or undefined for a streaming graph. */
export function batchJobOf(graph: JobGraph): JobGraph | undefined {
  const source = graph.vertices.length === 1 ? graph.vertices[0].head.source : undefined;
  return source instanceof BatchJobSource ? source.graph : undefined;
}

/** The batch job as a source of one split-less reader that runs it. */
class BatchJobSource implements Source<never, SourceSplit, null> {
  readonly boundedness = 'bounded' as const;
  /** Where the next reader puts the job's accumulators (its operator's). */
  accumulators: Map<string, unknown> | undefined;

  constructor(readonly graph: JobGraph) {}

  createEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, null> { return new NoSplitEnumerator(context); }
  restoreEnumerator(context: SplitEnumeratorContext<SourceSplit>): SplitEnumerator<SourceSplit, null> { return new NoSplitEnumerator(context); }

  createReader(context: SourceReaderContext): SourceReader<never, SourceSplit> {
    return new BatchJobReader(this.graph, context, this.accumulators ?? new Map());
  }
}


/** Runs the batch job when started; ends when it finished, fails (throws) when it failed. */
class BatchJobReader implements SourceReader<never, SourceSplit> {
  private runner: BatchJobRunner | undefined;
  private outcome: { error?: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly graph: JobGraph, private readonly context: SourceReaderContext, private readonly accumulators: Map<string, unknown>) {}

  start(): void {
    const runner = new BatchJobRunner(this.graph, { ...defaultEnvironmentConfig(), clock: this.context.clock, taskManagers: 1 });
    this.runner = runner;
    runner.result.then((result) => {
      for (const [k, v] of Object.entries(result.accumulators)) this.accumulators.set(k, v);
      this.settle({});
    }, (error: unknown) => this.settle({ error }));
    void runner.run();
  }

  pollNext(): InputStatus {
    if (this.outcome === undefined) return 'nothing-available';
    if (this.outcome.error !== undefined) throw this.outcome.error;
    return 'end-of-input';
  }

  isAvailable(): Promise<void> {
    if (this.outcome !== undefined) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  addSplits(): void {}
  notifyNoMoreSplits(): void {}
  snapshotState(): SourceSplit[] { return []; }

  async close(): Promise<void> {
    if (this.outcome === undefined) await this.runner?.cancel();
  }

  private settle(outcome: { error?: unknown }): void {
    this.outcome = outcome;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The wrapper's operator: hands the reader its accumulators (reported with the task's state). */
class BatchJobOperator extends SourceOperator<never> {
  constructor(private readonly batch: BatchJobSource) { super(batch, undefined, 0); }

  override setup(context: OperatorContext, output: Output<never>): void {
    this.batch.accumulators = context.accumulators;
    super.setup(context, output);
  }
}
