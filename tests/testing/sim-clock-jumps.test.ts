// Clock jumps of the simulation through the public API (actorflow and actorflow/testing): the wall
// clock the runtime reads jumps forward and backward (every process's on the embedded cluster; one
// process's on the networked one) while timers and monotonic time go on. A keyed exactly-once job
// must still commit each count once; each jump is in the trace, and the same seed gives the same
// trace hash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ExactlyOnceCollectSink, RestartStrategies } from 'actorflow';
import { compareMultisets, describeDivergence, expectedRunningCounts, SIM_EPOCH_MS, simulate, type Simulation, type SimulationReport } from 'actorflow/testing';
import { configureLogging } from '../../actors/observability/logger.ts';
import { testSeed } from '../support/random.ts';

configureLogging({ level: 'silent' });
const seed = testSeed('sim-clock-jumps') % 1_000_000;
const RECORDS = 600;
const KEYS = 5;

/** Keyed running counts of 0..RECORDS-1 by n % KEYS through an exactly-once sink; resolves with the client. */
async function submitCounts(sim: Simulation, results: Array<[number, number]>) {
  const env = sim.environment();
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(1000, 100));
  env.fromSource(new DataGeneratorSource((i) => i, RECORDS, { ratePerSecond: 200 }), undefined, 'numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .keyBy(([key]) => key).sum(1)
    .sinkTo(new ExactlyOnceCollectSink(results));
  return env.executeAsync('keyed-counts');
}

const expected = (): Array<[number, number]> => expectedRunningCounts(Array.from({ length: RECORDS }, (_, n) => n % KEYS));

function failures(report: SimulationReport): string {
  return `${report.firstFailure?.name}: ${report.firstFailure?.detail}\nfaults ${JSON.stringify(report.faults)}\nreplay with SEED=${report.seed}`;
}

/** Every clock jumps forward a minute, later back two, while the job runs (embedded cluster). */
async function jumpsEverywhere(sim: Simulation): Promise<void> {
  const results: Array<[number, number]> = [];
  const client = await submitCounts(sim, results);
  await sim.advance(sim.random.int(200, 800));
  sim.jumpClock(60_000);
  sim.check('the wall clock moved, virtual time did not', sim.clock.now() - (SIM_EPOCH_MS + sim.nowMs) === 60_000, `${sim.clock.now() - SIM_EPOCH_MS} at ${sim.nowMs}`);
  await sim.advance(sim.random.int(200, 800));
  sim.jumpClock(-120_000);
  await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 60_000);
  const { ok, detail } = compareMultisets(results, expected());
  sim.check('exactly once', ok, detail);
}

test('every clock jumping forward and back: the job stays exactly-once', async () => {
  const report = await simulate({ seed }, jumpsEverywhere);
  assert.ok(report.ok, failures(report));
  assert.ok(report.trace.some((line) => / fault clock all jumps \+60000ms$/.test(line)), 'the forward jump is traced');
  assert.ok(report.trace.some((line) => / fault clock all jumps -120000ms$/.test(line)), 'the backward jump is traced');
});

test('clock jumps: the same seed gives the same trace hash', async () => {
  const a = await simulate({ seed: seed + 1 }, jumpsEverywhere);
  const b = await simulate({ seed: seed + 1 }, jumpsEverywhere);
  assert.ok(a.ok, failures(a));
  assert.is(a.traceHash, b.traceHash, describeDivergence(a.trace, b.trace));
});

test('one process\'s clock jumping on the networked cluster: the job stays exactly-once, the same seed gives the same trace', async () => {
  const run = (): Promise<SimulationReport> => simulate({ seed: seed + 2, taskManagers: 3, slotsPerTaskManager: 2, jobManagers: 2 }, async (sim) => {
    const results: Array<[number, number]> = [];
    const client = await submitCounts(sim, results);
    await sim.advance(sim.random.int(300, 900));
    const tm = `taskmanager-${sim.random.int(0, 2)}`;
    sim.jumpClock(-30_000, tm);
    sim.jumpClock(45_000, sim.random.pick(['jobmanager-0', 'jobmanager-1']));
    await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 90_000);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  const a = await run();
  assert.ok(a.ok, failures(a));
  assert.ok(a.faults.some((f) => /^clock taskmanager-\d jumps -30000ms$/.test(f.fault)), JSON.stringify(a.faults));
  const b = await run();
  assert.is(a.traceHash, b.traceHash, describeDivergence(a.trace, b.trace));
});

test('clock jump arguments are checked', async () => {
  const report = await simulate({ seed }, (sim) => {
    assert.throws(() => sim.jumpClock(Number.NaN), /finite number of ms/);
    assert.throws(() => sim.jumpClock(1000, 'taskmanager-0'), /share one clock/);
  });
  assert.ok(report.ok, failures(report));
  const networked = await simulate({ seed, jobManagers: 2 }, (sim) => {
    assert.throws(() => sim.jumpClock(1000, 'nobody'), /cannot jump the clock of "nobody"/);
  });
  assert.ok(networked.ok, failures(networked));
});

test.run();
