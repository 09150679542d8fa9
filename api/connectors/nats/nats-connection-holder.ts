// One NATS connection shared by the subtasks of a sink in this process, opened on first use and
// closed when no subtask holds a transaction and no commit is running (the transactional sink
// interface has no close hook; an open connection would keep the process alive). Imports the
// NATS client only.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';

/** A lazily opened, reference-counted connection. */
export class NatsConnectionHolder {
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  private readonly holders = new Set<string>();
  private busy = 0;

  constructor(private readonly servers: string | string[], private readonly name: string) {}

  /** The JetStream client (connecting if needed). */
  async jetstream(): Promise<JetStreamClient> {
    this.connection ??= (async () => {
      try {
        const nc = await connect({ servers: this.servers, name: this.name });
        return { nc, js: jetstream(nc) };
      } catch (error) {
        this.connection = undefined;
        throw new Error(`cannot connect to NATS at ${String(this.servers)} (${(error as Error).message})`, { cause: error });
      }
    })();
    return (await this.connection).js;
  }

  /** `key` holds the connection open until released. */
  hold(key: string): void { this.holders.add(key); }

  /** Releases `key` (and every key starting with `prefix` when given). */
  release(key: string, prefix?: string): void {
    this.holders.delete(key);
    if (prefix !== undefined) for (const k of this.holders) if (k.startsWith(prefix)) this.holders.delete(k);
    this.closeIfUnused();
  }

  /** Runs `work` with the connection held. */
  async using<R>(work: (js: JetStreamClient) => Promise<R>): Promise<R> {
    this.busy++;
    try {
      return await work(await this.jetstream());
    } finally {
      this.busy--;
      this.closeIfUnused();
    }
  }

  private closeIfUnused(): void {
    if (this.busy > 0 || this.holders.size > 0 || this.connection === undefined) return;
    const connection = this.connection;
    this.connection = undefined;
    connection.then(({ nc }) => nc.close(), () => {});
  }
}
