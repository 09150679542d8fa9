// RemoteTransport: makes an actor system reachable from other processes. It listens for and
// opens authenticated connections (one per pair of systems, all traffic multiplexed over it),
// keeps the endpoint of each peer by address, and turns qualified paths
// (`actorflow://name@host:port/user/a`) into refs: local ones for this system's own address,
// remote ones otherwise. A remote ref finds its endpoint at send time, so it stays valid across
// a reconnect. A frame that fails to decode closes its connection only, and is logged.
// What a peer that has not authenticated can cost the listener is bounded (`ListenOptions.connections`).
// A lost connection to a system this one dialed is dialed again by itself, with backoff through
// the system clock, until it is back or the system closes; meanwhile messages to that system go
// to dead letters (and asks fail at once).
// Data-plane frames of every connection go to one DataFrameHandler (the system's data plane),
// which is also told when a peer connects and when its connection is lost.
// Sockets come from the transport's Network (node:net unless `useNetwork` gave a simulated one).
// Imports the endpoint, the connection and the core's refs; nothing from api/ but the clock.
// Just over 400 lines: listening, dialing with redial backoff and remote refs share the endpoint
// table; framing, handshake and connection limits live in actors/network, queuing in envelope-outbox.ts.

import { env } from 'node:process';
import type { Cancel } from '../../api/time/clock.ts';
import { ActorNotAliveError, ActorRef, type RefTarget } from '../core/actor-ref.ts';
import type { DeadLetterReason } from '../core/dead-letters.ts';
import type { Asker } from '../core/mailbox.ts';
import { errorFields, logger, RateLimitedLog, type Logger } from '../observability/logger.ts';
import { connect, ConnectionListener, type Connection, type ConnectionLimits } from '../network/connection.ts';
import { nodeNetwork, type Network } from '../network/transport.ts';
import { isLoopback, localPath, parsePath, systemAddress } from './remote-address.ts';
import { RemoteEndpoint, type RemoteHost } from './remote-endpoint.ts';

/**
 * The handshake secret of systems started without `ACTORFLOW_CLUSTER_SECRET` or an explicit
 * secret. It is public, so it authenticates nothing: such systems listen on loopback only, where
 * just processes of this machine can reach them (development and tests).
 */
export const DEVELOPMENT_SECRET = 'actorflow-development-secret';

/** Options of `system.listen`. */
export interface ListenOptions {
  /** The interface to bind (default 127.0.0.1; anything but loopback needs a secret). */
  readonly host?: string;
  /** The cluster secret (default: env ACTORFLOW_CLUSTER_SECRET). */
  readonly secret?: string;
  /** Frame limits, handshake and stall timeouts, and the cap on connections still in their handshake (defaults in connection.ts). */
  readonly connections?: ConnectionLimits;
}

/** What the listener of a system holds now (see `RemoteTransport.inbound`). */
export interface InboundStats {
  /** Open inbound connections, authenticated or not. */
  readonly connections: number;
  /** Inbound connections still in their handshake. */
  readonly pendingHandshakes: number;
  /** Received bytes held until their frames are complete. */
  readonly bufferedBytes: number;
  /** Connections turned away so far (over the cap, or failing their handshake). */
  readonly rejected: number;
}

/** Options of `system.connect`. */
export interface ConnectOptions {
  /** The cluster secret (default: env ACTORFLOW_CLUSTER_SECRET, else the development secret). */
  readonly secret?: string;
}

/** Where a listening system is reached. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** `actorflow://name@host:port`: prefix of the paths of this system's actors. */
  readonly address: string;
}

/** The host-side hooks the transport needs, supplied by the actor system. */
export type TransportHost = Omit<RemoteHost, 'address' | 'resolve'> & {
  /** Resolves a local path. */
  resolveLocal(path: string): ActorRef;
};

/** Where the data-plane frames of every connection go (the system's data plane). */
export interface DataFrameHandler {
  /** One data frame from `peer`; throws on a malformed one (that connection then closes). */
  onFrame(peer: string, frame: Uint8Array): void;
  /** A connection to `peer` is up (its hello arrived). */
  onConnected(peer: string): void;
  /** The connection to `peer` is gone. */
  onDisconnected(peer: string, error: Error): void;
}

