// SimulatedNetwork: hosts, ports and TCP connections in memory, on an injected Clock (virtual
// time) and an injected PRNG, so that processes of a cluster running in one thread talk through
// the real connection, handshake and transport code with replayable timing and faults.
//
// A connection is two ordered byte pipes. Every write is delivered whole to the peer after a
// latency drawn from the PRNG, never before the bytes written earlier on the same pipe (TCP keeps
// order; it may split or join writes, which the frame decoder handles and tests elsewhere).
// Faults, as TCP shows them to the processes:
// - partition(a, b): bytes between the groups stall (in flight and new); a connection stalled for
//   `resetAfterMs` is reset (both ends see ECONNRESET, as after exhausted retransmissions); a dial
//   across the partition fails with ETIMEDOUT after `connectTimeoutMs`. heal() delivers what stalled.
// - dropConnections(host, peer?): resets connections at once (a middlebox dropping state).
// - delay(extraMs, hosts?): adds latency to later writes of connections touching those hosts.
// - dropMessages(p) / delayMessages(p, maxMs): each later write is lost, or held up to maxMs more,
//   with probability p (drawn from its connection's PRNG). TCP delivers a stream whole or not at
//   all, so a lost write resets its connection (as exhausted retransmissions do) and the transport
//   above sees the loss as such; a held write holds the writes after it on its pipe (order stays).
// - pause(host, ms): nothing to or from the host is delivered until the pause ends (a long GC).
// - crash(host) / restart(host): a killed process: its listeners go, its peers see a reset, dials
//   to it are refused; restart lets a new process of that host listen again.
// Every delivery and fault goes to `trace`.
// Replayability does not hang on the order in which processes happen to write within one virtual
// instant: each connection draws its latencies from its own PRNG (seeded from the network's when
// it opens), and the chunks due at one instant are delivered in connection order, not in the order
// they were written. Imports the actorflow Network seam and the Clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';
import type { ByteStream, Network, StreamListener } from '../../actors/network/transport.ts';

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

/** A network error with the code node:net would give it. */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

interface Chunk { readonly bytes: Uint8Array | undefined; readonly due: number }

interface SimHost {
  readonly name: string;
  readonly listeners: Map<number, SimListener>;
  nextPort: number;
  pausedUntil: number;
  down: boolean;
  extraLatencyMs: number;
}

interface SimListener { readonly port: number; readonly onConnection: (stream: ByteStream) => void; open: boolean }

/** A small seeded PRNG (mulberry32): a connection's own latency draws. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One direction of a connection: ordered chunks towards `to`. */
class Pipe {
  readonly queue: Chunk[] = [];
  lastDue = 0;
  /** A write of this pipe was lost: nothing written after it arrives (its connection resets). */
  lost = false;
  /** Delivery order among pipes due at the same instant. */
  readonly order: number;
  constructor(readonly from: SimStream, readonly to: SimStream, readonly random: () => number, direction: 0 | 1) {
    this.order = from.connectionId * 2 + direction;
  }
}

/** One end of a simulated connection. */
class SimStream implements ByteStream {
  destroyed = false;
  out!: Pipe;
  peer!: SimStream;
  private dataListener: ((chunk: Uint8Array) => void) | undefined;
  /** Bytes that arrived while nobody read (a socket's receive buffer), handed over a microtask after a reader appears. */
  private backlog: Uint8Array[] = [];
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closeReported = false;

  constructor(readonly net: SimulatedNetwork, readonly connectionId: number, readonly host: SimHost, readonly remoteAddress: string) {}

  write(bytes: Uint8Array): boolean {
    if (this.destroyed) return false;
    this.net.enqueue(this.out, bytes);
    return true;
  }

  end(): void { this.close(); }

  destroy(): void { this.close(); }

  onData(listener: ((chunk: Uint8Array) => void) | undefined): void {
    this.dataListener = listener;
    if (listener && this.backlog.length > 0) {
      // Not from within the call: the reader is still being set up (a socket's data event waits a turn too).
      queueMicrotask(() => {
        const held = this.backlog;
        this.backlog = [];
        for (const bytes of held) this.receive(bytes);
      });
    }
  }

  onClose(listener: (error?: Error) => void): void { this.closeListeners.push(listener); }

  /** Closes this end; the peer sees the close after the bytes already written. */
  private close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.net.enqueue(this.out, undefined);
    this.net.closed(this);
    this.reportClose();
  }

  /** Bytes arrived. */
  receive(bytes: Uint8Array): void {
    if (this.destroyed) return;
    if (this.dataListener && this.backlog.length === 0) this.dataListener(bytes);
    else this.backlog.push(bytes);
  }

  /** The connection ended under this end (the peer closed, or it was reset with `error`). */
  terminate(error?: Error): void {
    if (this.destroyed && this.closeReported) return;
    this.destroyed = true;
    this.net.closed(this);
    this.reportClose(error);
  }

  private reportClose(error?: Error): void {
    if (this.closeReported) return;
    this.closeReported = true;
    for (const listener of this.closeListeners) listener(error);
  }
}

