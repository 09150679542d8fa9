// The persistence of one actor's state in KV. "Acknowledged" is defined here: a message whose
// processing completed and whose resulting state was written. Asks are answered only then (group
// commit: one write for every ask of a turn); tells are written at the latest after
// `snapshotEvery` messages, so at most that many unacknowledged tells can be lost in a crash.
// Imports the system runtime's KV store only.

import type { PersistenceOptions } from './define-actor.ts';
import type { Asker } from './mailbox.ts';
import type { SystemRuntime } from './system-runtime.ts';

/** The KV key of an actor's state. */
export function persistenceKey(key: string): readonly string[] {
  return ['actorflow', 'actor', key];
}

/** Write-behind of one actor's state, with the replies that wait for it. */
export class ActorPersistence {
  private unpersisted = 0;
  private acks: { asker: Asker; value: unknown }[] = [];
  private readonly every: number;

  constructor(readonly options: PersistenceOptions, private readonly runtime: SystemRuntime) {
    this.every = Math.max(1, options.snapshotEvery ?? 1);
  }

  /** How many messages the next turn may process before the state must be written. */
  turnBudget(budget: number): number {
    return Math.max(1, Math.min(budget, this.every - this.unpersisted));
  }

  /** Counts messages processed since the last write. */
  processed(messages: number): void {
    this.unpersisted += messages;
  }

  /** Holds an ask's reply until the state it saw is written. */
  acknowledge(asker: Asker, value: unknown): void {
    this.acks.push({ asker, value });
  }

  /** Whether the state must be written before the next message. */
  get due(): boolean {
    return this.unpersisted > 0 && (this.unpersisted >= this.every || this.acks.length > 0);
  }

  /** The last written state, if any. */
  async restore(): Promise<unknown> {
    const kv = await this.runtime.kvStore();
    this.unpersisted = 0;
    return kv.get(persistenceKey(this.options.key));
  }

  /** Writes `state` if messages were processed since the last write, then releases the replies. */
  async flush(state: unknown): Promise<void> {
    const acks = this.acks;
    this.acks = [];
    if (this.unpersisted > 0) {
      this.unpersisted = 0;
      try {
        const kv = await this.runtime.kvStore();
        await kv.set(persistenceKey(this.options.key), state);
      } catch (error) {
        for (const a of acks) a.asker.reject(error);
        throw error;
      }
    }
    for (const a of acks) a.asker.resolve(a.value);
  }

  /** Rejects every reply still waiting (the actor ended before writing). */
  rejectPending(error: unknown): void {
    for (const a of this.acks.splice(0)) a.asker.reject(error);
  }
}
