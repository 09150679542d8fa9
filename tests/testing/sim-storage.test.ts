// Storage faults of the simulation through the public API (actorflow and actorflow/testing): torn
// writes (values stored damaged while the writer is told they were stored) and a full disk (writes
// fail with ENOSPC until space is freed), each under a keyed exactly-once job. A torn checkpoint
// must be refused by its seals; since the job's sink commits on checkpoint completion, recovery
// never falls back past a damaged completed checkpoint (that would write its committed output
// again): the job fails naming the damaged checkpoint instead, and never finishes with wrong or
// repeated output. Each fault is in the trace, and
// the same seed gives the same trace hash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ExactlyOnceCollectSink, RestartStrategies } from 'actorflow';
import { compareMultisets, describeDivergence, expectedRunningCounts, simulate, type Simulation, type SimulationReport } from 'actorflow/testing';
import { configureLogging } from '../../actors/observability/logger.ts';
import { testSeed } from '../support/random.ts';
import { SimKernel } from '../../testing/sim-kernel.ts';
import { SimRandom } from '../../testing/sim-random.ts';
import { SimStorage, StorageFullError } from '../../testing/sim-storage.ts';
import { Trace } from '../../testing/trace.ts';

configureLogging({ level: 'silent' });
const seed = testSeed('sim-storage') % 1_000_000;
const RECORDS = 600;
const KEYS = 5;

interface JobOptions { readonly retained?: number; readonly tolerableFailures?: number; readonly attempts?: number }

/** Keyed running counts of 0..RECORDS-1 by n % KEYS through an exactly-once sink, checkpointed every 100 virtual ms. */
async function submitCounts(sim: Simulation, results: Array<[number, number]>, options: JobOptions = {}) {
  const env = sim.environment();
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(options.attempts ?? 1000, 100));
  env.getCheckpointConfig().setNumRetainedCheckpoints(options.retained ?? 1).setTolerableCheckpointFailureNumber(options.tolerableFailures ?? 0);
  env.fromSource(new DataGeneratorSource((i) => i, RECORDS, { ratePerSecond: 200 }), undefined, 'numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .keyBy(([key]) => key).sum(1)
    .sinkTo(new ExactlyOnceCollectSink(results));
  const client = await env.executeAsync('keyed-counts');
  return { client, jobMaster: sim.jobMasters()[sim.jobMasters().length - 1] };
}

const expected = (): Array<[number, number]> => expectedRunningCounts(Array.from({ length: RECORDS }, (_, n) => n % KEYS));

function failures(report: SimulationReport): string {
  return `${report.firstFailure?.name}: ${report.firstFailure?.detail}\nfaults ${JSON.stringify(report.faults)}\nreplay with SEED=${report.seed}`;
}

/** What one torn-write run saw: how the job ended, its output, and each restore after a kill. */
interface TornOutcome { status: string; cause?: string; results: Array<[number, number]>; restores: Array<{ newest: number; restored: number | undefined }> }

/**
 * Writes are torn for a while (values cut short or a bit flipped, drawn from the seed), then two
 * TaskManagers die in turn and the job restores. Records how the job ended and what each restore
 * read against the newest checkpoint completed before the kill.
 */
async function tornWrites(sim: Simulation, outcome: TornOutcome): Promise<void> {
  const { client, jobMaster } = await submitCounts(sim, outcome.results, { retained: 3, tolerableFailures: 1000 });
  await sim.advance(sim.random.int(300, 600));
  sim.tearStorageWrites({ probability: 0.15 });
  for (let kill = 0; kill < 2; kill++) {
    await sim.advance(sim.random.int(300, 600));
    if (jobMaster.getStatus() !== 'RUNNING') break;
    const newest = jobMaster.checkpointing.latestCompletedId ?? 0;
    const attempt = jobMaster.attemptNumber;
    sim.kill(`taskmanager-${kill % 2}`, { restartAfterMs: 200 });
    await sim.runUntil(() => (jobMaster.attemptNumber > attempt && jobMaster.getStatus() === 'RUNNING') || ['FINISHED', 'FAILED'].includes(jobMaster.getStatus()), { maxVirtualMs: 10_000 });
    if (jobMaster.getStatus() === 'RUNNING') outcome.restores.push({ newest, restored: jobMaster.checkpointing.restoredCheckpointId });
  }
  sim.tearStorageWrites({ probability: 0 });
  await sim.eventually('the job ends', () => ['FINISHED', 'FAILED'].includes(jobMaster.getStatus()), 60_000);
  outcome.status = jobMaster.getStatus();
  if (outcome.status === 'FAILED') outcome.cause = await client.getJobExecutionResult().then(() => 'no error', (e: Error) => e.message);
}