/** In-memory hosts and TCP connections on virtual time. */
export class SimulatedNetwork {
  private readonly hosts = new Map<string, SimHost>();
  private readonly streams = new Set<SimStream>();
  private readonly resets = new Map<SimStream, Cancel>();
  /** Pipes with bytes not yet delivered. */
  private readonly pending = new Set<Pipe>();
  /** deliverDue's list of the pipes due now (reused: it runs at every delivery). */
  private readonly duePipes: Pipe[] = [];
  /** The clock timers of instants with deliveries due. */
  private readonly wakeUps = new Map<number, Cancel>();
  /** Writes so far (a measure of activity: drive.ts settles until it stops changing). */
  writes = 0;
  private groups: [ReadonlySet<string>, ReadonlySet<string>] | undefined;
  private connections = 0;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly emit: (event: string) => void;
  private readonly latency: { readonly min: number; readonly max: number };
  private readonly resetAfterMs: number;
  private readonly connectTimeoutMs: number;
  /** Bytes delivered so far. */
  bytesDelivered = 0;
  private dropProbability = 0;
  private delayFault = { probability: 0, maxMs: 0 };

  constructor(options: SimulatedNetworkOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.emit = options.trace ?? (() => {});
    this.latency = options.latencyMs ?? { min: 1, max: 5 };
    if (!(this.latency.min >= 0 && this.latency.max >= this.latency.min)) throw new RangeError(`latencyMs needs 0 <= min <= max, got ${JSON.stringify(this.latency)}`);
    this.resetAfterMs = options.resetAfterMs ?? 10_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  }

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

  /** Cuts `a` from `b` (host names): bytes between them stall, then their connections reset. One partition at a time. */
  partition(a: readonly string[], b: readonly string[]): void {
    if (a.some((h) => b.includes(h))) throw new Error(`a host cannot be on both sides of a partition: ${a.join(',')} | ${b.join(',')}`);
    this.heal();
    this.groups = [new Set(a), new Set(b)];
    this.emit(`${this.clock.now()} net partition ${[...a].join(',')} | ${[...b].join(',')}`);
    for (const stream of this.streams) if (this.cut(stream.host.name, stream.peer.host.name)) this.armReset(stream);
  }

  /** Ends the partition: what stalled is delivered. */
  heal(): void {
    if (!this.groups) return;
    this.groups = undefined;
    this.emit(`${this.clock.now()} net heal`);
    for (const cancel of this.resets.values()) cancel();
    this.resets.clear();
    this.deliverDue();
  }

  /** Resets the connections of `host` (to `peer` only, if given); returns how many. */
  dropConnections(host: string, peer?: string): number {
    let n = 0;
    for (const stream of [...this.streams]) {
      if (stream.host.name !== host || (peer !== undefined && stream.peer.host.name !== peer) || stream.destroyed) continue;
      n++;
      this.reset(stream, 'dropped');
    }
    return n;
  }

  /** Adds `extraMs` of latency to later writes of connections touching `hosts` (every host when omitted); 0 ends it. */
  delay(extraMs: number, hosts?: readonly string[]): void {
    if (!(extraMs >= 0)) throw new RangeError(`a delay must be >= 0 ms, got ${extraMs}`);
    const names = hosts ?? [...this.hosts.keys()];
    for (const name of names) this.hostOf(name).extraLatencyMs = extraMs;
    this.emit(`${this.clock.now()} net delay ${extraMs}ms ${names.join(',')}`);
  }

