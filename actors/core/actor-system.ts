// ActorSystem: the entry point of the actor API. It creates top-level actors under the system
// guardian (which stops a top-level actor that fails, and logs it), answers `lifecycleOf`, keeps
// the dead letters, gives read-only snapshots of its tree, and terminates the whole tree in
// reverse start order. `listen` / `connect` make it reachable from other processes through the
// remote transport (which reconnects by itself). Imports the core and actors/remote; nothing from api/ but the clock.

import { systemClock, type Clock } from '../../api/time/clock.ts';
import { ActorCell } from './actor-cell.ts';
import { lifecycleState, type ActorLifecycleState } from './actor-lifecycle.machine.ts';
import type { ActorRef } from './actor-ref.ts';
import { cellOf, spawnChild } from './cell-context.ts';
import type { DeadLetter } from './dead-letters.ts';
import { snapshotTree, type ActorSystemSnapshot, type SnapshotOptions } from './actor-snapshot.ts';
import { defineActor, type ActorBehavior, type SpawnOptions } from './define-actor.ts';
import { SystemRuntime } from './system-runtime.ts';
import type { Host } from './host.ts';
import type { KvStore } from '../../state/kv/kv-store.ts';
import { isQualified } from '../remote/remote-address.ts';
import { RemoteTransport, type ConnectOptions, type ListenAddress, type ListenOptions } from '../remote/remote-transport.ts';

/** Options of an actor system. */
export interface ActorSystemOptions {
  /** Encode and decode every message in transit, to prove that it could cross a process boundary. */
  readonly serializeMessages?: boolean;
  /** The KV file of persistent actors (in memory when absent). */
  readonly kvPath?: string;
  /** Time for ask timeouts, scheduled messages and restart backoff (tests pass a ManualClock). */
  readonly clock?: Clock;
  /**
   * Event-loop turns, monotonic time and randomness; its clock is the system's when `clock` is not
   * given. The deterministic simulation (actorflow/testing) passes its own; default: the platform.
   */
  readonly host?: Host;
  /** The KV store of persistent actors (instead of opening `kvPath`); the system does not close it. */
  readonly kvStore?: KvStore;
}

const guardianBehavior = defineActor<null, unknown>({
  init: () => null,
  receive: () => undefined,
});

/** A tree of supervised actors in this process. */
export class ActorSystem {
  private readonly runtime: SystemRuntime;
  private readonly guardian: ActorCell;
  private terminating: Promise<void> | undefined;
  private remote: RemoteTransport | undefined;

  private constructor(readonly name: string, options: ActorSystemOptions) {
    this.runtime = new SystemRuntime(name, options.clock ?? options.host?.clock ?? systemClock, options.serializeMessages ?? false, options.kvPath,
      options.host, options.kvStore);
    this.runtime.system = this;
    this.guardian = new ActorCell(this.runtime, undefined, guardianBehavior as ActorBehavior<unknown, unknown>, `actorflow://${name}/user`, undefined);
  }

  /** Creates an actor system named `name`. */
  static create(name: string, options: ActorSystemOptions = {}): ActorSystem {
    return new ActorSystem(name, options);
  }

  /** The clock of this system. */
  get clock(): Clock { return this.runtime.clock; }

  /** Messages that could not be delivered so far (the dead-letter count). */
  get deadLetters(): number { return this.runtime.deadLetters.count; }

  /** The same count as `deadLetters`. */
  get deadLetterCount(): number { return this.runtime.deadLetters.count; }

  /**
   * Calls `listener` with every later dead letter (message, recipient path, reason); returns the
   * function that unsubscribes it. Listeners run synchronously where the message was dropped.
   */
  onDeadLetter(listener: (letter: DeadLetter) => void): () => void {
    return this.runtime.deadLetters.subscribe(listener);
  }