/** The first redial after a lost connection waits this long; each failed one doubles it, up to RECONNECT_MAX_MS. */
export const RECONNECT_MIN_MS = 100;
/** The longest wait between two redials of a lost connection. */
export const RECONNECT_MAX_MS = 5000;
/** At most one log line per peer about failing redials in this period. */
const RECONNECT_LOG_INTERVAL_MS = 30_000;

/** Data frames kept per connection while no data handler is installed, at most. */
const MAX_EARLY_DATA_FRAMES = 4096;

/** The address of a system that does not listen: unique, so that peers can route to it. */
function unboundAddress(name: string, network: Network): string {
  let hex = '';
  for (const b of network.randomBytes(6)) hex += b.toString(16).padStart(2, '0');
  return `${name}@unbound-${hex}`;
}

/** Resolves the secret of a listen or connect call. */
function secretOf(explicit: string | undefined): string | undefined {
  return explicit ?? (env.ACTORFLOW_CLUSTER_SECRET || undefined);
}

/** The remote side of an actor system. */
export class RemoteTransport {
  /** This system's address; an unlistening system gets a unique placeholder that peers route by. */
  address: string;
  private listener: ConnectionListener | undefined;
  private readonly endpoints = new Map<string, RemoteEndpoint>();
  private readonly dialed = new Map<string, Promise<RemoteEndpoint>>();
  private readonly refs = new Map<string, ActorRef>();
  /** Every address this system went by (an unbound one stays valid after `listen`). */
  private readonly ownAddresses = new Set<string>();
  private readonly host: RemoteHost;
  private closing = false;
  private dataHandler: DataFrameHandler | undefined;
  /** Data frames that arrived before a data handler was installed (a credit racing deployment). */
  private earlyData: [string, Uint8Array][] = [];
  /** The secret given to `listen`: dials on behalf of this system (the data plane's) use it too. */
  clusterSecret: string | undefined;
  /** Where each system this one connected to was dialed, to dial it again after a lost connection. */
  private readonly dialTargets = new Map<string, { host: string; port: number; secret: string }>();
  /** Pending redials, by peer address. */
  private readonly reconnects = new Map<string, Cancel>();
  private readonly reconnectLog: Logger;
  private readonly reconnectLimit: RateLimitedLog;
  /** Where sockets come from. */
  private network: Network = nodeNetwork;
  /** Limits (and the clock of their timeouts) of every connection, unless listen options say otherwise. */
  private limits: ConnectionLimits = {};

  constructor(private readonly system: TransportHost) {
    this.address = unboundAddress(system.name, this.network);
    this.reconnectLimit = new RateLimitedLog(RECONNECT_LOG_INTERVAL_MS, () => system.clock.now());
    this.reconnectLog = logger('remote-transport', { system: system.name });
    this.ownAddresses.add(this.address);
    const transport = this;
    this.host = {
      get name() { return system.name; },
      get clock() { return system.clock; },
      get address() { return transport.address; },
      resolve: (path) => this.resolve(path),
      spawn: (behavior, name) => system.spawn(behavior, name),
      stop: (ref) => system.stop(ref),
      deadLetter: (message, recipient, reason) => system.deadLetter(message, recipient, reason),
      dataFrame: (peer, frame) => this.dataFrame(peer, frame),
    };
  }

  /**
   * Opens sockets through `network` from now on (a simulated network), with `limits` on the
   * connections it dials and accepts (a simulation gives its clock); only before this system
   * listens or connects. The placeholder address is drawn again from the network's entropy.
   */
  useNetwork(network: Network, limits: ConnectionLimits = {}): void {
    if (this.listener || this.endpoints.size > 0 || this.dialed.size > 0) throw new Error(`actor system ${this.system.name} already uses its network`);
    this.ownAddresses.delete(this.address);
    this.network = network;
    this.limits = limits;
    this.address = unboundAddress(this.system.name, network);
    this.ownAddresses.add(this.address);
  }

