// The filesystem table sink's partition committer (Flink's PartitionCommitter, one subtask): it
// collects the writers' commit infos, and when a checkpoint completes it makes that checkpoint's
// part files visible (idempotently, as the writers do) and hands their partitions to the trigger;
// the partitions the trigger lets go are committed by the policy, which writes the success file.
// Triggers: 'process-time' (the committer first heard of the partition at least 'delay' ago) and
// 'partition-time' (the watermark at that checkpoint is past the time extracted from the
// partition's values plus 'delay'). At the end of a bounded input every pending partition is
// committed (after the final checkpoint when the job takes checkpoints). Pending partitions, the
// infos of the checkpoint in flight and the watermarks live in operator state, so a restore
// commits exactly what its checkpoint made visible. Imports api/ only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AbstractStreamOperator } from '../../operators/abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorStateSnapshot, StateInitializationContext } from '../../operators/stream-operator.ts';
import { javaPatternRegex, type PartitionCommitOptions } from './filesystem-options.ts';
import { DEFAULT_PARTITION_NAME, unescapePathName } from './filesystem-partitions.ts';
import { commitPartFiles, type PartitionCommitInfo } from './filesystem-writer.ts';

/** The values of a partition path `k1=v1/k2=v2`, by key (a default partition's value is null). */
export function partitionValues(path: string, defaultName = DEFAULT_PARTITION_NAME): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (const segment of path.split('/')) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const v = unescapePathName(segment.slice(eq + 1));
    values.set(unescapePathName(segment.slice(0, eq)), v === defaultName ? null : v);
  }
  return values;
}

/** The UTC offset (ms) of `zone` at the instant `utcMs`. */
function zoneOffset(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const n = (t: string): number => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(utcMs / 1000) * 1000;
}

/** The instant of a local date-time in `zone` (the earlier one when a clock change repeats it). */
function localToInstant(local: number, zone: string): number {
  const first = local - zoneOffset(zone, local);
  return local - zoneOffset(zone, first);
}

const LENIENT = /^(?<year>\d{4})-(?<month>\d{1,2})-(?<day>\d{1,2})(?:[ T](?<hour>\d{1,2}):(?<minute>\d{1,2})(?::(?<second>\d{1,2})(?:\.\d{1,9})?)?)?$/;

/** Extracts a partition's time (Flink's DefaultPartTimeExtractor) as an instant in epoch ms. */
export function partitionTimeExtractor(options: PartitionCommitOptions, keys: readonly string[]): (partition: string) => number {
  const format = options.timestampFormatter !== undefined ? javaPatternRegex(options.timestampFormatter) : LENIENT;
  return (partition) => {
    const values = partitionValues(partition, options.defaultPartitionName);
    const valueOf = (k: string): string => {
      const v = values.get(k);
      if (v === undefined || v === null) throw new Error(`partition ${partition} has no value for '${k}' to extract its time from ('partition.time-extractor.timestamp-pattern')`);
      return v;
    };
    const text = options.timestampPattern === undefined
      ? valueOf(keys[0])
      : options.timestampPattern.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => valueOf((a ?? b)!));
    const m = format.exec(text);
    if (!m?.groups) {
      throw new Error(`partition ${partition}: '${text}' does not match the timestamp format '${options.timestampFormatter ?? 'yyyy-MM-dd[ HH:mm[:ss]]'}' ('partition.time-extractor.timestamp-formatter')`);
    }
    const g = (k: string): number => Number(m.groups![k] ?? 0);
    const local = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second'));
    return localToInstant(local, options.watermarkTimeZone);
  };
}

/** What the committer keeps in a checkpoint. */
interface CommitterState {
  readonly infos: PartitionCommitInfo[];
  /** The processing time the committer first heard of each partition not committed since. */
  readonly firstSeen: Array<[string, number]>;
  /** Partitions whose files are visible, waiting for the trigger. */
  readonly pending: string[];
  readonly watermarks: Array<[number, number]>;
}

