// Chaos-testing your own job and your own actor program in the deterministic simulation
// (actorflow/testing): each seed runs the real runtime on virtual time with faults the seed
// places, checks the outcome against a plain computation, and replays bit for bit. The job counts
// words through an exactly-once sink while a TaskManager dies and checkpoint writes fail; the
// actor program keeps a persistent account whose acknowledged deposits must survive crashes.
// With `sink: 'plain'` the job writes through a non-transactional sink, and the simulation
// finds the duplicates a restart causes. Run: `npx tsx examples/chaos-testing.ts [seeds]`.
import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { CollectSink, DataGeneratorSource, defineActor, ExactlyOnceCollectSink, RestartStrategies } from '../api/index.ts';
import { ActorNotAliveError, AskTimeoutError } from '../actors/index.ts';
import { compareMultisets, simulate, type SimulationReport } from '../testing/index.ts';

const WORDS = ['actor', 'barrier', 'checkpoint', 'slot', 'subtask', 'watermark'];

/** The i-th generated line of text. */
export function line(i: number): string { return `${WORDS[i % 6]} ${WORDS[(i * 7) % 6]} ${WORDS[(i * 3) % 5]}`; }

/** Word counts as a plain loop computes them: what the job must commit, exactly once. */
export function expectedCounts(lines: number): Array<[string, number]> {
  const counts = new Map<string, number>();
  const out: Array<[string, number]> = [];
  for (let i = 0; i < lines; i++) for (const w of line(i).split(' ')) { const n = (counts.get(w) ?? 0) + 1; counts.set(w, n); out.push([w, n]); }
  return out;
}

/** One seed of the job under a TaskManager kill and a burst of failing checkpoint writes. */
export function chaosTestJob(seed: number, sink: 'exactly-once' | 'plain' = 'exactly-once'): Promise<SimulationReport> {
  return simulate({ seed, taskManagers: 2, slotsPerTaskManager: 2 }, async (sim) => {
    const lines = 600;
    const env = sim.environment();
    env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(100, 50));
    const results: Array<[string, number]> = [];
    env.fromSource(new DataGeneratorSource(line, lines, { ratePerSecond: 1000 }), undefined, 'lines')
      .flatMap((text: string, out: { collect(pair: [string, number]): void }) => { for (const w of text.split(' ')) out.collect([w, 1]); })
      .keyBy((t: [string, number]) => t[0]).sum(1)
      .sinkTo(sink === 'exactly-once' ? new ExactlyOnceCollectSink(results) : new CollectSink(results));
    const client = await env.executeAsync('word count');
    // The seed decides when the faults come (sim.random is the seed's, apart from the scheduler's).
    sim.at(sim.random.int(100, 500), () => sim.kill('taskmanager-1', { restartAfterMs: 300 }));
    const storageAt = sim.random.int(0, 500);
    sim.at(storageAt, () => sim.failStorageWrites({ probability: 0.5 }));
    sim.at(storageAt + 200, () => sim.failStorageWrites({ probability: 0 }));
    await sim.advance(800);
    await sim.eventually('the job finishes within 20 s after the faults', () => sim.jobMasters()[0].getStatus() === 'FINISHED', 20_000);
    await client.getJobExecutionResult().catch(() => undefined);
    const { ok, detail } = compareMultisets(results, expectedCounts(lines));
    sim.check('every word count committed exactly once', ok, detail);
  });
}

type AccountMsg = { type: 'deposit'; amount: number } | { type: 'balance' };

const account = defineActor<number, AccountMsg>({
  init: () => 0,
  receive(balance, msg, ctx) {
    if (msg.type === 'balance') { ctx.reply(balance); return; }
    ctx.reply('ok');
    return balance + msg.amount;
  },
  persistence: { key: 'account' },
});

/** One seed of the actor program: deposits while its actor system crashes and restarts. */
export function chaosTestActors(seed: number): Promise<SimulationReport> {
  return simulate({ seed }, async (sim) => {
    let system = sim.actorSystem('bank');
    let ref = system.spawn(account, 'account');
    let acknowledged = 0, sent = 0;
    sim.at(sim.random.int(50, 400), () => {
      sim.kill('bank');
      sim.at(sim.nowMs + 100, () => { sim.restart('bank'); system = sim.actorSystem('bank'); ref = system.spawn(account, 'account'); });
    });
    for (let i = 0; i < 40; i++) {
      await sim.advance(sim.random.int(5, 20));
      if (!sim.isAlive('bank')) continue;
      const amount = sim.random.int(1, 100), incarnation = system;
      sent += amount;
      ref.ask({ type: 'deposit', amount }, 200).then(() => { if (incarnation === system && sim.isAlive('bank')) acknowledged += amount; },
        (e: unknown) => { if (!(e instanceof AskTimeoutError || e instanceof ActorNotAliveError)) throw e; });
    }
    await sim.advance(500);
    const balance = await ref.ask<number>({ type: 'balance' }, 1_000);
    sim.check('no acknowledged deposit is lost', balance >= acknowledged && balance <= sent, `balance ${balance}, acknowledged ${acknowledged}, sent ${sent}`);
  });
}

/** Runs seeds 1..n of both and prints a summary (and how to replay a failure). */
export async function main(n: number): Promise<number> {
  let failed = 0;
  for (let seed = 1; seed <= n; seed++) {
    for (const [what, report] of [['job', await chaosTestJob(seed)], ['actors', await chaosTestActors(seed)]] as const) {
      if (report.ok) continue;
      failed++;
      console.log(`${what} seed ${seed}: ${report.firstFailure!.name}: ${report.firstFailure!.detail} (trace ${report.traceHash.slice(0, 12)})`);
    }
  }
  console.log(`${2 * n} runs, ${failed} failed`);
  return failed;
}

if (argv[1] && import.meta.url === pathToFileURL(argv[1]).href) {
  const { configureLogging } = await import('../actors/observability/logger.ts');
  configureLogging({ level: 'silent' });
  process.exitCode = (await main(Number(argv[2] ?? 10))) === 0 ? 0 : 1;
}