  /** Installs the receiver of data-plane frames; frames that arrived before it are replayed. */
  setDataHandler(handler: DataFrameHandler): void {
    if (this.dataHandler) throw new Error(`actor system ${this.system.name} already has a data handler`);
    this.dataHandler = handler;
    const early = this.earlyData;
    this.earlyData = [];
    for (const [peer, frame] of early) {
      try {
        handler.onFrame(peer, frame);
      } catch (error) {
        this.log(`data frame from ${peer} rejected: ${(error as Error).message}`);
        this.endpoints.get(peer)?.close();
      }
    }
  }

  /** Sends a data-plane frame (`head` then `body`) to the connected system at `address`; false when not connected. */
  sendData(address: string, head: Uint8Array, body: Uint8Array): boolean {
    const endpoint = this.endpoints.get(address);
    if (!endpoint?.isOpen) return false;
    endpoint.sendData(head, body);
    return true;
  }

  /** Whether a connection to the system at `address` is up. */
  isConnected(address: string): boolean {
    return this.endpoints.get(address)?.isOpen ?? false;
  }

  private dataFrame(peer: string, frame: Uint8Array): void {
    if (this.dataHandler) { this.dataHandler.onFrame(peer, frame); return; }
    if (this.earlyData.length >= MAX_EARLY_DATA_FRAMES) throw new Error(`too many data frames from ${peer} before this system opened its data plane`);
    // A copy: the frame may be a view into a connection buffer that is reused.
    this.earlyData.push([peer, new Uint8Array(frame)]);
  }

  /** Accepts connections on `port` (0 picks a free one). */
  async listen(port: number, options: ListenOptions = {}): Promise<ListenAddress> {
    if (this.listener) throw new Error(`actor system ${this.system.name} already listens at ${this.address}`);
    const secret = secretOf(options.secret);
    const host = options.host ?? '127.0.0.1';
    if (secret === undefined && !isLoopback(host)) {
      throw new Error(`listening on ${host} needs a cluster secret (ACTORFLOW_CLUSTER_SECRET); without one only loopback is allowed`);
    }
    this.clusterSecret = secret;
    this.listener = await ConnectionListener.listen(host, port, { ...this.limits, ...options.connections, secret: secret ?? DEVELOPMENT_SECRET, network: this.network },
      (connection) => this.accept(connection),
      // The listener logs connections that never authenticated itself, rate-limited.
      (error, remote, authenticated) => { if (authenticated) this.logClosed(`connection from ${remote} closed: ${error.message}`, error); });
    this.address = systemAddress(this.system.name, host, this.listener.port);
    this.ownAddresses.add(this.address);
    return { host, port: this.listener.port, address: `actorflow://${this.address}` };
  }

  /** Connects to the system at `host:port`; resolves with its address (`actorflow://name@host:port`). */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<string> {
    const key = `${host}:${port}`;
    let dialing = this.dialed.get(key);
    if (dialing) {
      const endpoint = await dialing;
      if (endpoint.isOpen) return `actorflow://${endpoint.peer}`;
    }
    const secret = secretOf(options.secret) ?? DEVELOPMENT_SECRET;
    dialing = this.dial(host, port, secret);
    this.dialed.set(key, dialing);
    dialing.catch(() => { if (this.dialed.get(key) === dialing) this.dialed.delete(key); });
    const endpoint = await dialing;
    this.dialTargets.set(endpoint.peer!, { host, port, secret });
    return `actorflow://${endpoint.peer}`;
  }

  /** Whether a redial of the lost connection to `address` is pending. */
  isReconnecting(address: string): boolean {
    return this.reconnects.has(address);
  }

