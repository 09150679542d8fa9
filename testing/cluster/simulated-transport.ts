// SimulatedTransport: the fault-free part of the simulated network: hosts, listening ports, dials
// (a round trip, then a connection of two seeded pipes) and the delivery of written bytes, in order,
// after latencies drawn from each connection's own PRNG, on an injected Clock. Chunks due at one
// instant are delivered in connection order, not in the order they were written, so replay does
// not hang on how processes interleave within an instant. Where faults act (a blocked path, a lost
// or held write, a closed connection's reset timer) it asks the hooks that SimulatedNetwork
// (simulated-network.ts) fills in. Imports the Network seam, the Clock and sim-connection.ts.
import type { Cancel, Clock } from '../../api/time/clock.ts';
import type { ByteStream, Network, StreamListener } from '../../actors/network/transport.ts';
import { netError, Pipe, prng, SimStream, type ConnectionNetwork, type SimHost, type SimListener } from './sim-connection.ts';

/** Settings of a simulated network. */
export interface SimulatedNetworkOptions {
  /** Virtual time: deliveries, timeouts and pauses are scheduled on it. */
  readonly clock: Clock;
  /** A seeded PRNG in [0, 1): latencies and every random byte come from it. */
  readonly random: () => number;
  /** Hears every delivery and fault, in order. */
  readonly trace?: (event: string) => void;
  /** One-way latency of a write, drawn uniformly from [min, max] ms (default 1..5). */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** A connection whose bytes stall this long across a partition is reset (default 10 s). */
  readonly resetAfterMs?: number;
  /** A dial across a partition fails after this long (default 3 s). */
  readonly connectTimeoutMs?: number;
}

/** In-memory hosts and TCP connections on virtual time; faults come in through the abstract hooks. */
export abstract class SimulatedTransport implements ConnectionNetwork {
  protected readonly hosts = new Map<string, SimHost>();
  protected readonly streams = new Set<SimStream>();
  /** Pipes with bytes not yet delivered. */
  protected readonly pending = new Set<Pipe>();
  /** deliverDue's list of the pipes due now (reused: it runs at every delivery). */
  private readonly duePipes: Pipe[] = [];
  /** The clock timers of instants with deliveries due. */
  private readonly wakeUps = new Map<number, Cancel>();
  /** Writes so far (a measure of activity: drive.ts settles until it stops changing). */
  writes = 0;
  /** Bytes delivered so far. */
  bytesDelivered = 0;
  private connections = 0;
  protected readonly clock: Clock;
  protected readonly random: () => number;
  protected readonly emit: (event: string) => void;
  private readonly latency: { readonly min: number; readonly max: number };
  protected readonly resetAfterMs: number;
  private readonly connectTimeoutMs: number;

  constructor(options: SimulatedNetworkOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.emit = options.trace ?? (() => {});
    this.latency = options.latencyMs ?? { min: 1, max: 5 };
    if (!(this.latency.min >= 0 && this.latency.max >= this.latency.min)) throw new RangeError(`latencyMs needs 0 <= min <= max, got ${JSON.stringify(this.latency)}`);
    this.resetAfterMs = options.resetAfterMs ?? 10_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  }

  /** Whether bytes (or a dial) from `from` to host `toName` (`to`, once it exists) are held now: a partition between them, or a paused host. */
  protected abstract blocked(from: SimHost, toName: string, to: SimHost | undefined): boolean;
  /** Whether a write of `pipe` is lost (then the hook has dealt with the loss). Draws only while a drop fault is on. */
  protected abstract dropsWrite(pipe: Pipe): boolean;
  /** Extra ms a write of `pipe` is held (0 unless a message delay fault is on; drawn after its latency). */
  protected abstract heldMs(pipe: Pipe): number;
  /** A stream closed: faults forget what they keep for it. */
  protected abstract streamClosed(stream: SimStream): void;

  /** The Network of the processes on `name` (created on first use). */
  host(name: string): Network {
    const host = this.hostOf(name);
    return {
      listen: (bindHost, port, onConnection) => this.listen(host, bindHost, port, onConnection),
      dial: (toHost, port) => this.dial(host, toHost, port),
      randomBytes: (n) => this.randomBytes(n),
    };
  }

