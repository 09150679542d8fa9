// SimulatedCluster: the real JobManagers (a leader and a standby over the HA store), TaskManagers,
// transport, data plane and checkpoints in one thread on a ManualClock, with faults: the leader
// killed, a TaskManager killed, a TaskManager partitioned from the JobManagers and healed, the
// leader paused past its lease. Each
// run's exactly-once output is compared with a plain loop's; the same seed gives the same trace.
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../testing/cluster/virtual-clock.ts';
import { SimulatedCluster } from '../../../testing/cluster/simulated-cluster.ts';
import { CollectingStore } from '../../../testing/cluster/collecting-sink.ts';
import { expectedKeyedCounts, keyedCountJob, multisetDifference } from '../../../testing/cluster/keyed-count.ts';
import { advance, advanceUntil, type DriveOptions } from '../../../testing/cluster/drive.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('simulated-cluster');
const START = 1_800_000_000_000;
const RECORDS = 3000;
const KEYS = 7;

interface Run {
  readonly clock: VirtualClock;
  readonly cluster: SimulatedCluster;
  readonly store: CollectingStore<[number, number]>;
  readonly trace: string[];
  readonly drive: DriveOptions;
  jobId: string;
}

/** Starts a cluster and a keyed-count job at 500 records/s (6 virtual seconds of input). */
async function startRun(s: number, job: { records: number; ratePerSecond: number } = { records: RECORDS, ratePerSecond: 500 }): Promise<Run> {
  const clock = new VirtualClock(START);
  const random = new Random(s);
  const trace: string[] = [];
  const cluster = new SimulatedCluster({ clock, random: () => random.next(), trace: (e) => trace.push(e) });
  const started: { done?: boolean; error?: Error } = {};
  cluster.start().then(() => { started.done = true; }, (e: Error) => { started.error = e; });
  const drive = { activity: cluster.activity };
  await advanceUntil(clock, () => started.done === true || started.error !== undefined, 60_000, 'the cluster started', drive);
  if (started.error) throw started.error;
  const store = new CollectingStore<[number, number]>();
  let jobId: string | Error | undefined;
  cluster.submit('keyed-count', keyedCountJob(store, { records: job.records, keys: KEYS, ratePerSecond: job.ratePerSecond }), { parallelism: 2 })
    .then((id) => { jobId = id; }, (e: Error) => { jobId = e; });
  await advanceUntil(clock, () => jobId !== undefined, 10_000, 'the job was accepted', drive);
  if (jobId instanceof Error) throw jobId;
  return { clock, cluster, store, trace, drive, jobId: jobId! };
}

/** Advances until the HA store records the job's end; returns its status. */
async function untilJobEnds(run: Run, maxMs: number): Promise<string> {
  let status = '';
  let reading = false;
  await advanceUntil(run.clock, () => {
    if (!reading) {
      reading = true;
      void run.cluster.job(run.jobId).then((job) => { status = job?.status ?? ''; reading = false; });
    }
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(status);
  }, maxMs, `job ${run.jobId} ended`, { ...run.drive, stepMs: 10 });
  return status;
}

/** Closes the cluster, moving virtual time while it shuts down. */
async function closeCluster(run: Run): Promise<void> {
  let closed = false;
  void run.cluster.close().finally(() => { closed = true; });
  await advanceUntil(run.clock, () => closed, 60_000, 'the cluster closed', run.drive);
}

function checkExactlyOnce(run: Run, records = RECORDS): void {
  const difference = multisetDifference(run.store.committed, expectedKeyedCounts(records, KEYS));
  assert.is(difference, undefined, `seed ${seed}: ${difference}`);
  assert.is(run.store.unknownCommits, 0, 'every committed transaction was staged');
}

test('without faults the job finishes with exactly the plain loop\'s output', async () => {
  const run = await startRun(seed);
  assert.is(await untilJobEnds(run, 30_000), 'FINISHED');
  checkExactlyOnce(run);
  await closeCluster(run);
});

test('the leader JobManager is killed: the standby takes over, the job finishes exactly-once, the old leader restarts as standby', async () => {
  const run = await startRun(seed);
  const { cluster, clock } = run;
  const first = await cluster.leader();
  assert.is(first, 'jobmanager-0');
  await advance(clock, 2500, run.drive);
  assert.ok(run.store.committed.length > 0, 'checkpoints completed before the kill');
  cluster.kill(first!);
  assert.is(await untilJobEnds(run, 60_000), 'FINISHED');
  assert.is(await cluster.leader(), 'jobmanager-1', 'the standby leads');
  assert.ok(run.trace.some((e) => e.includes('cluster kill jobmanager-0')));
  checkExactlyOnce(run);
  let restarted = false;
  void cluster.restart('jobmanager-0').then(() => { restarted = true; });
  await advanceUntil(clock, () => restarted, 10_000, 'the killed JobManager restarted', run.drive);
  await advance(clock, 5000, run.drive);
  assert.ok(cluster.isAlive('jobmanager-0'));
  assert.is(await cluster.leader(), 'jobmanager-1', 'the restarted JobManager is the standby now');
  await closeCluster(run);
});

