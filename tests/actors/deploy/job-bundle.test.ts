// bundleJob: the job and what it imports become one module, the actorflow package stays outside
// under placeholders; the word-count example's bundle runs once linked; build failures name the
// file and esbuild's message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { blobKey } from '../../../actors/deploy/blob-store.ts';
import { bundleJob, runtimePlaceholder } from '../../../actors/deploy/job-bundle.ts';
import { linkBundle } from '../../../actors/deploy/job-loader.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const text = (bundle: Uint8Array): string => new TextDecoder().decode(bundle);

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'job-bundle-test-'));
  dirs.push(dir);
  return dir;
}

/** What would reveal a copy of the package's own code inside a bundle. */
function assertNoRuntimeCode(source: string): void {
  assert.not.match(source, /class StreamExecutionEnvironment\b/);
  assert.not.match(source, /class CollectSink\b/);
  assert.not.match(source, /registerExecutor/);
  assert.not.match(source, /msgpackr/);
}

test('the word-count example: api/ stays external, the bundle runs once linked', async () => {
  const bundle = await bundleJob(join(root, 'examples/word-count.ts'));
  const source = text(bundle);
  assertNoRuntimeCode(source);
  assert.match(source, '"actorflow-runtime:/api/index.ts"');
  assert.match(source, 'Tokenizer');

  const linked = linkBundle(bundle);
  assert.not.match(linked, 'actorflow-runtime:');
  assert.match(linked, JSON.stringify(new URL('api/index.ts', pathToFileURL(root)).href));
  const file = join(await tempDir(), 'word-count.mjs');
  await writeFile(file, linked);
  const { wordCount } = await import(pathToFileURL(file).href) as { wordCount(lines: string[], p: number): Promise<Map<string, number>> };
  const lines = ['a b a', "it's a b", 'c'];
  const expected = new Map<string, number>();
  for (const line of lines) for (const w of line.split(' ')) expected.set(w, (expected.get(w) ?? 0) + 1);
  assert.equal(await wordCount(lines, 2), expected);
});

test('a fixture job: its helper file and npm package are bundled, the package is not', async () => {
  const source = text(await bundleJob(fixture('word-count-job.ts')));
  assertNoRuntimeCode(source);
  assert.match(source, '"actorflow-runtime:/api/index.ts"');
  assert.match(source, 'To be, or not to be'); // words.ts
  assert.match(source, 'hash32'); // murmurhash3js-revisited
  assert.not.match(source, /from ["']murmurhash3js-revisited["']/);
  assert.not.match(source, /from ["']\.{1,2}\//); // no relative import left
});

test('the same job gives the same bytes, wherever it is bundled from', async () => {
  const first = await bundleJob(fixture('word-count-job.ts'));
  const cwd = process.cwd();
  process.chdir(tmpdir());
  try {
    assert.is(blobKey(await bundleJob(fixture('word-count-job.ts'))), blobKey(first));
  } finally {
    process.chdir(cwd);
  }
});

test("imports of 'actorflow' and 'actorflow/actors' and deep relative imports stay external", async () => {
  const dir = join(root, 'tests/actors/deploy/fixtures');
  const file = join(await tempDir(), 'job.ts');
  await writeFile(file, [
    "import { StreamExecutionEnvironment } from 'actorflow';",
    "import { ActorSystem } from 'actorflow/actors';",
    `import { CollectSink } from ${JSON.stringify(pathToFileURL(join(root, 'api/sinks/collect-sink.ts')).pathname)};`,
    `import { words } from ${JSON.stringify(join(dir, 'words.ts'))};`,
    'export default function (env) { return [StreamExecutionEnvironment, ActorSystem, CollectSink, words]; }',
  ].join('\n'));
  const source = text(await bundleJob(file));
  assert.match(source, '"actorflow-runtime:/api/index.ts"');
  assert.match(source, '"actorflow-runtime:/actors/index.ts"');
  assert.match(source, '"actorflow-runtime:/api/sinks/collect-sink.ts"');
  assert.match(source, 'function words');
});

test('runtimePlaceholder: api/, state/, actors/ of any directory whose package.json names actorflow', async () => {
  assert.is(runtimePlaceholder(join(root, 'api/index.ts')), 'actorflow-runtime:/api/index.ts');
  assert.is(runtimePlaceholder(join(root, 'state/key-groups.ts')), 'actorflow-runtime:/state/key-groups.ts');
  assert.is(runtimePlaceholder(join(root, 'actors/index.ts')), 'actorflow-runtime:/actors/index.ts');
  assert.is(runtimePlaceholder(join(root, 'examples/word-count.ts')), undefined);
  assert.is(runtimePlaceholder(join(root, 'node_modules/msgpackr/index.js')), undefined);
  // An installed copy (and one of its own dependencies), and an application that has an api/ too.
  const app = await tempDir();
  const installed = join(app, 'node_modules/actorflow');
  await mkdir(join(installed, 'node_modules/dep'), { recursive: true });
  await writeFile(join(app, 'package.json'), '{"name":"app"}');
  await writeFile(join(installed, 'package.json'), '{"name":"actorflow"}');
  await writeFile(join(installed, 'node_modules/dep/package.json'), '{"name":"dep"}');
  assert.is(runtimePlaceholder(join(installed, 'api/sinks/file-sink.ts')), 'actorflow-runtime:/api/sinks/file-sink.ts');
  assert.is(runtimePlaceholder(join(installed, 'node_modules/dep/api/index.js')), undefined);
  assert.is(runtimePlaceholder(join(app, 'api/index.ts')), undefined);
  // The compiled dist/ of an installed package names the same source files.
  assert.is(runtimePlaceholder(join(installed, 'dist/api/sinks/file-sink.js')), 'actorflow-runtime:/api/sinks/file-sink.ts');
  assert.is(runtimePlaceholder(join(installed, 'dist/actors/index.js')), 'actorflow-runtime:/actors/index.ts');
  assert.is(runtimePlaceholder(join(installed, 'dist/bin/cli.js')), undefined);
});

test('a missing entry file: the error names it', async () => {
  const missing = join(await tempDir(), 'no-such-job.ts');
  try {
    await bundleJob(missing);
    assert.unreachable('bundleJob should have thrown');
  } catch (error) {
    assert.match((error as Error).message, missing);
    assert.match((error as Error).message, 'no such file');
  }
});

test("a syntax error: the error names the file and carries esbuild's message", async () => {
  const file = join(await tempDir(), 'broken-job.ts');
  await writeFile(file, 'export default function (env) {\n  env.fromElements(1, 2, 3\n}\n');
  try {
    await bundleJob(file);
    assert.unreachable('bundleJob should have thrown');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, `cannot bundle job ${file}`);
    assert.match(message, 'broken-job.ts:3:');
    assert.match(message, 'Expected ")"');
  }
});

test('an import that cannot be resolved, or an unknown entry of the package: the error names it', async () => {
  const dir = await tempDir();
  const file = join(dir, 'job.ts');
  await writeFile(file, "import './missing-helper.ts';\nexport default function () {}\n");
  try {
    await bundleJob(file);
    assert.unreachable('bundleJob should have thrown');
  } catch (error) {
    assert.match((error as Error).message, 'missing-helper.ts');
  }
  await writeFile(file, "import { x } from 'actorflow/internals';\nexport default function () { return x; }\n");
  try {
    await bundleJob(file);
    assert.unreachable('bundleJob should have thrown');
  } catch (error) {
    assert.match((error as Error).message, '"actorflow/internals" is not an entry of the actorflow package');
  }
});

test.after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

test.run();
