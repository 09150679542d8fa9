// Unaligned checkpoints end to end: seeded random keyed data through a slow keyed operator at
// parallelism 2 (so its input channels are full and barriers overtake in-flight data), a failure
// injected once a completed checkpoint holds channel state, and exactly-once output compared with
// a plain-loop expectation. The job's ManualClock moves 10 ms per event-loop turn, so checkpoints
// fall due (every 30 ms) by the job's progress, never by wall time. The source offers several
// times what the keyed operator can take in a turn, so its input channels stay full until the
// source ends and every checkpoint before that holds channel state. The clock waits for the test's
// reads of the checkpoint storage until the failure is armed, and never after.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';
import { RestartStrategies } from '../../../api/environment/restart-strategies.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import type { JobMaster } from '../../../actors/runtime/job-master.ts';
import type { CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { channelStateRecords } from '../../../state/snapshot/channel-state.ts';
import { testSeed } from '../../support/random.ts';

const seed = testSeed('unaligned-checkpoints');
const records = 16_000, keys = 13;
/**
 * 1,600 records per turn (10 ms), several times what the keyed operator's chain processes in the
 * CPU time a turn gives the job (`spinRounds` per record), while on the job's clock the source
 * still needs 10 turns at least however fast the machine: checkpoints happen while data is in flight.
 */
const ratePerSecond = 160_000;
/** CPU per record in the keyed operator's chain (tens of microseconds). */
const spinRounds = 40_000;

/** The key of record `i`: a seeded hash, the same in the job and in the expectation. */
function keyOf(i: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) % keys;
}

/** Every running count the job emits, each exactly once (plain loop). */
function expectedEmissions(): string[] {
  const n = new Map<number, number>();
  for (let i = 0; i < records; i++) n.set(keyOf(i), (n.get(keyOf(i)) ?? 0) + 1);
  const out: string[] = [];
  for (const [k, count] of n) for (let c = 1; c <= count; c++) out.push(`${k}:${c}`);
  return out.sort();
}

/** The elements of `a` not matched one for one in `b` (multisets), at most 40. */
function difference(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else if (out.length < 40) out.push(x);
  }
  return out;
}

/** Burns CPU per record (no sleeping): makes the keyed operator the bottleneck. */
function spin(rounds: number): number {
  let x = 0;
  for (let j = 0; j < rounds; j++) x = (Math.imul(x, 31) + j) | 0;
  return x;
}

/** Records of channel state in a checkpoint, over all operators and subtasks. */
function inFlightRecords(snapshot: CheckpointSnapshot): number {
  let n = 0;
  for (const operator of Object.values(snapshot.operators)) for (const s of Object.values(operator.subtasks)) n += channelStateRecords(s.channelState);
  return n;
}

/**
 * Checks the Chandy-Lamport cut of a checkpoint: every record the source emitted before its barrier
 * is either counted in the keyed state or held as channel state, exactly once. Returns what is
 * wrong, or undefined.
 */
function inconsistency(snapshot: CheckpointSnapshot): string | undefined {
  type Split = { next: number; end: number };
  const left = (splits: unknown): number => ((splits ?? []) as Split[]).reduce((n, s) => n + s.end - s.next + 1, 0);
  let notEmitted = 0, counted = 0;
  for (const enumerator of Object.values((snapshot.properties.enumerators ?? {}) as Record<string, unknown>)) notEmitted += left(enumerator);
  for (const operator of Object.values(snapshot.operators)) {
    for (const s of Object.values(operator.subtasks)) notEmitted += left(s.operatorState?.splits);
    for (const group of Object.values(operator.keyGroups)) {
      for (const rows of Object.values(group.states)) for (const [, , value] of rows) counted += (value as [number, number])[1];
    }
  }
  const emitted = records - notEmitted, inFlight = inFlightRecords(snapshot);
  if (counted + inFlight === emitted) return undefined;
  return `checkpoint ${snapshot.checkpointId}: ${counted} records counted + ${inFlight} in flight, but the source emitted ${emitted} before its barrier`;
}

interface Watch { armedAt?: number; restored?: number; restoredInFlight?: number; checkpointsWithChannelState: number; inconsistent: string[] }

