// The filesystem connector's sink as a pipeline (Flink's StreamingSink): the rows' changelog goes
// to the writer subtasks (rolling part files, filesystem-writer.ts), optionally shuffled by
// partition first; with 'sink.partition-commit.policy.kind' a single committer subtask follows
// (filesystem-committer.ts); a discarding sink ends the pipeline. Options are checked here, when
// the INSERT is planned. Imports api/ streams and the connector's parts.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { DataStreamSink } from '../../datastream/data-stream-sink.ts';
import type { OneInputStreamOperator } from '../../operators/stream-operator.ts';
import type { Change } from '../types/row.ts';
import type { ConnectorContext } from './table-connector.ts';
import { fileSystemSinkOptions } from './filesystem-options.ts';
import type { PartitionLayout } from './filesystem-partitions.ts';
import { PartitionCommitterOperator } from './filesystem-committer.ts';
import { FileSystemWriterOperator, RollingPartFileSink, type PartitionCommitInfo } from './filesystem-writer.ts';

/** Builds the sink pipeline of the filesystem table `ctx` writing under `path`; `line` formats a file row. */
export function createFileSystemSink(
  stream: DataStream<Change>, ctx: ConnectorContext, path: string, layout: PartitionLayout | undefined, line: (dataRow: readonly unknown[]) => string,
): DataStreamSink<unknown> {
  const options = fileSystemSinkOptions(ctx);
  const bucketOf = layout === undefined ? () => '' : (row: readonly unknown[]) => layout.partitionPath(row);
  const format = layout === undefined ? line : (row: readonly unknown[]) => line(layout.dataRow(row));
  // One sink object for every subtask and attempt (it keys its bookkeeping by subtask), as FileSink.
  const parts = new RollingPartFileSink(path, options, format, bucketOf);
  const input = layout !== undefined && options.shuffleByPartition ? stream.keyBy((c: Change) => bucketOf(c.row)) as unknown as DataStream<Change> : stream;
  const written: DataStream<PartitionCommitInfo> = input
    .transform('filesystem writer', () => new FileSystemWriterOperator(parts, options.checkIntervalMs) as unknown as OneInputStreamOperator<Change, PartitionCommitInfo>)
    .name(`filesystem ${ctx.tableName}`);
  if (options.partitionCommit === undefined || layout === undefined) {
    return written.addSink(() => {}).name(`filesystem ${ctx.tableName} end`) as unknown as DataStreamSink<unknown>;
  }
  const commit = options.partitionCommit;
  const keys = ctx.partitionKeys!;
  return written
    .transform('PartitionCommitter', () => new PartitionCommitterOperator(path, commit, keys))
    .name(`filesystem ${ctx.tableName} partition committer`).setParallelism(1)
    .addSink(() => {}).name(`filesystem ${ctx.tableName} end`).setParallelism(1) as unknown as DataStreamSink<unknown>;
}
