// loadJobModule and buildJobGraph: a bundled fixture job loads against this process's copy of the
// package, builds the same graph every time, and run through the embedded executor gives what a
// plain loop over its text gives (and what the unbundled job gives). Bad bundles fail clearly, and
// no load leaves its linked file behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getuid } from 'node:process';
import { CollectSink, defaultEnvironmentConfig, findExecutor, StreamExecutionEnvironment } from '../../../api/index.ts';
import type { JobGraph } from '../../../api/graph/job-graph.ts';
import { BlobStore } from '../../../actors/deploy/blob-store.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { jobGraphSignature } from '../../../actors/deploy/job-graph-signature.ts';
import { buildJobGraph, linkBundle, loadJobModule, type JobModule } from '../../../actors/deploy/job-loader.ts';
import * as direct from './fixtures/word-count-job.ts';
import { LINES, words } from './fixtures/words.ts';

type Row = [string, number, number];
interface WordCountJob extends JobModule { results: Row[]; JobCollectSink: unknown; wordHash(word: string): number }

const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const blobs = BlobStore.inMemory();

async function shipped(name: string): Promise<{ bundle: Uint8Array; key: string }> {
  const bundle = await bundleJob(fixture(name));
  return { bundle, key: await blobs.put(bundle) };
}

async function run(graph: JobGraph): Promise<void> {
  const client = await findExecutor('embedded').execute(graph, defaultEnvironmentConfig());
  await client.getJobExecutionResult();
}

/** The final count of each word: the largest running count the sink saw. */
function finalCounts(rows: readonly Row[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [word, n] of rows) out.set(word, Math.max(out.get(word) ?? 0, n));
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

test('linkBundle points every placeholder, in either quotes, at the given installation', () => {
  const source = `import { a } from "actorflow-runtime:/api/index.ts";\nconst b = await import('actorflow-runtime:/actors/index.ts');\nconst s = "actorflow-runtime: text";`;
  const linked = linkBundle(new TextEncoder().encode(source), new URL('file:///opt/af/'));
  assert.is(linked, `import { a } from "file:///opt/af/api/index.ts";\nconst b = await import("file:///opt/af/actors/index.ts");\nconst s = "actorflow-runtime: text";`);
});

test('linkBundle in a compiled installation points the placeholders at the .js files', () => {
  const source = new TextEncoder().encode("import a from 'actorflow-runtime:/api/index.ts'; import b from \"actorflow-runtime:/state/key-groups.ts\";");
  const linked = linkBundle(source, new URL('file:///opt/app/node_modules/actorflow/dist/'), true);
  assert.is(linked, 'import a from "file:///opt/app/node_modules/actorflow/dist/api/index.js"; import b from "file:///opt/app/node_modules/actorflow/dist/state/key-groups.js";');
});

test('a loaded bundle shares the package with this process, and is cached by key', async () => {
  const { bundle, key } = await shipped('word-count-job.ts');
  const module = await loadJobModule(bundle, key) as WordCountJob;
  assert.is(module.JobCollectSink, CollectSink);
  assert.is(await loadJobModule(bundle, key), module);
  assert.is.not(module, direct as unknown);
});

test('two graphs built from one module agree on ids, names, parallelism and edges', async () => {
  const { bundle, key } = await shipped('word-count-job.ts');
  const module = await loadJobModule(bundle, key);
  const first = await buildJobGraph(module, { name: 'words', parallelism: 3 });
  const second = await buildJobGraph(module, { name: 'words', parallelism: 3 });
  assert.is(jobGraphSignature(second), jobGraphSignature(first));
  assert.equal(first.vertices.map((v) => [v.id, v.name, v.parallelism]), [
    [1, 'Collection Source', 1], [2, 'tokenize', 3], [3, 'count -> hash -> collect', 3],
  ]);
  assert.equal(first.edges.map((e) => [e.source.id, e.target.id, e.partitioner.kind]), [[1, 2, 'rebalance'], [2, 3, 'hash']]);
  assert.is(first.jobName, 'words');
  // A different parallelism gives a different graph: the signature can tell.
  assert.is.not(jobGraphSignature(await buildJobGraph(module, { name: 'words', parallelism: 2 })), jobGraphSignature(first));
});

test('restore options reach the graph as executeAsync puts them', async () => {
  const { bundle, key } = await shipped('word-count-job.ts');
  const module = await loadJobModule(bundle, key);
  const plain = await buildJobGraph(module, { name: 'words' });
  assert.is(plain.config.faultTolerance.restore, undefined);
  assert.is(plain.vertices[1].parallelism, 1);
  const restored = await buildJobGraph(module, { name: 'words', fromSavepoint: '/savepoints/sp-1', allowNonRestoredState: true });
  assert.equal(restored.config.faultTolerance.restore, { path: '/savepoints/sp-1', allowNonRestoredState: true });
  const strict = await buildJobGraph(module, { name: 'words', fromSavepoint: '/savepoints/sp-1' });
  assert.equal(strict.config.faultTolerance.restore, { path: '/savepoints/sp-1', allowNonRestoredState: false });
});

test('a module carrying a graph built in this process: its graph is used, not its default, restore options applied', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1, 2, 3).map((n: number) => n + 1).sinkTo(new CollectSink<number>());
  const built = env.getJobGraph('in-process');
  const calls: string[] = [];
  const module: JobModule = {
    default: () => { throw new Error('the default export must not run for a graph built already'); },
    jobGraph: (options) => { calls.push(options.name); return { ...built, config: { ...built.config, faultTolerance: { ...built.config.faultTolerance } } }; },
  };
  const graph = await buildJobGraph(module, { name: 'in-process', fromSavepoint: '/sp/1' });
  assert.equal(calls, ['in-process']);
  assert.is(graph.vertices, built.vertices);
  assert.equal((graph.config.faultTolerance as { restore?: unknown }).restore, { path: '/sp/1', allowNonRestoredState: false });
  assert.is((built.config.faultTolerance as { restore?: unknown }).restore, undefined, 'the built graph itself is left as it was');
});

