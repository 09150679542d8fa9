// LeaderLease: JobManager high availability through a lease record in the KV store. Candidates
// race to write `{ leaderId, address, expiresAt, epoch }` with compare-and-set; the winner renews
// it every `renewEveryMs` through the injected Clock and steps down on its own when it could not
// renew before `expiresAt`, so that a standby, which may only take an expired lease, never runs
// beside it. The epoch is the fencing token: it grows by one with every new leadership, is kept
// in the record across releases and expiries, and lets other components reject a deposed leader.
// Expiry compares clock readings of different processes: their clocks must agree to well within
// the lease duration. Imports the KV adapter and the Clock; nothing from the actor core.

import type { Cancel, Clock } from '../../api/time/clock.ts';
import type { KvKey, VersionedKvStore } from '../../state/kv/kv-store.ts';

/** The lease as stored in KV. */
export interface LeaseRecord {
  readonly leaderId: string;
  /** Where the leader is reached (its actor system address). */
  readonly address: string;
  /** Clock time after which the lease is free to take. */
  readonly expiresAt: number;
  /** The fencing token of this leadership. */
  readonly epoch: number;
}

/** Settings of one JobManager candidate. */
export interface LeaderLeaseOptions {
  readonly kv: VersionedKvStore;
  readonly clock: Clock;
  /** Unique among candidates (a restarted JobManager may reuse its id). */
  readonly candidateId: string;
  /** Published in the lease for TaskManagers and clients to find the leader. */
  readonly address: string;
  /** How long a written lease is valid (default 15 s). */
  readonly leaseMs?: number;
  /** How often to renew or try to acquire (default a third of leaseMs). */
  readonly renewEveryMs?: number;
  /** Where the lease lives (default ['actorflow', 'ha', 'jobmanager-leader']). */
  readonly key?: KvKey;
  /** Called when this candidate becomes leader, with its fencing token. */
  readonly onGranted?: (epoch: number, lease: LeaseRecord) => void;
  /** Called when this candidate stops being leader (lost, expired or released). */
  readonly onRevoked?: (epoch: number, why: 'expired' | 'taken' | 'released') => void;
  /** Called when a KV round fails (the lease then expires unless a later round succeeds). */
  readonly onError?: (error: unknown) => void;
}

/** The default KV key of the JobManager lease. */
export const JOBMANAGER_LEASE_KEY: KvKey = ['actorflow', 'ha', 'jobmanager-leader'];

function isLeaseRecord(value: unknown): value is LeaseRecord {
  const r = value as LeaseRecord | null;
  return r !== null && typeof r === 'object' && typeof r.leaderId === 'string' && typeof r.expiresAt === 'number' && typeof r.epoch === 'number';
}

