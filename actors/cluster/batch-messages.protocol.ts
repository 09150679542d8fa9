// The messages of batch stages spread over a cluster: what the JobManager's batch scheduler tells
// a TaskManager's task executor (run one slice of a stage, cancel it, hand its sources splits),
// what a slice reports back to the job's JobMaster actor (its state, with accumulators and
// partition figures when it finished; its source readers and split requests), and how one
// TaskManager asks another for a finished subpartition (the records then stream over the data
// plane on the channel the request names, with credit). A slice is subtask `slice` of every
// vertex of stage `stage` (planBatchStages of the job's graph, which every process builds alike).
// Plain msgpack data only. Imports only types and the codec's registry.
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import type { PartitionLocation } from '../runtime/batch/partition-fetch.ts';
import type { SubmitOptions } from './cluster-messages.protocol.ts';
import { registerMessageTypes } from '../network/codec.ts';

/** Names one attempt of one slice of one stage of a batch job. */
export interface SliceId {
  readonly jobId: string;
  readonly stage: number;
  readonly slice: number;
  readonly attempt: number;
}

/** Everything a TaskManager needs to run one slice attempt. */
export interface SliceDescriptor extends SliceId {
  readonly blobKey: string;
  readonly submitOptions: SubmitOptions;
  /** The qualified path of the job's JobMaster actor (reports go there). */
  readonly jobMaster: string;
  /** Where every partition the stage reads lives. */
  readonly inputs: readonly PartitionLocation[];
  readonly credits: number;
  readonly batchSize: number;
}

/** The batch scheduler's commands to a TaskManager's task executor (fenced like the others). */
export type BatchSliceCommand =
  | { readonly type: 'taskexecutor.deploy-slice'; readonly descriptor: SliceDescriptor }
  | { readonly type: 'taskexecutor.cancel-slice'; readonly id: SliceId }
  /** `vertex`: the index of a source vertex in the stage's job graph. */
  | { readonly type: 'taskexecutor.slice-add-splits'; readonly id: SliceId; readonly vertex: number; readonly splits: unknown[] }
  | { readonly type: 'taskexecutor.slice-no-more-splits'; readonly id: SliceId; readonly vertex: number };

/** The partition figures a finished slice reports. */
export interface SlicePartitionStats {
  /** Records this slice wrote into blocking partitions. */
  readonly recordsWritten: number;
  /** Chunks of the job's partitions on this TaskManager that spilled to disk so far. */
  readonly chunksSpilledOnTaskManager: number;
  /** Chunks and records this slice fetched from other TaskManagers. */
  readonly remoteChunks: number;
  readonly remoteRecords: number;
}

/** What a slice reports to its job's JobMaster actor. */
export type SliceReport =
  | {
    readonly type: 'jobmaster.slice-state'; readonly id: SliceId; readonly taskManagerId: string; readonly state: SubtaskState;
    readonly error?: string; readonly accumulators?: Record<string, unknown>; readonly partitions?: SlicePartitionStats;
  }
  | { readonly type: 'jobmaster.slice-reader-registered'; readonly id: SliceId; readonly vertex: number }
  | { readonly type: 'jobmaster.slice-split-request'; readonly id: SliceId; readonly vertex: number };

/**
 * Asks a TaskManager's partition service to stream a subpartition (told, not asked). The records
 * come on the named channel; a partition that is not there is answered with PartitionRefused.
 */
export interface PartitionRequest {
  readonly type: 'batchpartition.request';
  readonly jobId: string;
  /** The edge's id in the job graph. */
  readonly edge: number;
  readonly producer: number;
  readonly consumer: number;
  /** The data plane channel the records go on (the asker opened its receiver). */
  readonly channelId: string;
  /** The asker's system address. */
  readonly receiver: string;
}

/** The partition a request named is not on the TaskManager asked. */
export interface PartitionRefused {
  readonly type: 'batchpartition.refused';
  readonly channelId: string;
  readonly error: string;
}

/**
 * A partition request a TaskManager sends through the JobManager (to the JobMaster actor of the
 * job), which passes it on to the producer's TaskManager at `address`: between two TaskManagers
 * only the one with the smaller address dials (as the data plane's rule is, so that they never
 * hold two connections, and nothing sent on one is lost when the other is kept).
 */
export interface RelayedPartitionRequest {
  readonly type: 'jobmaster.partition-request';
  readonly address: string;
  readonly request: PartitionRequest;
}

/** What a TaskManager's partition service actor accepts. */
export type PartitionServiceMessage = PartitionRequest | PartitionRefused;

/** The name of the partition service actor on every TaskManager (`/user/<name>`). */
export const PARTITION_SERVICE = 'batchpartitions';

/** The prefix of the data plane channels of a job's partition fetches. */
export function fetchChannelPrefix(jobId: string): string { return `batch/${jobId}/`; }

registerMessageTypes('actorflow.batch-slices', [
  'taskexecutor.deploy-slice', 'taskexecutor.cancel-slice', 'taskexecutor.slice-add-splits', 'taskexecutor.slice-no-more-splits',
  'jobmaster.slice-state', 'jobmaster.slice-reader-registered', 'jobmaster.slice-split-request',
  'batchpartition.request', 'batchpartition.refused', 'jobmaster.partition-request',
]);
