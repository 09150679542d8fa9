// The public actor API ('actorflow/actors'): the system, behaviours, refs, supervision types, the
// lifecycle states, and the clocks actor programs schedule through. A wiring file: no logic.

export { ActorSystem, type ActorSystemOptions } from './core/actor-system.ts';
export type { ActorSnapshot, ActorSystemSnapshot, SnapshotOptions } from './core/actor-snapshot.ts';
export {
  defineActor, type ActorBehavior, type ActorContext, type ActorTerminated, type PersistenceOptions,
  type SpawnOptions, type TerminationReason,
} from './core/define-actor.ts';
export { ActorRef, ActorNotAliveError, AskTimeoutError } from './core/actor-ref.ts';
export { MailboxOverflowError, type MailboxOptions, type MailboxOverflow } from './core/mailbox.ts';
export type { DeferredReply } from './core/reply-handle.ts';
export type { DeadLetter, DeadLetterReason } from './core/dead-letters.ts';
export { RestartIntensityExceededError } from './core/actor-cell.ts';
export {
  DEFAULT_SUPERVISOR_STRATEGY, type RestartBackoffOptions, type SupervisionKind, type SupervisorDirective,
  type SupervisorStrategy,
} from './core/supervisor-strategy.ts';
export type { ActorLifecycleState } from './core/actor-lifecycle.machine.ts';
export { NotEncodableError } from './network/codec.ts';
export { ManualClock, SystemClock, systemClock, type Clock, type Cancel } from '../api/time/clock.ts';
export { MessageTooLargeError, RemoteAskError } from './remote/remote-endpoint.ts';
export { DEVELOPMENT_SECRET, type ConnectOptions, type ListenAddress, type ListenOptions } from './remote/remote-transport.ts';
export { LeaderLease, JOBMANAGER_LEASE_KEY, type LeaderLeaseOptions, type LeaseRecord } from './ha/leader-lease.ts';
