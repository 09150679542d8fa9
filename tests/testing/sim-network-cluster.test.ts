// A user's job on the networked simulated cluster through the public API (actorflow and
// actorflow/testing): simulate() with two JobManager candidates runs the job an environment built
// on the real leader, standby and TaskManagers over the simulated network, while the scenario
// kills the leader, partitions a TaskManager away, and drops and delays messages. Each run's
// exactly-once output is checked against a plain loop (and a sink that is not transactional is
// caught duplicating); the same seed gives the same trace; the embedded cluster refuses network
// faults with a clear error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CollectSink, DataGeneratorSource, ExactlyOnceCollectSink, RestartStrategies, type Sink } from 'actorflow';
import { compareMultisets, describeDivergence, expectedRunningCounts, simulate, type Simulation, type SimulationReport } from 'actorflow/testing';
import { configureLogging } from '../../actors/observability/logger.ts';
import { testSeed } from '../support/random.ts';

configureLogging({ level: 'silent' });
const seed = testSeed('sim-network-cluster') % 1_000_000;
const RECORDS = 600;
const KEYS = 5;
const OPTIONS = { taskManagers: 3, slotsPerTaskManager: 2, jobManagers: 2 } as const;

/** Keyed running counts of 0..RECORDS-1 by n % KEYS into `sink`; resolves with the client once submitted. */
async function submitCounts(sim: Simulation, sink: Sink<[number, number]> | ExactlyOnceCollectSink<[number, number]>, checkpointMs = 100) {
  const env = sim.environment();
  env.setParallelism(2).enableCheckpointing(checkpointMs).setRestartStrategy(RestartStrategies.fixedDelay(1000, 100));
  env.fromSource(new DataGeneratorSource((i) => i, RECORDS, { ratePerSecond: 200 }), undefined, 'numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .keyBy(([key]) => key).sum(1)
    .sinkTo(sink as Sink<[number, number]>);
  return env.executeAsync('keyed-counts');
}

const expected = (): Array<[number, number]> => expectedRunningCounts(Array.from({ length: RECORDS }, (_, n) => n % KEYS));

/** The user's scenario: the leader killed mid-job and restarted, then a TaskManager cut off and healed. */
async function leaderKillAndPartition(sim: Simulation, results: Array<[number, number]>): Promise<void> {
  const sink = new ExactlyOnceCollectSink(results);
  const client = await submitCounts(sim, sink);
  await sim.advance(sim.random.int(300, 900));
  const leader = await sim.leader();
  sim.check('a JobManager leads', leader !== undefined);
  sim.kill(leader!, { restartAfterMs: 2000 });
  await sim.runUntil(() => sim.jobStatus(client.jobId) === 'RUNNING' && sim.isAlive(leader!), { maxVirtualMs: 20_000 });
  const standby = await sim.leader();
  sim.check('the standby took over', standby !== undefined && standby !== leader, `leader ${standby}`);
  const cut = `taskmanager-${sim.random.int(0, 2)}`;
  sim.partition([cut], ['jobmanager-0', 'jobmanager-1', ...['taskmanager-0', 'taskmanager-1', 'taskmanager-2'].filter((n) => n !== cut)]);
  sim.at(sim.nowMs + sim.random.int(500, 3000), () => sim.heal());
  await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 90_000);
  await client.getJobExecutionResult();
  sim.check('its client reads FINISHED', (await client.getJobStatus()) === 'FINISHED');
}

function failures(report: SimulationReport): string {
  return `${report.firstFailure?.name}: ${report.firstFailure?.detail}\nfaults ${JSON.stringify(report.faults)}\nreplay with SEED=${report.seed}`;
}