  /**
   * Dials `peer` again after `RECONNECT_MIN_MS * 2^attempt` (at most RECONNECT_MAX_MS) on the
   * system clock, and again after each failure, until connected or closed.
   */
  private scheduleReconnect(peer: string, attempt: number): void {
    const target = this.dialTargets.get(peer);
    if (!target || this.closing || this.reconnects.has(peer)) return;
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** attempt, RECONNECT_MAX_MS);
    const cancel = this.system.clock.schedule(delay, () => {
      if (this.reconnects.get(peer) !== cancel) return;
      if (this.closing || this.isConnected(peer)) { this.reconnects.delete(peer); return; }
      this.connect(target.host, target.port, { secret: target.secret }).then((address) => {
        this.reconnects.delete(peer);
        this.reconnectLog.info(`reconnected to actorflow://${peer}`, { peer, attempts: attempt + 1 });
        if (address !== `actorflow://${peer}`) this.reconnectLog.warn(`${target.host}:${target.port} is now ${address}, no longer actorflow://${peer}`, { peer });
      }, (error: Error) => {
        this.reconnects.delete(peer);
        if (this.closing) return;
        this.reconnectLimit.attempt(peer, (suppressed) => this.reconnectLog.warn(
          `cannot reconnect to actorflow://${peer} at ${target.host}:${target.port} (attempt ${attempt + 1}); retrying`,
          { peer, suppressed, ...errorFields(error) }));
        this.scheduleReconnect(peer, attempt + 1);
      });
    });
    this.reconnects.set(peer, cancel);
  }

  /** The ref for `path`: local for this system's paths, remote for a peer's. */
  resolve(path: string): ActorRef {
    const known = this.refs.get(path);
    if (known) return known;
    const parsed = parsePath(path);
    if (!parsed || parsed.address === undefined) return this.system.resolveLocal(path);
    if (this.ownAddresses.has(parsed.address)) return this.system.resolveLocal(localPath(parsed.system, parsed.suffix));
    const ref = new ActorRef(path, new RemoteTarget(this, path, parsed.address, parsed.suffix));
    this.refs.set(path, ref);
    return ref;
  }

  /** The open endpoint to the system at `address`, if connected. */
  endpointOf(address: string): RemoteEndpoint | undefined {
    return this.endpoints.get(address);
  }

  /** Records a message that could not be sent. */
  deadLetter(message: unknown, recipient: string, reason: DeadLetterReason): void { this.system.deadLetter(message, recipient, reason); }

  /** The clock of this system. */
  get clock(): TransportHost['clock'] { return this.system.clock; }

  /** Open connections to other systems. */
  get connections(): number { return this.endpoints.size; }

  /** What the listener holds now; undefined while not listening. */
  get inbound(): InboundStats | undefined {
    const l = this.listener;
    return l && { connections: l.size, pendingHandshakes: l.pendingHandshakes, bufferedBytes: l.bufferedBytes, rejected: l.rejectedConnections };
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    this.closing = true;
    for (const cancel of this.reconnects.values()) cancel();
    this.reconnects.clear();
    for (const endpoint of [...this.endpoints.values()]) endpoint.close();
    await this.listener?.close();
    this.listener = undefined;
  }

  private newEndpoint(outbound: boolean): RemoteEndpoint {
    return new RemoteEndpoint(this.host, outbound, (e, peer) => this.register(e, peer), (e, error) => this.closed(e, error));
  }

  private async dial(host: string, port: number, secret: string): Promise<RemoteEndpoint> {
    const endpoint = this.newEndpoint(true);
    const connection = await connect(host, port, { ...this.limits, secret, network: this.network }, {
      onFrame: (frame, c) => endpoint.receive(frame, c),
      onClose: (_c, error) => endpoint.closedBy(error),
    });
    endpoint.attach(connection);
    try {
      await endpoint.ready;
    } catch (error) {
      // Closed as a duplicate: the pair already has its connection.
      const existing = endpoint.peer === undefined ? undefined : this.endpoints.get(endpoint.peer);
      if (existing?.isOpen) return existing;
      throw error;
    }
    return endpoint;
  }

  private accept(connection: Connection): { onFrame: (f: Uint8Array, c: Connection) => void; onClose: (c: Connection, e?: Error) => void } {
    const endpoint = this.newEndpoint(false);
    endpoint.attach(connection);
    return {
      onFrame: (frame, c) => endpoint.receive(frame, c),
      onClose: (_c, error) => endpoint.closedBy(error),
    };
  }

  /**
   * Keeps one connection per pair of systems. Of two connections between the same pair, both
   * sides keep the one dialed by the system with the smaller address, so that simultaneous dials
   * agree; a repeated dial in the same direction keeps the first.
   */
  private register(endpoint: RemoteEndpoint, peer: string): void {
    if (this.closing) { endpoint.close(); return; }
    const existing = this.endpoints.get(peer);
    if (existing && existing !== endpoint && existing.isOpen) {
      const dialer = (e: RemoteEndpoint): string => (e.outbound ? this.address : peer);
      const keepNew = existing.outbound !== endpoint.outbound && dialer(endpoint) < dialer(existing);
      const loser = keepNew ? existing : endpoint;
      if (keepNew) this.endpoints.set(peer, endpoint);
      loser.close();
      return;
    }
    this.endpoints.set(peer, endpoint);
    this.dataHandler?.onConnected(peer);
  }

  private closed(endpoint: RemoteEndpoint, error?: Error): void {
    if (endpoint.peer !== undefined && this.endpoints.get(endpoint.peer) === endpoint) {
      this.endpoints.delete(endpoint.peer);
      const peer = endpoint.peer;
      this.dataHandler?.onDisconnected(peer, new Error(`connection to actorflow://${peer} lost${error ? `: ${error.message}` : ''}`));
      this.scheduleReconnect(peer, 0);
    }
    // Inbound connections are logged by the listener.
    if (error && endpoint.outbound) this.logClosed(`connection to ${endpoint.peer ?? 'peer'} closed: ${error.message}`, error);
  }

  /**
   * A connection that ended with an error. A reset or broken pipe is how a peer that went away (a
   * process shutting down or killed) ends a connection: its consequences (a TaskManager lost, a
   * redial) are logged where they matter, so the reset itself is info; anything else is a warning.
   */
  private logClosed(line: string, error: Error): void {
    const code = (error as { code?: string }).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') { if (!this.closing) this.reconnectLog.info(line); return; }
    this.log(line);
  }

  /** A connection-level problem an operator should see (not while this system shuts down). */
  private log(line: string): void {
    if (!this.closing) this.reconnectLog.warn(line);
  }
}