/** One candidate's view of the JobManager leader lease. */
export class LeaderLease {
  private readonly kv: VersionedKvStore;
  private readonly clock: Clock;
  private readonly key: KvKey;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private heldEpoch = 0;
  /** The epoch this instance held last, even after giving it up. */
  private lastEpoch = 0;
  private heldUntil = 0;
  private expiry: Cancel | undefined;
  private ticker: Cancel | undefined;
  private inflight: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.kv = options.kv;
    this.clock = options.clock;
    this.key = options.key ?? JOBMANAGER_LEASE_KEY;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.floor(this.leaseMs / 3);
    if (!(this.renewEveryMs > 0 && this.renewEveryMs < this.leaseMs)) {
      throw new Error(`renewEveryMs (${this.renewEveryMs}) must be positive and shorter than leaseMs (${this.leaseMs})`);
    }
  }

  /** Whether this candidate holds the lease now. */
  get isLeader(): boolean { return this.heldEpoch > 0; }

  /** The fencing token of the held lease, 0 when not leader. */
  get epoch(): number { return this.heldEpoch; }

  /**
   * The epoch of the leadership this candidate holds or held last (0 if it never led): what its
   * commands carry, so that whoever has seen a newer epoch refuses them.
   */
  get fencingToken(): number { return this.lastEpoch; }

  /** Tries to acquire at once, then renews or retries every renewEveryMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.ticker = this.clock.schedule(this.renewEveryMs, tick);
      void this.attempt();
    };
    this.ticker = this.clock.schedule(this.renewEveryMs, tick);
    void this.attempt();
  }

  /**
   * Stops renewing. With `release` (the default) a held lease is handed back at once, so a
   * standby need not wait for it to expire; without, it behaves as a crashed leader.
   */
  async stop(release = true): Promise<void> {
    this.running = false;
    this.ticker?.();
    this.ticker = undefined;
    await this.settled();
    if (!this.isLeader) return;
    const epoch = this.heldEpoch;
    this.revoke('released');
    if (!release) return;
    const current = await this.kv.getVersioned(this.key);
    const record = current?.value;
    if (current && isLeaseRecord(record) && record.leaderId === this.options.candidateId && record.epoch === epoch) {
      await this.kv.compareAndSet(this.key, current.version, { ...record, expiresAt: this.clock.now() });
    }
  }

  /** Resolves when no KV round is in flight. */
  async settled(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  /** The lease as stored now (any candidate's), or undefined. */
  async current(): Promise<LeaseRecord | undefined> {
    const value = await this.kv.get(this.key);
    return isLeaseRecord(value) ? value : undefined;
  }

  /** One acquire-or-renew round; a round already in flight is not doubled. */
  attempt(): Promise<void> {
    this.inflight ??= this.round().catch((error: unknown) => this.options.onError?.(error)).finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  private async round(): Promise<void> {
    const current = await this.kv.getVersioned(this.key);
    if (!this.running) return;
    const now = this.clock.now();
    const record = current !== undefined && isLeaseRecord(current.value) ? current.value : undefined;
    const mine = record !== undefined && record.leaderId === this.options.candidateId;
    if (this.isLeader && mine && record.epoch === this.heldEpoch) {
      const renewed: LeaseRecord = { ...record, address: this.options.address, expiresAt: now + this.leaseMs };
      const written = await this.kv.compareAndSet(this.key, current!.version, renewed);
      // Expired while the write was in flight: that leadership is over; the next round takes a new epoch.
      if (written !== null) { if (this.heldEpoch === renewed.epoch) this.hold(renewed); } else this.revoke('taken');
      return;
    }
    if (this.isLeader) this.revoke('taken');
    // Free: absent, expired, or this very instance's lease from a leadership it already gave up
    // (a renewal that raced expiry). A restarted process with the same id waits like any standby:
    // its predecessor may still be alive behind a partition.
    if (record !== undefined && record.expiresAt > now && !(mine && record.epoch === this.lastEpoch)) return;
    const next: LeaseRecord = {
      leaderId: this.options.candidateId, address: this.options.address, expiresAt: now + this.leaseMs, epoch: (record?.epoch ?? 0) + 1,
    };
    if (await this.kv.compareAndSet(this.key, current?.version ?? null, next) === null || !this.running) return;
    this.hold(next);
    this.options.onGranted?.(next.epoch, next);
  }

  private hold(lease: LeaseRecord): void {
    this.heldEpoch = lease.epoch;
    this.lastEpoch = lease.epoch;
    this.heldUntil = lease.expiresAt;
    this.expiry?.();
    const epoch = lease.epoch;
    // Step down at expiry unless a renewal moved it: by then a standby may hold the lease.
    this.expiry = this.clock.schedule(this.heldUntil - this.clock.now(), () => {
      if (this.heldEpoch === epoch) this.revoke('expired');
    });
  }

  private revoke(why: 'expired' | 'taken' | 'released'): void {
    const epoch = this.heldEpoch;
    if (epoch === 0) return;
    this.heldEpoch = 0;
    this.expiry?.();
    this.expiry = undefined;
    this.options.onRevoked?.(epoch, why);
  }
}

/**
 * The current leader as published in the lease at `key` (for TaskManagers and clients finding
 * the JobManager), or undefined when no unexpired lease exists at `now`.
 */
export async function currentLeader(kv: VersionedKvStore, now: number, key: KvKey = JOBMANAGER_LEASE_KEY): Promise<LeaseRecord | undefined> {
  const value = await kv.get(key);
  return isLeaseRecord(value) && value.expiresAt > now ? value : undefined;
}