test('a keyed exactly-once job survives a leader kill and a partition, and its counts equal a plain loop\'s', async () => {
  const results: Array<[number, number]> = [];
  const report = await simulate({ seed, ...OPTIONS }, async (sim) => {
    await leaderKillAndPartition(sim, results);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  assert.ok(report.ok, failures(report));
  assert.ok(report.faults.some((f) => /^kill jobmanager-\d$/.test(f.fault)), JSON.stringify(report.faults));
  assert.ok(report.faults.some((f) => f.fault.startsWith('partition taskmanager-')), JSON.stringify(report.faults));
  assert.ok(report.trace.some((line) => / net connect c\d+ taskmanager-\d->jobmanager-\d/.test(line)), 'the TaskManagers talk to the JobManagers over the simulated network');
});

test('the same seed gives the same trace on the networked cluster', async () => {
  const run = (): Promise<SimulationReport> => simulate({ seed: seed + 1, ...OPTIONS }, async (sim) => {
    const results: Array<[number, number]> = [];
    await leaderKillAndPartition(sim, results);
  });
  const a = await run();
  const b = await run();
  assert.ok(a.ok, failures(a));
  assert.ok(a.trace.length > 1000);
  assert.is(a.traceHash, b.traceHash, describeDivergence(a.trace, b.trace));
});

test('the job stays exactly-once while messages are dropped and delayed', async () => {
  const results: Array<[number, number]> = [];
  const report = await simulate({ seed: seed + 2, ...OPTIONS }, async (sim) => {
    const client = await submitCounts(sim, new ExactlyOnceCollectSink(results));
    await sim.advance(500);
    sim.delayMessages({ probability: 0.3, maxMs: 40 });
    sim.dropMessages({ probability: 0.02 });
    await sim.advance(1500);
    sim.dropMessages({ probability: 0 });
    sim.delayMessages({ maxMs: 0 });
    await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 90_000);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  assert.ok(report.ok, failures(report));
  assert.ok(report.trace.some((line) => / net lost c\d+ /.test(line)), 'some message was lost');
});

test('a TaskManager paused for 15 s, past its heartbeat timeout (a long GC): the job still finishes exactly-once', async () => {
  const results: Array<[number, number]> = [];
  const report = await simulate({ seed: seed + 4, ...OPTIONS }, async (sim) => {
    const client = await submitCounts(sim, new ExactlyOnceCollectSink(results));
    await sim.advance(sim.random.int(400, 1200));
    const paused = `taskmanager-${sim.random.int(0, 2)}`;
    sim.pause(paused, 15_000);
    await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 120_000);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  assert.ok(report.ok, failures(report));
  assert.ok(report.faults.some((f) => /^pause taskmanager-\d 15000ms$/.test(f.fault)), JSON.stringify(report.faults));
  await simulate({ seed }, async (sim) => {
    assert.throws(() => sim.pause('taskmanager-0', 1000), /networked cluster|jobManagers > 1/);
  });
});

test('a sink that is not transactional is caught writing duplicates when the job fails over', async () => {
  const results: Array<[number, number]> = [];
  const report = await simulate({ seed: seed + 3, ...OPTIONS }, async (sim) => {
    // Checkpoints far apart: none completes before the kill, so the restarted job replays every
    // record the sink already wrote (with frequent checkpoints a kill right after one that
    // covered all output so far would replay nothing, and a seed would find no duplicate).
    const client = await submitCounts(sim, new CollectSink(results), 60_000);
    await sim.advance(sim.random.int(500, 1500));
    // Every TaskManager dies: the job restarts from the beginning and replays what the sink wrote.
    for (const name of ['taskmanager-0', 'taskmanager-1', 'taskmanager-2']) sim.kill(name, { restartAfterMs: 500 });
    await sim.eventually('the job finishes', () => sim.jobStatus(client.jobId) === 'FINISHED', 90_000);
    const { ok, detail } = compareMultisets(results, expected());
    sim.check('exactly once', ok, detail);
  });
  assert.is(report.firstFailure?.name, 'exactly once', JSON.stringify(report.checks));
  assert.match(report.firstFailure?.detail ?? '', /duplicated/);
});

test('the embedded cluster refuses network faults, and kills name real processes', async () => {
  const report = await simulate({ seed }, async (sim) => {
    assert.throws(() => sim.partition(['taskmanager-0'], ['taskmanager-1']), /jobManagers > 1 or network: true/);
    assert.throws(() => sim.dropMessages({ probability: 0.1 }), /networked cluster/);
    assert.throws(() => sim.kill('jobmanager-0'), /failover runs with jobManagers > 1/);
  });
  assert.ok(report.ok, failures(report));
  const networked = await simulate({ seed, ...OPTIONS }, async (sim) => {
    await submitCounts(sim, new ExactlyOnceCollectSink([]));
    assert.throws(() => sim.kill('taskmanager-9'), /not a process of the simulated cluster \(jobmanager-0, jobmanager-1, taskmanager-0/);
    assert.throws(() => sim.partition(['nobody'], ['taskmanager-0']), /cannot partition "nobody"/);
  });
  assert.ok(networked.ok, failures(networked));
});

test.run();