/** Delivers to an actor of a peer system through the endpoint of its address. */
class RemoteTarget implements RefTarget {
  constructor(
    private readonly transport: RemoteTransport,
    private readonly path: string,
    private readonly address: string,
    private readonly suffix: string,
  ) {}

  enqueue(message: unknown, asker: Asker | undefined): void {
    if (asker) {
      // A forwarded ask: the time it has left goes along (5 s when its asker set no deadline).
      const timeoutMs = asker.deadline === undefined ? 5000 : Math.max(1, asker.deadline - this.transport.clock.now());
      this.ask(message, timeoutMs).then(asker.resolve, asker.reject);
      return;
    }
    const endpoint = this.transport.endpointOf(this.address);
    if (!endpoint) { this.transport.deadLetter(message, this.path, 'not-connected'); return; }
    endpoint.tell(this.suffix, message);
  }

  ask(message: unknown, timeoutMs: number): Promise<unknown> {
    const endpoint = this.transport.endpointOf(this.address);
    if (!endpoint) {
      this.transport.deadLetter(message, this.path, 'not-connected');
      const why = this.transport.isReconnecting(this.address) ? 'the connection was lost, reconnecting' : 'not connected';
      return Promise.reject(new ActorNotAliveError(this.path, message, `${why} to actorflow://${this.address}`));
    }
    return endpoint.ask(this.path, this.suffix, message, timeoutMs);
  }

  watch(watcher: ActorRef): void {
    const endpoint = this.transport.endpointOf(this.address);
    if (endpoint) { endpoint.watch(this.suffix, watcher); return; }
    watcher.tell({ type: 'actor.terminated', ref: this.transport.resolve(this.path), reason: 'connection-lost', error: `not connected to actorflow://${this.address}` });
  }

  unwatch(watcher: ActorRef): void {
    this.transport.endpointOf(this.address)?.unwatch(this.suffix, watcher);
  }
}