  /** From now on each write is lost with `probability` (0 ends it); see the header for what a loss does. */
  dropMessages(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a drop probability is between 0 and 1, got ${probability}`);
    this.dropProbability = probability;
    this.emit(`${this.clock.now()} net drop p=${probability}`);
  }

  /** From now on each write is held up to `maxMs` more with `probability` (0 ends it); later writes of its pipe wait for it. */
  delayMessages(probability: number, maxMs: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a delay probability is between 0 and 1, got ${probability}`);
    if (!(maxMs >= 0 && Number.isFinite(maxMs))) throw new RangeError(`a message delay needs maxMs >= 0, got ${maxMs}`);
    this.delayFault = { probability, maxMs };
    this.emit(`${this.clock.now()} net delay-messages p=${probability} max=${maxMs}ms`);
  }

  /** Holds every delivery to and from `host` for `ms` (a process stopped by a long GC). */
  pause(host: string, ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a pause must be >= 0 ms, got ${ms}`);
    const h = this.hostOf(host);
    const until = this.clock.now() + ms;
    h.pausedUntil = Math.max(h.pausedUntil, until);
    this.emit(`${this.clock.now()} net pause ${host} ${ms}ms`);
    this.clock.schedule(ms, () => {
      if (this.clock.now() < h.pausedUntil) return;
      this.emit(`${this.clock.now()} net resume ${host}`);
      this.deliverDue();
    });
  }

  /** The process on `host` died: its listeners close, its connections reset, dials to it are refused. */
  crash(host: string): void {
    const h = this.hostOf(host);
    h.down = true;
    h.listeners.clear();
    this.emit(`${this.clock.now()} net crash ${host}`);
    for (const stream of [...this.streams]) {
      if (stream.host !== h || stream.destroyed) continue;
      // Nothing runs on a dead host: its end goes silently, the peer sees a reset after a latency.
      stream.destroyed = true;
      this.closed(stream);
      stream.out.queue.length = 0;
      this.pending.delete(stream.out);
      const peer = stream.peer;
      this.clock.schedule(this.drawLatency(stream.out), () => {
        if (peer.destroyed) return;
        this.emit(`${this.clock.now()} net reset c${peer.connectionId} ${peer.host.name} (peer ${host} crashed)`);
        peer.out.queue.length = 0;
        this.pending.delete(peer.out);
        peer.terminate(netError('ECONNRESET', `connection reset by ${host}`));
      });
    }
  }

  /** A new process may run on `host` again. */
  restart(host: string): void {
    this.hostOf(host).down = false;
    this.emit(`${this.clock.now()} net restart ${host}`);
  }

  // --- used by the streams ---

  /** Queues `bytes` (undefined: the writer closed) on `pipe`. */
  enqueue(pipe: Pipe, bytes: Uint8Array | undefined): void {
    if (pipe.lost) return;
    // The fault draws come from the pipe's own PRNG, and only while a fault is on: runs without
    // message faults draw (and trace) exactly what they did before these faults existed.
    if (bytes !== undefined && this.dropProbability > 0 && pipe.random() < this.dropProbability) {
      this.writes++;
      this.lose(pipe);
      return;
    }
    let latency = this.drawLatency(pipe);
    if (this.delayFault.probability > 0 && pipe.random() < this.delayFault.probability) latency += Math.round(pipe.random() * this.delayFault.maxMs);
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
    this.resets.get(stream)?.();
    this.resets.delete(stream);
  }

  // --- internals ---

  private hostOf(name: string): SimHost {
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, listeners: new Map(), nextPort: 40_000, pausedUntil: 0, down: false, extraLatencyMs: 0 };
      this.hosts.set(name, host);
    }
    return host;
  }

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
        if (this.cut(from.name, toName) || this.isPaused(from) || this.isPaused(this.hosts.get(toName))) {
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

  private drawLatency(pipe: Pipe): number { return this.drawLatencyBetween(pipe.from.host, pipe.to.host, pipe.random); }

  private drawLatencyBetween(a: SimHost, b: SimHost | undefined, random = this.random): number {
    const { min, max } = this.latency;
    return Math.round(min + random() * (max - min)) + a.extraLatencyMs + (b?.extraLatencyMs ?? 0);
  }

  private cut(a: string, b: string): boolean {
    const g = this.groups;
    return g !== undefined && ((g[0].has(a) && g[1].has(b)) || (g[1].has(a) && g[0].has(b)));
  }

  private isPaused(host: SimHost | undefined): boolean { return host !== undefined && this.clock.now() < host.pausedUntil; }

  /** Makes sure the network wakes at `due` (one clock timer per instant with deliveries). */
  private arm(due: number): void {
    if (this.wakeUps.has(due)) return;
    this.wakeUps.set(due, this.clock.schedule(Math.max(0, due - this.clock.now()), () => {
      this.wakeUps.delete(due);
      this.deliverDue();
    }));
  }

  /** Delivers every chunk due now, pipe by pipe in connection order, until none is due. */
  private deliverDue(): void {
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

  /** Delivers the due chunks of `pipe` unless the partition or a pause holds them; true when any went. */
  private pump(pipe: Pipe): boolean {
    const { from, to } = pipe;
    let delivered = false;
    while (pipe.queue.length > 0 && pipe.queue[0].due <= this.clock.now()) {
      if (this.cut(from.host.name, to.host.name) || this.isPaused(from.host) || this.isPaused(to.host)) return delivered;
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

  /** A write of `pipe` was lost: later writes go nowhere, and the connection resets (not within the writer's call). */
  private lose(pipe: Pipe): void {
    pipe.lost = true;
    const stream = pipe.from;
    this.emit(`${this.clock.now()} net lost c${stream.connectionId} ${stream.host.name}->${stream.peer.host.name}`);
    this.clock.schedule(0, () => {
      if (!stream.destroyed || !stream.peer.destroyed) this.reset(stream, 'a write was lost');
    });
  }

  private armReset(stream: SimStream): void {
    if (this.resets.has(stream) || this.resets.has(stream.peer)) return;
    const cancel = this.clock.schedule(this.resetAfterMs, () => {
      this.resets.delete(stream);
      if (!stream.destroyed || !stream.peer.destroyed) this.reset(stream, `stalled ${this.resetAfterMs}ms across the partition`);
    });
    this.resets.set(stream, cancel);
  }

  /** Resets both ends of `stream`'s connection now; what was in flight is lost. */
  private reset(stream: SimStream, why: string): void {
    this.emit(`${this.clock.now()} net reset c${stream.connectionId} ${stream.host.name}<->${stream.peer.host.name} (${why})`);
    for (const end of [stream, stream.peer]) {
      end.out.queue.length = 0;
      this.pending.delete(end.out);
      if (!end.host.down) end.terminate(netError('ECONNRESET', `connection reset (${why})`));
    }
  }
}
