// EpochFence: a TaskManager's memory of the newest JobManager leadership it has seen (Flink's
// fencing tokens). Epochs come from the answer of the JobManager it registered with, from the
// leader lease in the HA store, and from the commands themselves. A command carrying an older
// epoch comes from a deposed JobManager that still runs (paused, partitioned, not yet aware it
// lost the lease): it is refused, with a message saying so, and never executed. Seeing a newer
// epoch tells the owner, which stops what the older leadership deployed. Without high
// availability every epoch is 0 and everything passes. Imports nothing.

/** What an EpochFence tells its owner. */
export interface EpochFenceListener {
  /** A newer leadership is known: what older ones deployed must stop. */
  onNewerEpoch(epoch: number, previous: number): void;
  /** A command was refused (the message names it, its epoch and the epoch followed now). */
  onRefused(message: string): void;
}

/** The newest JobManager epoch a TaskManager has seen, and the check of every command against it. */
export class EpochFence {
  private highestEpoch = 0;

  constructor(private readonly listener: EpochFenceListener) {}

  /** The newest epoch seen (0: none, or no high availability). */
  get highest(): number { return this.highestEpoch; }

  /** Notes an epoch seen; true (and the listener told) when it is newer than every one before. */
  observe(epoch: number): boolean {
    if (!(epoch > this.highestEpoch)) return false;
    const previous = this.highestEpoch;
    this.highestEpoch = epoch;
    this.listener.onNewerEpoch(epoch, previous);
    return true;
  }

  /**
   * Whether a command of `epoch` (absent: 0) may run: not when a newer epoch was seen. A command
   * of a newer epoch is observed first. `what` names the command in the refusal.
   */
  admit(what: string, epoch: number | undefined): boolean {
    const e = epoch ?? 0;
    if (e >= this.highestEpoch) {
      this.observe(e);
      return true;
    }
    this.listener.onRefused(`refused ${what} from a deposed JobManager (epoch ${e}): the JobManager of epoch ${this.highestEpoch} leads now`);
    return false;
  }
}
