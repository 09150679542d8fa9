// SimulatedNetwork: hosts, ports and TCP connections in memory, on an injected Clock (virtual
// time) and an injected PRNG, so that processes of a cluster running in one thread talk through
// the real connection, handshake and transport code with replayable timing and faults.
//
// A connection is two ordered byte pipes (sim-connection.ts). Every write is delivered whole to the
// peer after a latency drawn from the PRNG, never before the bytes written earlier on the same pipe
// (TCP keeps order; it may split or join writes, which the frame decoder handles and tests
// elsewhere); simulated-transport.ts delivers them. This file injects the faults, as TCP shows
// them to the processes:
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
// they were written. Imports simulated-transport.ts and sim-connection.ts.
import type { Cancel } from '../../api/time/clock.ts';
import { netError, type Pipe, type SimHost, type SimStream } from './sim-connection.ts';
import { SimulatedTransport } from './simulated-transport.ts';

export type { SimulatedNetworkOptions } from './simulated-transport.ts';

/** In-memory hosts and TCP connections on virtual time, with injectable faults. */
export class SimulatedNetwork extends SimulatedTransport {
  /** Reset timers of connections stalled across the partition. */
  private readonly resets = new Map<SimStream, Cancel>();
  private groups: [ReadonlySet<string>, ReadonlySet<string>] | undefined;
  private dropProbability = 0;
  private delayFault = { probability: 0, maxMs: 0 };

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

  // --- the transport's hooks ---

  protected blocked(from: SimHost, toName: string, to: SimHost | undefined): boolean {
    return this.cut(from.name, toName) || this.isPaused(from) || this.isPaused(to);
  }

  // The fault draws come from the pipe's own PRNG, and only while a fault is on: runs without
  // message faults draw (and trace) exactly what they did before these faults existed.
  protected dropsWrite(pipe: Pipe): boolean {
    if (!(this.dropProbability > 0 && pipe.random() < this.dropProbability)) return false;
    this.lose(pipe);
    return true;
  }

  protected heldMs(pipe: Pipe): number {
    return this.delayFault.probability > 0 && pipe.random() < this.delayFault.probability ? Math.round(pipe.random() * this.delayFault.maxMs) : 0;
  }

  protected streamClosed(stream: SimStream): void {
    this.resets.get(stream)?.();
    this.resets.delete(stream);
  }

  // --- internals ---

  private cut(a: string, b: string): boolean {
    const g = this.groups;
    return g !== undefined && ((g[0].has(a) && g[1].has(b)) || (g[1].has(a) && g[0].has(b)));
  }

  private isPaused(host: SimHost | undefined): boolean { return host !== undefined && this.clock.now() < host.pausedUntil; }

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