test('a TaskManager is killed mid-job: the job recovers on the others and finishes exactly-once; the TaskManager restarts', async () => {
  const run = await startRun(seed);
  const { cluster, clock } = run;
  await advance(clock, 2000, run.drive);
  cluster.kill('taskmanager-1');
  let restarted = false;
  await advance(clock, 1000, run.drive);
  void cluster.restart('taskmanager-1').then(() => { restarted = true; });
  assert.is(await untilJobEnds(run, 60_000), 'FINISHED');
  await advanceUntil(clock, () => restarted, 30_000, 'the TaskManager registered again', run.drive);
  assert.ok(cluster.isAlive('taskmanager-1'));
  checkExactlyOnce(run);
  await closeCluster(run);
});

test('a TaskManager partitioned from the JobManagers is lost, the job recovers, and after heal it registers again', async () => {
  const run = await startRun(seed);
  const { cluster, clock } = run;
  await advance(clock, 2000, run.drive);
  cluster.partition(['taskmanager-0'], cluster.jobManagerNames);
  await advance(clock, 12_000, run.drive);
  assert.ok(run.trace.some((e) => e.includes('net reset')), 'the partition reset connections');
  cluster.heal();
  assert.is(await untilJobEnds(run, 60_000), 'FINISHED');
  let registered = 0;
  await advanceUntil(clock, () => {
    void cluster.jobManager('jobmanager-0')!.service.taskManagers().then((tms) => { registered = tms.length; });
    return registered === 2;
  }, 30_000, 'the partitioned TaskManager registered again', run.drive);
  checkExactlyOnce(run);
  await closeCluster(run);
});

test('the leader pauses (a long GC) past its lease: the standby takes over, the old leader steps down on waking, output stays exactly-once', async () => {
  const run = await startRun(seed);
  const { cluster, clock } = run;
  await advance(clock, 2000, run.drive);
  cluster.pause('jobmanager-0', 8000);
  await advance(clock, 6000, run.drive);
  assert.is(await cluster.leader(), 'jobmanager-1', 'the standby took the expired lease');
  let lost: string | undefined;
  void cluster.jobManager('jobmanager-0')!.leadershipLost.then((why) => { lost = why; });
  await advanceUntil(clock, () => lost !== undefined, 10_000, 'the paused leader noticed', run.drive);
  assert.ok(run.trace.some((e) => e.includes('net pause jobmanager-0')));
  assert.is(await untilJobEnds(run, 60_000), 'FINISHED');
  checkExactlyOnce(run);
  await closeCluster(run);
});

test('a 60-virtual-second run with a TaskManager kill and restart, a partition and a leader kill stays exactly-once; its speed is printed', async () => {
  const records = 24_000;
  const realStart = performance.now();
  const run = await startRun(seed, { records, ratePerSecond: 400 });
  const { cluster, clock } = run;
  const virtualStart = clock.now();
  await advance(clock, 12_000, run.drive);
  cluster.kill('taskmanager-1');
  await advance(clock, 5000, run.drive);
  let restarted = false;
  void cluster.restart('taskmanager-1').then(() => { restarted = true; });
  await advance(clock, 10_000, run.drive);
  assert.ok(restarted, 'the TaskManager came back');
  cluster.partition(['taskmanager-0'], cluster.jobManagerNames);
  await advance(clock, 12_000, run.drive);
  cluster.heal();
  await advance(clock, 3000, run.drive);
  cluster.kill((await cluster.leader())!);
  assert.is(await untilJobEnds(run, 60_000), 'FINISHED');
  const virtualMs = clock.now() - virtualStart;
  const realMs = performance.now() - realStart;
  console.log(`${(virtualMs / 1000).toFixed(1)} virtual s in ${(realMs / 1000).toFixed(2)} real s: ${(virtualMs / realMs).toFixed(1)} virtual s per real s, ${run.trace.length} trace events`);
  assert.ok(virtualMs >= 60_000, `the run lasted ${virtualMs} virtual ms`);
  checkExactlyOnce(run, records);
  await closeCluster(run);
});

test('the same seed gives the same trace', async () => {
  const traces: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const run = await startRun(seed);
    await advance(run.clock, 1500, run.drive);
    run.cluster.kill('taskmanager-0');
    await advance(run.clock, 3000, run.drive);
    await closeCluster(run);
    traces.push(run.trace);
  }
  const firstDifference = traces[0].findIndex((e, i) => e !== traces[1][i]);
  assert.ok(traces[0].length > 100);
  assert.is(firstDifference, -1, `seed ${seed}: the runs differ first at event ${firstDifference}: ${traces[0][firstDifference]} / ${traces[1][firstDifference]}`);
  assert.is(traces[1].length, traces[0].length);
  assert.ok(traces[0].some((e) => / cluster job keyed-count [0-9a-f]{32}$/.test(e)), 'the job id, seeded, is in the trace');
  console.log(`trace ${createHash('sha256').update(traces[0].join('\n')).digest('hex').slice(0, 16)} (${traces[0].length} events, seed ${seed})`);
});

test.run();
