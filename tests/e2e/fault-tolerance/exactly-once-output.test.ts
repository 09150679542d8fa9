import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';
import { countingJob, drive, type Count } from './support.ts';

const seed = testSeed('exactly-once-output');
const records = 30000, keys = 5;

/** Every running count the job emits, each exactly once: key k emits 1..n_k (plain loop). */
function expectedEmissions(): string[] {
  const n = new Map<number, number>();
  for (let x = 1; x <= records; x++) n.set(x % keys, (n.get(x % keys) ?? 0) + 1);
  const out: string[] = [];
  for (const [k, count] of n) for (let c = 1; c <= count; c++) out.push(`${k}:${c}`);
  return out.sort();
}

const lines = (counts: Count[]): string[] => counts.map(([k, c]) => `${k}:${c}`).sort();

function visibleLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

for (const backend of ['memory', 'kv'] as const) {
  test(`executeAndCollect is exactly-once across a failure (${backend})`, async () => {
    const random = new Random(seed);
    const plain = countingJob({ records, keys, parallelism: 2, backend: 'memory', plan: { throwAt: [] } });
    const reference = lines(await drive(plain.clock, plain.stream.executeAndCollect('reference')));
    assert.equal(reference, expectedEmissions(), 'the no-failure run');
    const failing = countingJob({ records, keys, parallelism: 2, backend, plan: { throwAt: [random.int(2000, 20000)] } });
    const collected = lines(await drive(failing.clock, failing.stream.executeAndCollect('with-failure')));
    assert.is(failing.failures(), 1, 'the failure happened');
    assert.is(embeddedExecutor.lastJobMaster!.failover.attemptNumber, 1);
    assert.equal(collected, reference);
  });
}

test('FileSink part files hold exactly the no-failure output after failures', async () => {
  const random = new Random(seed + 1);
  const dirs = [mkdtempSync(join(tmpdir(), 'af-ft-ref-')), mkdtempSync(join(tmpdir(), 'af-ft-fail-'))];
  try {
    const plain = countingJob({ records, keys, parallelism: 2, backend: 'memory', plan: { throwAt: [] } });
    plain.stream.map(([k, c]: Count) => `${k}:${c}`).sinkTo(new FileSink<string>(dirs[0]));
    await drive(plain.clock, plain.env.execute('file-reference'));
    const throwAt = [random.int(2000, 10000), random.int(12000, 20000)];
    const failing = countingJob({ records, keys, parallelism: 2, backend: 'memory', plan: { throwAt } });
    failing.stream.map(([k, c]: Count) => `${k}:${c}`).sinkTo(new FileSink<string>(dirs[1]));
    await drive(failing.clock, failing.env.execute('file-with-failures'));
    assert.ok(failing.failures() >= 1, 'failures happened');
    assert.equal(visibleLines(dirs[0]), expectedEmissions());
    assert.equal(visibleLines(dirs[1]), visibleLines(dirs[0]));
    assert.ok(readdirSync(dirs[1]).every((f) => !f.endsWith('.pending')), 'no pending file is left behind');
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test.run();