/** Items of `expected` that `actual` holds fewer times (lost or altered output), as text. */
function missing(actual: ReadonlyArray<[number, number]>, expected: ReadonlyArray<[number, number]>): string[] {
  const counts = new Map<string, number>();
  for (const item of actual) counts.set(String(item), (counts.get(String(item)) ?? 0) + 1);
  const out: string[] = [];
  for (const item of expected) {
    const n = counts.get(String(item)) ?? 0;
    if (n === 0) out.push(String(item)); else counts.set(String(item), n - 1);
  }
  return out;
}

test('torn checkpoint writes: no damaged state is restored, no recovery falls back past a committed checkpoint, output is exactly-once', async () => {
  const seen: string[] = [];
  for (let s = seed; s < seed + 6; s++) {
    const outcome: TornOutcome = { status: '', results: [], restores: [] };
    const report = await simulate({ seed: s }, (sim) => tornWrites(sim, outcome));
    assert.ok(report.ok, failures(report));
    assert.ok(report.trace.some((line) => / fault storage torn cp/.test(line)), `seed ${s}: some checkpoint value was torn`);
    const fellBack = outcome.restores.filter((r) => r.newest > 0 && (r.restored === undefined || r.restored < r.newest));
    // Falling back past a completed checkpoint would replay output its completion committed.
    assert.equal(fellBack, [], `seed ${s}: recovery fell back past a committed checkpoint`);
    // Whatever the sink committed is never repeated (a running count appears at most once).
    const repeated = outcome.results.filter((item, i) => outcome.results.findIndex((other) => String(other) === String(item)) !== i);
    assert.equal(repeated, [], `seed ${s}: output committed twice`);
    if (outcome.status === 'FAILED') {
      // The newest checkpoint was damaged (no fallback under a committing sink), or every one was.
      assert.match(outcome.cause ?? '', /checkpoint \d+.*(damaged|corrupt)/, `seed ${s}`);
      seen.push(`seed ${s}: failed naming a damaged checkpoint`);
      continue;
    }
    assert.is(outcome.status, 'FINISHED', `seed ${s}`);
    // Seals refuse damaged state: nothing the job should have written is lost or altered.
    assert.equal(missing(outcome.results, expected()), [], `seed ${s}: output lost or altered`);
    const { ok, detail } = compareMultisets(outcome.results, expected());
    assert.ok(ok, `seed ${s}: ${detail}`);
    seen.push(`seed ${s}: exactly once`);
  }
  console.log(`torn writes: ${seen.join('; ')}`);
});

test('torn writes: the same seed gives the same trace hash', async () => {
  const run = (): Promise<SimulationReport> => simulate({ seed: seed + 100 }, (sim) => tornWrites(sim, { status: '', results: [], restores: [] }));
  const a = await run();
  const b = await run();
  assert.ok(a.ok, failures(a));
  assert.ok(a.faults.some((f) => f.fault.startsWith('storage writes torn p=0.15')), JSON.stringify(a.faults));
  assert.is(a.traceHash, b.traceHash, describeDivergence(a.trace, b.trace));
});

test('a torn value is refused by its seal: a flipped bit in every write leaves no checkpoint to complete', async () => {
  const results: Array<[number, number]> = [];
  const report = await simulate({ seed: seed + 200 }, async (sim) => {
    const { client, jobMaster } = await submitCounts(sim, results, { attempts: 2 });
    await sim.advance(500);
    const before = jobMaster.checkpointing.latestCompletedId;
    sim.check('checkpoints completed before the fault', before !== undefined);
    sim.tearStorageWrites({ probability: 1, damage: 'flip' });
    await sim.eventually('the job fails', () => jobMaster.getStatus() === 'FAILED', 30_000);
    sim.check('no checkpoint completed while every write was damaged', jobMaster.checkpointing.latestCompletedId === before, `${before} -> ${jobMaster.checkpointing.latestCompletedId}`);
    const cause = await client.getJobExecutionResult().then(() => 'no error', (e: Error) => e.message);
    sim.check('the failure names the damaged checkpoint state', /checkpoint \d+/.test(cause) && /damaged/.test(cause), cause);
  });
  assert.ok(report.ok, failures(report));
  assert.ok(report.trace.some((line) => / fault storage torn .*bit \d+ of \d+ bytes flipped/.test(line)));
});

