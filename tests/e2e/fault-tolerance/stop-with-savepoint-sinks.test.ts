// stop-with-savepoint is synchronous (Flink): once a source emitted the savepoint's barrier it
// emits nothing more, and no subtask processes or emits anything after its savepoint snapshot, so
// a plain (non-transactional) sink sees every record exactly once across stop and restore. Once
// the savepoint completed, every subtask finishes (FINISHED, as in Flink; none is cancelled). The
// keyed running count is stopped at parallelism 2 (with and without drain, with and without
// periodic checkpoints) and restored at parallelism 3; the emitted counts are compared with a
// plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

type Count = [number, number];
const records = 20000, keys = 6;

/** Every running count the job emits when it runs uninterrupted, once each (plain loop). */
function expectedEmissions(): string[] {
  const n = new Map<number, number>();
  const out: string[] = [];
  for (let i = 0; i < records; i++) {
    const c = (n.get(i % keys) ?? 0) + 1;
    n.set(i % keys, c);
    out.push(`${i % keys}:${c}`);
  }
  return out.sort();
}

/** The keyed count with uids, emitting into `emitted` through a plain addSink. */
function build(parallelism: number, ratePerSecond: number | undefined, checkpointing: boolean, progress: { seen: number }, emitted: Count[]) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(parallelism).setRestartStrategy(RestartStrategies.noRestart());
  if (checkpointing) env.enableCheckpointing(100);
  env.fromSource(new DataGeneratorSource((i) => i, records, ratePerSecond ? { ratePerSecond } : {}), undefined, 'numbers').uid('numbers')
    .map((i: number): Count => { progress.seen++; return [i % keys, 1]; }).uid('pair')
    .keyBy((t) => t[0])
    .reduce((a, b): Count => [a[0], a[1] + b[1]]).uid('count')
    .addSink((c) => { emitted.push(c); }).uid('sink');
  return { env, clock };
}

/** Lets the job run, moving its clock 10 ms per turn, until `done` holds (its own progress, never wall time). */
async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the job made the expected progress');
}

/** Keeps the job busy while the savepoint is taken: records keep coming on the clock. */
async function whileSettling<T>(clock: ManualClock, result: Promise<T>): Promise<T> {
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  while (!settled) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  return done;
}

const duplicates = (lines: string[]): string[] => lines.filter((l, i) => i > 0 && lines[i - 1] === l);

for (const checkpointing of [true, false]) {
  for (const drain of [false, true]) {
    test(`stop-with-savepoint${drain ? ' --drain' : ''} at p2, restore at p3${checkpointing ? '' : ', no periodic checkpoints'}: a plain sink sees every count once`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'af-stop-sinks-'));
      try {
        const emitted: Count[] = [];
        const progress = { seen: 0 };
        const first = build(2, 1000, checkpointing, progress, emitted);
        const client = await first.env.executeAsync('stopped');
        await until(first.clock, () => progress.seen >= 6000);
        const path = await whileSettling(first.clock, client.stopWithSavepoint(dir, drain));
        assert.is(await client.getJobStatus(), 'FINISHED');
        // As in Flink, the subtasks of a stopped job finished; none was cancelled.
        const states = [...embeddedExecutor.lastJobMaster!.subtasks().values()].flat().map((t) => `${t.vertex.name}#${t.subtaskIndex}: ${t.state}`);
        assert.ok(states.length > 0 && states.every((s) => s.endsWith(': finished')), states.join(', '));
        const beforeRestore = emitted.length;
        assert.ok(beforeRestore > 0 && beforeRestore < records, `part of the output was emitted before the stop (${beforeRestore})`);
        const next = build(3, undefined, checkpointing, { seen: 0 }, emitted);
        await next.env.execute({ name: 'restored at 3', fromSavepoint: path });
        const lines = emitted.map(([k, n]) => `${k}:${n}`).sort();
        const twice = duplicates(lines);
        assert.is(twice.length, 0, `counts emitted twice: ${twice.length} (e.g. ${twice.slice(0, 5).join(', ')})`);
        assert.equal(lines, expectedEmissions(), 'every count emitted exactly once');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test.run();
