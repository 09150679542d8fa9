// Job shipping end to end, as the cluster does it: a job written outside the package is bundled,
// stored in a directory blob store and deleted; another process and a worker thread load it from
// the store alone, build the graph the submitting process built, and run it to the same output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { spawnWorker } from '../../../actors/network/spawn-worker.ts';
import { BlobStore } from '../../../actors/deploy/blob-store.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { jobGraphSignature } from '../../../actors/deploy/job-graph-signature.ts';
import { buildJobGraph, loadJobModule } from '../../../actors/deploy/job-loader.ts';
import type { LoadReport } from './fixtures/load-job.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const loader = new URL('./fixtures/load-job.ts', import.meta.url);
const LINES = ['red green red', 'blue red', 'green'];

let work = '';
let key = '';
let blobDir = '';

/** The expected sink output: a plain loop's running count of every word, in any order. */
function expectedRows(): string[] {
  const counts = new Map<string, number>();
  const rows: string[] = [];
  for (const line of LINES) for (const w of line.split(' ')) {
    const n = (counts.get(w) ?? 0) + 1;
    counts.set(w, n);
    rows.push(`${w}:${n}:${w.length}`);
  }
  return rows.sort();
}

const rowsOf = (results: unknown[]): string[] => (results as Array<[string, number, number]>).map((r) => r.join(':')).sort();

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'job-shipping-test-'));
  const jobDir = join(work, 'job');
  await mkdir(jobDir);
  await writeFile(join(jobDir, 'lines.ts'), `export const LINES: string[] = ${JSON.stringify(LINES)};\n`);
  await writeFile(join(jobDir, 'job.ts'), [
    "import { CollectSink, type StreamExecutionEnvironment } from 'actorflow';",
    "import { LINES } from './lines.ts';",
    'export const results: Array<[string, number, number]> = [];',
    'export default function (env: StreamExecutionEnvironment): void {',
    '  env.fromCollection(LINES).flatMap<[string, number]>((l, out) => { for (const w of l.split(" ")) out.collect([w, 1]); })',
    '    .keyBy(([w]) => w).sum(1).map(([w, n]): [string, number, number] => [w, n, w.length]).sinkTo(new CollectSink(results));',
    '}',
  ].join('\n'));
  blobDir = join(work, 'blobs');
  key = await BlobStore.inDirectory(blobDir).put(await bundleJob(join(jobDir, 'job.ts')));
  await rm(jobDir, { recursive: true }); // the loading side has the blob store only
});

test.after(async () => { await rm(work, { recursive: true, force: true }); });

async function localSignature(): Promise<string> {
  const bundle = (await BlobStore.inDirectory(blobDir).get(key))!;
  return jobGraphSignature(await buildJobGraph(await loadJobModule(bundle, key), { name: 'shipped', parallelism: 2 }));
}

test('another process loads the job from the blob store, builds the same graph, runs it', async () => {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const script = fileURLToPath(loader);
  const args = deno ? ['run', '-A', '--unstable-kv', script, blobDir, key] : ['--import', 'tsx', script, blobDir, key];
  const child = spawn(execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Uint8Array) => { out += new TextDecoder().decode(chunk); });
  child.stderr!.on('data', (chunk: Uint8Array) => { err += new TextDecoder().decode(chunk); });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = /^RESULT (.*)$/m.exec(out);
  assert.ok(code === 0 && line, `the loading process failed (code ${code}):\n${out}\n${err}`);
  const report = JSON.parse(line![1]) as LoadReport;
  assert.is(report.signature, await localSignature());
  assert.equal(rowsOf(report.results), expectedRows());
});

test('a worker thread loads the job from the blob store, builds the same graph, runs it', async () => {
  const worker = spawnWorker(loader, { dir: blobDir, key });
  try {
    const report = await new Promise<LoadReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.is(report.signature, await localSignature());
    assert.equal(rowsOf(report.results), expectedRows());
  } finally {
    await worker.terminate();
  }
});

test.run();