  /**
   * A read-only snapshot of the supervision tree (paths, behaviour names, lifecycle states,
   * mailbox sizes, restarts) and the dead-letter count, computed now by walking the actors.
   */
  snapshot(options?: SnapshotOptions): ActorSystemSnapshot {
    const tree = snapshotTree(this.guardian, options);
    return {
      system: this.name, ...(this.address !== undefined ? { address: this.address } : {}),
      takenAt: this.runtime.clock.now(), deadLetters: this.runtime.deadLetters.count, ...tree,
    };
  }

  /** Starts a top-level actor, supervised by the system guardian. */
  spawn<S, M>(behavior: ActorBehavior<S, M>, name: string, options?: SpawnOptions): ActorRef<M> {
    if (this.terminating) throw new Error(`actor system ${this.name} is terminating`);
    return spawnChild(this.guardian, behavior, name, options);
  }

  /** Stops `ref` (its children first, in reverse start order); resolves when it has terminated. */
  stop(ref: ActorRef): Promise<void> {
    return cellOf(ref)?.stop('stopped') ?? Promise.resolve();
  }

  /** The value of `ref`'s lifecycle machine. */
  lifecycleOf(ref: ActorRef): ActorLifecycleState {
    const cell = cellOf(ref);
    return cell ? lifecycleState(cell.lifecycle) : 'stopped';
  }

  /**
   * The live ref at `path`, or one whose messages become dead letters. A path qualified with
   * another system's address (`actorflow://name@host:port/user/a`) gives a remote ref.
   */
  resolve(path: string): ActorRef {
    return this.runtime.resolve(path);
  }

  /**
   * Accepts connections from other systems on `port` (0 picks one). The secret defaults to env
   * ACTORFLOW_CLUSTER_SECRET; without any, only loopback is allowed (see DEVELOPMENT_SECRET).
   */
  listen(port: number, options?: ListenOptions): Promise<ListenAddress> {
    if (this.terminating) return Promise.reject(new Error(`actor system ${this.name} is terminating`));
    return this.transport().listen(port, options);
  }

  /** Connects to the system listening at `host:port`; resolves with its address (`actorflow://name@host:port`). */
  connect(host: string, port: number, options?: ConnectOptions): Promise<string> {
    if (this.terminating) return Promise.reject(new Error(`actor system ${this.name} is terminating`));
    return this.transport().connect(host, port, options);
  }

  /** This system's address once it listens or connects (`actorflow://name@host:port`). */
  get address(): string | undefined {
    return this.remote ? `actorflow://${this.remote.address}` : undefined;
  }

  /** The remote side of this system, created on first use (the data plane shares its connections). */
  remoteTransport(): RemoteTransport {
    if (this.terminating) throw new Error(`actor system ${this.name} is terminating`);
    return this.transport();
  }

  private transport(): RemoteTransport {
    if (this.remote) return this.remote;
    const runtime = this.runtime;
    const remote = new RemoteTransport({
      name: this.name,
      clock: runtime.clock,
      resolveLocal: (path) => runtime.resolve(path),
      spawn: (behavior, name) => spawnChild(this.guardian, behavior, name),
      stop: (ref) => this.stop(ref),
      deadLetter: (message, recipient, reason) => runtime.deadLetters.publish(message, recipient, reason),
    });
    runtime.remoteResolver = (path) => (isQualified(path) ? remote.resolve(path) : undefined);
    this.remote = remote;
    return remote;
  }

  /** Resolves once no actor has queued work or an asynchronous step in flight (timers aside). */
  async whenIdle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => this.runtime.host.yieldTurn('when-idle', resolve));
      if (this.runtime.dispatcher.idle && this.runtime.inflight === 0) return;
    }
  }

  /** Stops every actor (reverse start order) and closes the KV store. */
  terminate(): Promise<void> {
    this.terminating ??= (async () => {
      await this.guardian.stop('stopped');
      await this.remote?.close();
      await this.runtime.closeKv();
    })();
    return this.terminating;
  }
}