test('a full disk: checkpoints fail with ENOSPC until space is freed, and the job stays exactly-once', async () => {
  const run = (): Promise<SimulationReport> => simulate({ seed: seed + 300 }, async (sim) => {
    const results: Array<[number, number]> = [];
    const { jobMaster } = await submitCounts(sim, results);
    await sim.advance(sim.random.int(300, 700));
    sim.fillStorage({ freeBytes: sim.random.int(0, 200) });
    const attempt = jobMaster.attemptNumber;
    await sim.advance(sim.random.int(500, 1500));
    sim.check('checkpoints failed while the disk was full', sim.storage.fullDiskWrites > 0, 'no write was refused');
    sim.check('the job failed over (no tolerated checkpoint failure)', jobMaster.attemptNumber > attempt, `attempt ${jobMaster.attemptNumber}`);
    sim.freeStorage();
    await sim.eventually('the job finishes', () => jobMaster.getStatus() === 'FINISHED', 60_000);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  const a = await run();
  assert.ok(a.ok, failures(a));
  assert.ok(a.trace.some((line) => / fault storage .* refused: disk full \(needs \d+ bytes, \d+ free\)/.test(line)), 'the refused writes are traced');
  assert.ok(a.faults.some((f) => f.fault.startsWith('storage full free=')) && a.faults.some((f) => f.fault === 'storage space freed'), JSON.stringify(a.faults));
  const b = await run();
  assert.is(a.traceHash, b.traceHash, describeDivergence(a.trace, b.trace));
});

test('storage fault options are checked', async () => {
  const report = await simulate({ seed }, (sim) => {
    assert.throws(() => sim.tearStorageWrites({ probability: 2 }), /between 0 and 1/);
    assert.throws(() => sim.tearStorageWrites({ probability: 0.5, damage: 'shred' as 'flip' }), /'truncate' or 'flip'/);
    assert.throws(() => sim.fillStorage({ freeBytes: -1 }), /whole number >= 0/);
  });
  assert.ok(report.ok, failures(report));
});

test('a full disk charges the values stored before it filled: replacing one by as many bytes needs none, deleting one frees its bytes', async () => {
  const kernel = new SimKernel(new SimRandom(seed), new Trace(false));
  const storage = new SimStorage(kernel, new SimRandom(seed + 1));
  const refused = async (write: Promise<void>, needs: number, free: number): Promise<void> => {
    try {
      await write;
      assert.unreachable('the write was stored on a full disk');
    } catch (error) {
      assert.instance(error, StorageFullError);
      assert.match((error as Error).message, `needs ${needs} more bytes, ${free} free`);
    }
  };
  await kernel.drive((async () => {
    await storage.set(['a'], new Uint8Array(100));
    await storage.atomic([{ type: 'set', key: ['b'], value: new Uint8Array(50) }, { type: 'set', key: ['c'], value: { n: 1 } }]);
    storage.fill(0);
    await storage.set(['a'], new Uint8Array(100));
    await refused(storage.set(['b'], new Uint8Array(51)), 1, 0);
    await storage.delete(['a']);
    await storage.set(['b'], new Uint8Array(150));
    await refused(storage.set(['d'], new Uint8Array(1)), 1, 0);
    storage.free();
    await storage.set(['d'], new Uint8Array(1000));
    storage.fill(5);
    await storage.delete(['d']);
    await storage.set(['e'], new Uint8Array(1005));
    await refused(storage.atomic([{ type: 'set', key: ['e'], value: new Uint8Array(1000) }, { type: 'set', key: ['f'], value: new Uint8Array(6) }]), 1, 0);
  })());
  assert.is(storage.fullDiskWrites, 3);
});

test.run();