  /** `n` bytes from the PRNG. */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.random() * 256);
    return out;
  }

  /** Open connections (each counted once). */
  get openConnections(): number { return this.streams.size / 2; }

  // --- used by the streams ---

  /** Queues `bytes` (undefined: the writer closed) on `pipe`. */
  enqueue(pipe: Pipe, bytes: Uint8Array | undefined): void {
    if (pipe.lost) return;
    if (bytes !== undefined && this.dropsWrite(pipe)) {
      this.writes++;
      return;
    }
    let latency = this.drawLatency(pipe);
    latency += this.heldMs(pipe);
    const due = Math.max(pipe.lastDue, this.clock.now() + latency);
    pipe.lastDue = due;
    pipe.queue.push({ bytes, due });
    this.writes++;
    this.pending.add(pipe);
    this.arm(due);
  }

  /** Forgets a stream that closed. */
  closed(stream: SimStream): void {
    this.streams.delete(stream);
    this.streamClosed(stream);
  }

  // --- for the faults ---

  protected hostOf(name: string): SimHost {
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, listeners: new Map(), nextPort: 40_000, pausedUntil: 0, down: false, extraLatencyMs: 0 };
      this.hosts.set(name, host);
    }
    return host;
  }

  protected drawLatency(pipe: Pipe): number { return this.drawLatencyBetween(pipe.from.host, pipe.to.host, pipe.random); }

  /** Delivers every chunk due now, pipe by pipe in connection order, until none is due. */
  protected deliverDue(): void {
    const due = this.duePipes;
    for (;;) {
      const now = this.clock.now();
      due.length = 0;
      for (const p of this.pending) if (p.queue.length > 0 && p.queue[0].due <= now) due.push(p);
      if (due.length > 1) due.sort((a, b) => a.order - b.order);
      let delivered = false;
      for (let i = 0; i < due.length; i++) if (this.pump(due[i])) delivered = true;
      if (!delivered) break;
    }
    due.length = 0;
    for (const pipe of this.pending) {
      const head = pipe.queue[0];
      if (head === undefined) this.pending.delete(pipe);
      else if (head.due > this.clock.now()) this.arm(head.due);
    }
  }

  // --- internals ---

  private async listen(host: SimHost, bindHost: string, port: number, onConnection: (stream: ByteStream) => void): Promise<StreamListener> {
    if (host.down) throw netError('EADDRNOTAVAIL', `host ${host.name} is down`);
    if (bindHost !== host.name) throw netError('EADDRNOTAVAIL', `host ${host.name} cannot bind ${bindHost}`);
    if (port === 0) { while (host.listeners.has(host.nextPort)) host.nextPort++; port = host.nextPort++; }
    if (host.listeners.has(port)) throw netError('EADDRINUSE', `${host.name}:${port} is in use`);
    const listener: SimListener = { port, onConnection, open: true };
    host.listeners.set(port, listener);
    this.emit(`${this.clock.now()} net listen ${host.name}:${port}`);
    return {
      port,
      close: async () => {
        listener.open = false;
        if (host.listeners.get(port) === listener) host.listeners.delete(port);
      },
    };
  }

  private dial(from: SimHost, toName: string, port: number): Promise<ByteStream> {
    return new Promise((resolve, reject) => {
      if (from.down) { reject(netError('ENETDOWN', `host ${from.name} is down`)); return; }
      const id = ++this.connections;
      const attempt = (): void => {
        const to = this.hosts.get(toName);
        const listener = to?.listeners.get(port);
        if (!to || to.down || !listener?.open) {
          this.emit(`${this.clock.now()} net refused c${id} ${from.name}->${toName}:${port}`);
          reject(netError('ECONNREFUSED', `connect ECONNREFUSED ${toName}:${port}`));
          return;
        }
        const client = new SimStream(this, id, from, `${toName}:${port}`);
        const server = new SimStream(this, id, to, `${from.name}:${50_000 + id}`);
        client.peer = server; server.peer = client;
        const seed = Math.floor(this.random() * 2 ** 32);
        client.out = new Pipe(client, server, prng(seed), 0); server.out = new Pipe(server, client, prng(seed ^ 0x5bd1e995), 1);
        this.streams.add(client); this.streams.add(server);
        this.emit(`${this.clock.now()} net connect c${id} ${from.name}->${toName}:${port}`);
        listener.onConnection(server);
        resolve(client);
      };
      // The handshake of TCP takes a round trip; across a partition it times out.
      const started = this.clock.now();
      const tryConnect = (): void => {
        if (this.blocked(from, toName, this.hosts.get(toName))) {
          if (this.clock.now() - started >= this.connectTimeoutMs) {
            this.emit(`${this.clock.now()} net timeout c${id} ${from.name}->${toName}:${port}`);
            reject(netError('ETIMEDOUT', `connect ETIMEDOUT ${toName}:${port}`));
            return;
          }
          this.clock.schedule(Math.min(100, this.connectTimeoutMs), tryConnect);
          return;
        }
        attempt();
      };
      this.clock.schedule(this.drawLatencyBetween(from, this.hosts.get(toName)) * 2, tryConnect);
    });
  }

  private drawLatencyBetween(a: SimHost, b: SimHost | undefined, random = this.random): number {
    const { min, max } = this.latency;
    return Math.round(min + random() * (max - min)) + a.extraLatencyMs + (b?.extraLatencyMs ?? 0);
  }

  /** Makes sure the network wakes at `due` (one clock timer per instant with deliveries). */
  private arm(due: number): void {
    if (this.wakeUps.has(due)) return;
    this.wakeUps.set(due, this.clock.schedule(Math.max(0, due - this.clock.now()), () => {
      this.wakeUps.delete(due);
      this.deliverDue();
    }));
  }

  /** Delivers the due chunks of `pipe` unless a fault holds them; true when any went. */
  private pump(pipe: Pipe): boolean {
    const { from, to } = pipe;
    let delivered = false;
    while (pipe.queue.length > 0 && pipe.queue[0].due <= this.clock.now()) {
      if (this.blocked(from.host, to.host.name, to.host)) return delivered;
      const chunk = pipe.queue.shift()!;
      delivered = true;
      if (to.host.down) continue;
      if (chunk.bytes === undefined) {
        this.emit(`${this.clock.now()} net close c${from.connectionId} ${from.host.name}->${to.host.name}`);
        to.terminate();
        pipe.queue.length = 0;
        this.pending.delete(pipe);
        return true;
      }
      this.bytesDelivered += chunk.bytes.length;
      this.emit(`${this.clock.now()} net deliver c${from.connectionId} ${from.host.name}->${to.host.name} ${chunk.bytes.length}B`);
      to.receive(chunk.bytes);
    }
    return delivered;
  }
}