/** Commits partitions: one subtask after the writers. */
export class PartitionCommitterOperator extends AbstractStreamOperator<never> implements OneInputStreamOperator<PartitionCommitInfo, never> {
  /** Infos of checkpoints not completed yet (their files are still hidden). */
  private infos: PartitionCommitInfo[] = [];
  private readonly firstSeen = new Map<string, number>();
  private readonly pending = new Set<string>();
  /** The watermark at each checkpoint not yet completed (the partition-time trigger's clock). */
  private readonly watermarks = new Map<number, number>();
  private ended = false;
  private readonly timeOf: (partition: string) => number;

  constructor(private readonly directory: string, private readonly options: PartitionCommitOptions, partitionKeys: readonly string[]) {
    super();
    this.timeOf = partitionTimeExtractor(options, partitionKeys);
  }

  initializeState(state: StateInitializationContext): void {
    for (const s of state.list as CommitterState[]) {
      for (const [p, t] of s.firstSeen) if (!this.firstSeen.has(p)) this.firstSeen.set(p, t);
      for (const p of s.pending) this.pending.add(p);
      // Infos in the snapshot came before its barrier: the checkpoint restored from covers them.
      for (const info of s.infos) this.accept(info);
      for (const [c, w] of s.watermarks) this.watermarks.set(c, w);
    }
  }

  processElement(info: PartitionCommitInfo): void {
    this.infos.push(info);
    // Flink's process-time trigger starts a partition's delay when the committer first hears of it.
    for (const p of info.partitions) if (!this.firstSeen.has(p)) this.firstSeen.set(p, this.context.clock.now());
  }

  override processWatermark(timestamp: number): void { this.currentWatermark = timestamp; }

  snapshotState(checkpointId: number): OperatorStateSnapshot {
    this.watermarks.set(checkpointId, this.currentWatermark);
    const state: CommitterState = { infos: this.infos, firstSeen: [...this.firstSeen], pending: [...this.pending], watermarks: [...this.watermarks] };
    return { list: [state] };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const done = this.infos.filter((i) => i.checkpointId <= checkpointId);
    this.infos = this.infos.filter((i) => i.checkpointId > checkpointId);
    for (const info of done) this.accept(info);
    let watermark = -Infinity;
    for (const [c, w] of this.watermarks) {
      if (c > checkpointId) continue;
      if (c === checkpointId) watermark = w;
      this.watermarks.delete(c);
    }
    // After the end of input the final checkpoint holds the last files: every partition commits.
    if (this.ended && this.infos.length === 0) this.commit([...this.pending]);
    else this.commit(this.committable(watermark));
  }

  endInput(): void {
    this.ended = true;
    // Without checkpoints the writers committed their last files at their end of input.
    if (!this.context.checkpointingEnabled) {
      for (const info of this.infos) this.accept(info);
      this.infos = [];
      this.commit([...this.pending]);
    }
  }

  /** The info's files become visible (idempotently: its writer renames them too); its partitions wait for the trigger. */
  private accept(info: PartitionCommitInfo): void {
    commitPartFiles(this.directory, info.files);
    for (const p of info.partitions) {
      this.pending.add(p);
      if (!this.firstSeen.has(p)) this.firstSeen.set(p, this.context.clock.now());
    }
  }

  private committable(watermark: number): string[] {
    const now = this.context.clock.now();
    return [...this.pending].filter((p) => (this.options.trigger === 'process-time'
      ? this.firstSeen.get(p)! + this.options.delayMs <= now
      : watermark > this.timeOf(p) + this.options.delayMs));
  }

  /** Flink's SuccessFileCommitPolicy: an empty success file in each committed partition. */
  private commit(partitions: readonly string[]): void {
    for (const p of partitions) {
      writeFileSync(join(this.directory, p, this.options.successFileName), '');
      this.pending.delete(p);
      this.firstSeen.delete(p);
    }
  }
}
