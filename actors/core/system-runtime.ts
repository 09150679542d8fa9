// What every actor cell of one system shares: the clock, the dispatcher, the path registry, the
// lazily opened KV store for persistent actors, the dead letters, the system's logger and the
// serializeMessages round trip. Kept apart from ActorSystem so that the public class stays small.
// Imports the codec, the KV adapter and the logger; nothing from api/ but the clock.

import type { Clock } from '../../api/time/clock.ts';
import { openKvStore, type KvStore } from '../../state/kv/kv-store.ts';
import { assertEncodable, decode, encode } from '../network/codec.ts';
import { logger, type Logger } from '../observability/logger.ts';
import { ActorNotAliveError, ActorRef, type RefTarget } from './actor-ref.ts';
import { DeadLetterOffice } from './dead-letters.ts';
import { Dispatcher } from './dispatcher.ts';
import { realHost, type Host } from './host.ts';
import type { ActorSystem } from './actor-system.ts';
import type { Asker } from './mailbox.ts';

/** The shared runtime of one actor system. */
export class SystemRuntime {
  /** Refs by path, for decoding refs inside messages. */
  readonly registry = new Map<string, ActorRef>();
  readonly dispatcher: Dispatcher;
  /** Messages that could not be delivered. */
  readonly deadLetters: DeadLetterOffice;
  /** Events of this system an operator should see (failed top-level actors, lost connections). */
  readonly log: Logger;
  /** Cells in the middle of an asynchronous step (init, async receive, persistence, stop). */
  inflight = 0;
  /** The public system object (what ctx.system returns); set once by ActorSystem. */
  system!: ActorSystem;
  /** Resolves paths qualified with a system address (set once the system listens or connects). */
  remoteResolver: ((path: string) => ActorRef | undefined) | undefined;
  private kv: Promise<KvStore> | undefined;
  private readonly resolveRef = (path: string): ActorRef => this.resolve(path);

  constructor(
    readonly name: string,
    readonly clock: Clock,
    readonly serializeMessages: boolean,
    readonly kvPath: string | undefined,
    /** Event-loop turns and randomness (a simulation passes its own). */
    readonly host: Host = realHost,
    /** The store of persistent actors when given (a simulation's in-memory one); else opened at kvPath. */
    private readonly givenKv?: KvStore,
  ) {
    this.dispatcher = new Dispatcher(undefined, undefined, host, `dispatcher:${name}`);
    this.deadLetters = new DeadLetterOffice(name, clock);
    this.log = logger('actor-system', { system: name });
  }

  /** The KV store of persistent actors (in memory when the system has no kvPath). */
  kvStore(): Promise<KvStore> {
    this.kv ??= this.givenKv ? Promise.resolve(this.givenKv) : openKvStore(this.kvPath ?? ':memory:');
    return this.kv;
  }

  /** Closes the KV store if it was opened. */
  async closeKv(): Promise<void> {
    if (!this.kv) return;
    const kv = await this.kv;
    this.kv = undefined;
    // A given store outlives the system (a simulated process restart finds its data again).
    if (kv !== this.givenKv) kv.close();
  }

  /** Encodes and decodes `msg` as if it crossed a process boundary; throws when it cannot. */
  roundTrip(msg: unknown): unknown {
    assertEncodable(msg);
    return decode(encode(msg), this.resolveRef);
  }

  /** The live ref at `path`, or a ref whose messages become dead letters. */
  resolve(path: string): ActorRef {
    return this.registry.get(path) ?? this.remoteResolver?.(path) ?? new ActorRef(path, new DeadTarget(path, this));
  }
}

/** Where messages to unknown or stopped paths end up. */
class DeadTarget implements RefTarget {
  constructor(private readonly path: string, private readonly runtime: SystemRuntime) {}

  enqueue(message: unknown, asker: Asker | undefined): void {
    this.runtime.deadLetters.publish(message, this.path, 'not-alive');
    asker?.reject(new ActorNotAliveError(this.path, message));
  }

  ask(message: unknown): Promise<unknown> {
    this.runtime.deadLetters.publish(message, this.path, 'not-alive');
    return Promise.reject(new ActorNotAliveError(this.path, message));
  }
}