/** Reads the checkpoints `jm` completed since the last call, arming the failure at the first with channel state. */
async function readNewCheckpoints(jm: JobMaster, inFlightOf: Map<number, number>, watch: Watch): Promise<void> {
  const storage = jm.checkpointing.checkpointStorage;
  if (storage === undefined) return;
  try {
    for (const id of await storage.list()) {
      if (inFlightOf.has(id)) continue;
      const snapshot = await storage.readCheckpoint(id);
      const inFlight = inFlightRecords(snapshot);
      inFlightOf.set(id, inFlight);
      const wrong = inconsistency(snapshot);
      if (wrong !== undefined) watch.inconsistent.push(wrong);
      if (inFlight > 0) watch.checkpointsWithChannelState++;
      if (inFlight > 0 && watch.armedAt === undefined) watch.armedAt = id;
    }
  } catch (error) {
    // the job ended meanwhile and closed its storage
    if (process.env.DEBUG_UNALIGNED) console.log('read failed', error);
  }
}

/**
 * Runs the event loop, moving `clock` 10 ms per turn, until `result` settles; meanwhile reads the
 * job's completed checkpoints (one read at a time) and arms the failure once one of them holds
 * channel state. Until then the clock waits for each read: a slow storage read (kv on Deno waits
 * behind the job's checkpoint writes) would otherwise let the job run to its end first.
 */
async function drive<T>(clock: ManualClock, result: Promise<T>, previous: JobMaster | undefined, watch: Watch): Promise<T> {
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  const inFlightOf = new Map<number, number>();
  let reading: Promise<void> | undefined;
  while (!settled) {
    clock.advance(10);
    await new Promise<void>((r) => setTimeout(r, 0));
    const jm = embeddedExecutor.lastJobMaster;
    if (jm === undefined || jm === previous || reading !== undefined) continue;
    reading = readNewCheckpoints(jm, inFlightOf, watch).finally(() => { reading = undefined; });
    if (watch.armedAt === undefined) await reading;
  }
  await done.catch(() => {});
  await reading;
  watch.restored = embeddedExecutor.lastJobMaster?.checkpointing.restoredCheckpointId;
  if (watch.restored !== undefined) watch.restoredInFlight = inFlightOf.get(watch.restored);
  return done;
}

for (const backend of ['memory', 'kv'] as const) {
  test(`unaligned checkpoints: exactly-once keyed counts across a failure, channel state restored (${backend})`, async () => {
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 32, channelCredits: 4 });
    env.setParallelism(2).enableCheckpointing(30);
    env.getCheckpointConfig().enableUnalignedCheckpoints().setNumRetainedCheckpoints(1000);
    env.setStateBackend(backend).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
    const watch: Watch = { checkpointsWithChannelState: 0, inconsistent: [] };
    const shared = { failures: 0, checksum: 0 };
    const previous = embeddedExecutor.lastJobMaster;
    const stream = env.fromSource(new DataGeneratorSource((i) => [keyOf(i), 1] as [number, number], records, { ratePerSecond }), undefined, 'keys')
      .keyBy((t) => t[0])
      .reduce((a, b): [number, number] => [a[0], a[1] + b[1]])
      .map((c: [number, number]) => {
        shared.checksum += spin(spinRounds);
        if (watch.armedAt !== undefined && shared.failures === 0) {
          shared.failures++;
          throw new Error('injected failure after an unaligned checkpoint with channel state');
        }
        return `${c[0]}:${c[1]}`;
      });
    const collected = (await drive(clock, stream.executeAndCollect(`unaligned-${backend}`), previous, watch)).sort();
    const jm = embeddedExecutor.lastJobMaster!;
    console.log(`  ${backend}: armed at checkpoint ${watch.armedAt}, restored ${watch.restored} with ${watch.restoredInFlight} in-flight records; ` +
      `${watch.checkpointsWithChannelState} checkpoints held channel state`);
    assert.equal(watch.inconsistent, [], 'every checkpoint holds each record the source emitted before its barrier once (state or channel state)');
    assert.is(shared.failures, 1, 'the failure happened');
    assert.is(jm.failover.attemptNumber, 1, 'restarted once');
    assert.ok((watch.restored ?? 0) >= watch.armedAt!, 'restored from a completed checkpoint at or after the one with channel state');
    assert.ok((watch.restoredInFlight ?? 0) > 0, 'the restored checkpoint held in-flight records (channel state was re-injected)');
    const expected = expectedEmissions();
    assert.equal({ missing: difference(expected, collected), extra: difference(collected, expected) }, { missing: [], extra: [] }, 'every running count exactly once');
    assert.equal(collected, expected);
  });
}

test.run();
