// Blocking partitions between TaskManagers (Flink's result partition requests): the partition
// service answers another TaskManager's request for a finished subpartition by streaming it, a
// chunk per batch, on a data plane channel the requester opened, one chunk per credit the
// requester granted, then end-of-input; a partition it does not hold is refused with a message
// naming it. The RemotePartitionFetcher is the requesting side, a ChunkStream over that channel.
// Requests and records use the cluster's connections (authenticated with the cluster secret, like
// every connection), and between two TaskManagers only the one with the smaller address dials (the
// data plane's rule): a requester with the larger address sends its request through the JobManager
// (RelayedPartitionRequest), and the producer's sender then dials it. The channel multiplexes with
// the others on the connection, and credit bounds what is in flight, so a large or spilled
// partition neither holds a connection nor piles up in memory: the producer reads a spilled chunk
// from its file only when a credit lets it send it. A lost producer TaskManager fails the stream
// (its consumer fails, and the JobManager re-runs the producer). Imports actors/core,
// actors/network and actors/runtime/batch.
import type { JobEdge } from '../../api/graph/job-graph.ts';
import type { ChannelElement } from '../../api/stream-elements.ts';
import { defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import { DataPlane, type RemoteReceiver } from '../network/data/data-plane.ts';
import type { BlockingPartitionStore } from '../runtime/batch/blocking-partitions.ts';
import type { ChunkStream, PartitionChunk, PartitionFetcher } from '../runtime/batch/partition-fetch.ts';
import {
  PARTITION_SERVICE, type PartitionRefused, type PartitionRequest, type PartitionServiceMessage, type RelayedPartitionRequest,
} from './batch-messages.protocol.ts';

/** `actorflow://name@host:port[/...]` -> `name@host:port`. */
function peerOf(address: string): string {
  const bare = address.startsWith('actorflow://') ? address.slice('actorflow://'.length) : address;
  const slash = bare.indexOf('/');
  return slash < 0 ? bare : bare.slice(0, slash);
}

/** `actorflow://name@host:port` -> host and port. */
function hostPortOf(address: string): { host: string; port: number } {
  const m = /@(\[[^\]]+\]|[^:/]+):(\d+)/.exec(address);
  if (!m) throw new Error(`not a TaskManager address: '${address}'`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** Tells `message` to the partition service at `address`, dialing it first when this system has the smaller address. */
async function tellService(system: ActorSystem, address: string, message: PartitionServiceMessage): Promise<void> {
  if (peerOf(system.address!) < peerOf(address)) {
    const { host, port } = hostPortOf(address);
    const secret = system.remoteTransport().clusterSecret;
    await system.connect(host, port, secret !== undefined ? { secret } : {});
  }
  (system.resolve(`${address}/user/${PARTITION_SERVICE}`) as ActorRef<PartitionServiceMessage>).tell(message);
}

/** Serves this TaskManager's finished partitions to the others, and routes refusals to its fetches. */
export class PartitionService {
  /** Subpartitions streamed so far, and their chunks (tests, metrics). */
  served = 0;
  chunksServed = 0;
  /** This TaskManager's fetches waiting for records, by channel id. */
  private readonly fetches = new Map<string, ReceiverStream>();

  constructor(private readonly system: ActorSystem, private readonly storeOf: (jobId: string) => BlockingPartitionStore | undefined) {}

  /** Starts streaming what `request` asks for, or refuses it. */
  serve(request: PartitionRequest): void {
    const { jobId, edge, producer, consumer, channelId, receiver } = request;
    const store = this.storeOf(jobId);
    if (store === undefined || !store.has(edge, producer)) {
      const error = `the partition of edge ${edge} from subtask ${producer} of job ${jobId} is not on TaskManager ${this.system.name}`;
      void tellService(this.system, receiver, { type: 'batchpartition.refused', channelId, error }).catch(() => {});
      return;
    }
    const sender = DataPlane.of(this.system).openSender(channelId, receiver, `partition ${edge}/${producer} -> ${consumer}`);
    const chunks = store.readProducer(edge, producer, consumer);
    this.served++;
    let done = false;
    const pump = (): void => {
      while (!done && sender.hasCredit()) {
        const next = chunks.next();
        if (next.done) {
          done = true;
          sender.push({ kind: 'end-of-input' });
          sender.close();
          return;
        }
        const [values, timestamps, length] = next.value;
        this.chunksServed++;
        sender.push({ kind: 'records', values, timestamps, length });
      }
    };
    sender.onCredit = pump;
    sender.onFailure = () => { done = true; chunks.return(undefined); };
    pump();
  }

  /** Another TaskManager refused a fetch of this one. */
  refused(message: PartitionRefused): void { this.fetches.get(message.channelId)?.fail(new Error(message.error)); }

  /** @internal a fetch of this TaskManager waits on `channelId`. */
  register(channelId: string, stream: ReceiverStream): void { this.fetches.set(channelId, stream); }

  /** @internal the fetch on `channelId` ended. */
  unregister(channelId: string): void { this.fetches.delete(channelId); }
}

/** The partition service actor (`/user/batchpartitions`) of a TaskManager. */
export function partitionServiceBehavior(service: PartitionService): ActorBehavior<null, PartitionServiceMessage> {
  return defineActor<null, PartitionServiceMessage>({
    init: () => null,
    receive(_state, msg) {
      if (msg.type === 'batchpartition.request') service.serve(msg);
      else if (msg.type === 'batchpartition.refused') service.refused(msg);
    },
  });
}

/** Fetches subpartitions from other TaskManagers for one slice attempt. */
export class RemotePartitionFetcher implements PartitionFetcher {
  /** Chunks and records received. */
  chunks = 0;
  records = 0;
  private next = 0;

  /**
   * `prefix`: this attempt's channel prefix (fetchChannelPrefix of the job, then the attempt);
   * `jobMaster`: the JobMaster actor that relays requests this TaskManager may not dial for.
   */
  constructor(
    private readonly system: ActorSystem,
    private readonly service: PartitionService,
    private readonly jobId: string,
    private readonly prefix: string,
    private readonly credits: number,
    private readonly jobMaster: ActorRef<RelayedPartitionRequest>,
  ) {}

  fetch(edge: JobEdge, producer: number, consumer: number, address: string): ChunkStream {
    const channelId = `${this.prefix}${edge.id}/${producer}->${consumer}#${this.next++}`;
    const description = `${edge.sourceNode.name}[${producer}] => ${edge.targetNode.name}[${consumer}]`;
    const receiver = DataPlane.of(this.system).openReceiver(channelId, address, this.credits, description);
    const stream = new ReceiverStream(receiver, description, (n) => { this.chunks++; this.records += n; }, () => this.service.unregister(channelId));
    this.service.register(channelId, stream);
    const request: PartitionRequest = { type: 'batchpartition.request', jobId: this.jobId, edge: edge.id, producer, consumer, channelId, receiver: this.system.address! };
    if (peerOf(this.system.address!) < peerOf(address)) {
      tellService(this.system, address, request).catch((error: Error) => stream.fail(new Error(`requesting it from ${address} failed: ${error.message}`, { cause: error })));
    } else {
      this.jobMaster.tell({ type: 'jobmaster.partition-request', address, request });
    }
    return stream;
  }
}

/** The chunks arriving on one fetch channel. */
class ReceiverStream implements ChunkStream {
  private failure: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly receiver: RemoteReceiver,
    private readonly description: string,
    private readonly counted: (records: number) => void,
    private readonly onClose: () => void,
  ) {
    receiver.onData = () => this.signal();
    receiver.onFailure = (error) => this.fail(error);
  }

  next(): PartitionChunk | 'pending' | undefined {
    for (let element: ChannelElement | undefined = this.receiver.poll(); element !== undefined; element = this.receiver.poll()) {
      if (element.kind === 'records') {
        this.counted(element.length);
        return [element.values, element.timestamps, element.length];
      }
      if (element.kind === 'end-of-input') { this.ended = true; this.close(); return undefined; }
    }
    if (this.ended) return undefined;
    if (this.failure !== undefined) throw new Error(`fetching ${this.description} failed: ${this.failure.message}`, { cause: this.failure });
    return 'pending';
  }

  available(): Promise<void> {
    if (this.receiver.size > 0 || this.failure !== undefined || this.ended) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  close(): void {
    this.receiver.close();
    this.onClose();
  }

  /** The request was refused or the producer's TaskManager is gone. */
  fail(error: Error): void {
    if (this.ended) return;
    this.failure ??= error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