test('the shipped job, run by the embedded executor, equals a plain loop and the unbundled job', async () => {
  const expected = new Map<string, number>();
  for (const line of LINES) for (const w of words(line)) expected.set(w, (expected.get(w) ?? 0) + 1);
  const sortedExpected = new Map([...expected].sort(([a], [b]) => a.localeCompare(b)));

  const { bundle, key } = await shipped('word-count-job.ts');
  const module = await loadJobModule(bundle, key) as WordCountJob;
  module.results.length = 0;
  await run(await buildJobGraph(module, { name: 'shipped words', parallelism: 2 }));
  assert.equal(finalCounts(module.results), sortedExpected);
  for (const [word, , hash] of module.results) assert.is(hash, direct.wordHash(word));

  direct.results.length = 0;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  direct.default(env);
  await env.execute('direct words');
  assert.equal([...module.results].sort(), [...direct.results].sort());
});

test('a module without a default function export: a clear error', async () => {
  const { bundle, key } = await shipped('no-default-job.ts');
  try {
    await loadJobModule(bundle, key);
    assert.unreachable('loadJobModule should have thrown');
  } catch (error) {
    assert.match((error as Error).message, `job bundle ${key} has no default export function`);
  }
});

test('a bundle that does not evaluate: the error names the key, and a retry may succeed', async () => {
  const broken = new TextEncoder().encode('export default function (env) {');
  try {
    await loadJobModule(broken, 'broken-bundle');
    assert.unreachable('loadJobModule should have thrown');
  } catch (error) {
    assert.match((error as Error).message, 'cannot load job bundle broken-bundle');
  }
  const { bundle } = await shipped('word-count-job.ts');
  const module = await loadJobModule(bundle, 'broken-bundle');
  assert.type(module.default, 'function');
});

test('a load, failed or not, leaves no linked file in the cache directory', async () => {
  const cacheDir = join(tmpdir(), `actorflow-jobs-${getuid?.() ?? 'user'}`);
  const filesOf = (key: string): string[] => readdirSync(cacheDir).filter((f) => f.startsWith(key));
  const { bundle, key } = await shipped('word-count-job.ts');
  await loadJobModule(bundle, `${key}-fresh`);
  assert.equal(filesOf(`${key}-fresh`), []);
  await loadJobModule(new TextEncoder().encode('export default function (env) {'), 'never-parses').catch(() => {});
  await loadJobModule(new TextEncoder().encode('throw new Error("at the top level");'), 'never-evaluates').catch(() => {});
  assert.equal([...filesOf('never-parses'), ...filesOf('never-evaluates')], []);
});

test('a key that is not a plain name is refused', async () => {
  try {
    await loadJobModule(new Uint8Array(), '../escape');
    assert.unreachable('loadJobModule should have thrown');
  } catch (error) {
    assert.match((error as Error).message, 'job bundle key "../escape"');
  }
});

test.run();
