// Unaligned checkpoints end to end: seeded random keyed data through a slow keyed operator at
// parallelism 2 (so its input channels are full and barriers overtake in-flight data), a failure
// injected once a completed checkpoint holds channel state, and exactly-once output compared with
// a plain-loop expectation. The job's ManualClock moves 10 ms per event-loop turn, so checkpoints
// fall due (every 30 ms) by the job's progress, never by wall time.
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
/** On the job's clock the source needs 40 turns at least, however fast the machine: checkpoints happen. */
const ratePerSecond = 40_000;

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

interface Watch { armedAt?: number; restored?: number; restoredInFlight?: number; checkpointsWithChannelState: number }

/**
 * Runs the event loop, moving `clock` 10 ms per turn, until `result` settles; between turns reads
 * the job's completed checkpoints and arms the failure once one of them holds channel state.
 */
async function drive<T>(clock: ManualClock, result: Promise<T>, previous: JobMaster | undefined, watch: Watch): Promise<T> {
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  const inFlightOf = new Map<number, number>();
  while (!settled) {
    clock.advance(10);
    await new Promise<void>((r) => setTimeout(r, 0));
    const jm = embeddedExecutor.lastJobMaster;
    if (jm === undefined || jm === previous) continue;
    const ck = jm.checkpointing;
    const storage = ck.checkpointStorage;
    if (storage === undefined) continue;
    try {
      for (const id of await storage.list()) {
        if (inFlightOf.has(id)) continue;
        const inFlight = inFlightRecords(await storage.readCheckpoint(id));
        inFlightOf.set(id, inFlight);
        if (inFlight > 0) watch.checkpointsWithChannelState++;
        if (inFlight > 0 && watch.armedAt === undefined) watch.armedAt = id;
      }
    } catch (error) {
      // the job ended meanwhile and closed its storage
      if (process.env.DEBUG_UNALIGNED) console.log('read failed', error);
    }
  }
  await done.catch(() => {});
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
    const watch: Watch = { checkpointsWithChannelState: 0 };
    const shared = { failures: 0, checksum: 0 };
    const previous = embeddedExecutor.lastJobMaster;
    const stream = env.fromSource(new DataGeneratorSource((i) => [keyOf(i), 1] as [number, number], records, { ratePerSecond }), undefined, 'keys')
      .keyBy((t) => t[0])
      .reduce((a, b): [number, number] => [a[0], a[1] + b[1]])
      .map((c: [number, number]) => {
        shared.checksum += spin(40_000);
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
    assert.is(shared.failures, 1, 'the failure happened');
    assert.is(jm.failover.attemptNumber, 1, 'restarted once');
    assert.ok((watch.restored ?? 0) >= watch.armedAt!, 'restored from a completed checkpoint at or after the one with channel state');
    assert.ok((watch.restoredInFlight ?? 0) > 0, 'the restored checkpoint held in-flight records (channel state was re-injected)');
    assert.equal(collected, expectedEmissions());
  });
}

test.run();
