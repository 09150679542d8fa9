// test-timeout-ms: 360000. SLOW (about a minute; two or three on a busy machine): the package as a user gets it. The
// checkout is built (the compiled JavaScript and declarations in dist/) and packed with `npm pack`,
// the tarball is installed into a fresh project in a temporary directory (dependencies from the npm
// cache, or the npm registry for any it lacks), the project's tsx is removed (nothing may need it),
// and there: a plain .mjs runs a word count under plain `node`, a strict TypeScript job type-checks
// with plain `tsc` (node16 resolution, skipLibCheck off), Deno imports the package from
// node_modules and runs the same job, and the `actorflow` command runs from the compiled
// JavaScript, a job file too, on a local cluster whose TaskManagers are worker threads. Runs once,
// from the Node run of the suite: it drives node, tsc and deno itself as child processes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error a plain ES module without declarations
import { publishedManifest } from '../../bin/pack-manifest.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

/** The counts every consumer below must print: the word count of the two lines, as JSON. */
const EXPECTED = '{"be":2,"is":1,"not":1,"or":1,"question":1,"that":1,"the":1,"to":2}';

/** The tiny job: counts words embedded, prints the final count per word as sorted JSON. */
const JOB = `
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
const updates = await env
  .fromElements('to be or not to be', 'that is the question')
  .flatMap((line, out) => { for (const w of line.split(' ')) out.collect([w, 1]); })
  .keyBy(([word]) => word)
  .sum(1)
  .executeAndCollect();
const counts = {};
for (const [word, n] of updates) counts[word] = Math.max(counts[word] ?? 0, n);
console.log(JSON.stringify(Object.fromEntries(Object.entries(counts).sort())));
`;

const TS_JOB = `
import { StreamExecutionEnvironment, type DataStream } from 'actorflow';
import { ActorSystem } from 'actorflow/actors';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const words: DataStream<[string, number]> = env
  .fromElements('to be or not to be')
  .flatMap<[string, number]>((line, out) => { for (const w of line.split(' ')) out.collect([w, 1]); });
const counts: [string, number][] = await words.keyBy(([word]) => word).sum(1).executeAndCollect();
// @ts-expect-error the elements are numbers: the package's types say so (with any, this line fails)
env.fromElements(1, 2).map((n) => n.toUpperCase());
console.log(counts.length, typeof ActorSystem);
`;

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function ok(result: Run, what: string): Run {
  if (result.code !== 0) assert.unreachable(`${what} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

let dir = '';
let project = '';
let started = 0;

test.before(async () => {
  if (isDeno) return;
  started = Date.now();
  dir = await mkdtemp(join(tmpdir(), 'actorflow-package-'));
  console.log(`package test in ${dir}`);
  // The build of `npm run build` (which prepack runs), without its type check: the suite's own
  // type check covers that, and it would double this test's time.
  await rm(join(root, 'dist'), { recursive: true, force: true });
  ok(await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--noCheck'], root), 'the build');
  // What `npm pack` packs after prepack, staged apart so that the checkout's own package.json (which
  // other test files running meanwhile resolve the package name through) never changes.
  const stage = join(dir, 'stage');
  await mkdir(join(stage, 'bin'), { recursive: true });
  await cp(join(root, 'dist'), join(stage, 'dist'), { recursive: true });
  await cp(join(root, 'bin', 'actorflow.mjs'), join(stage, 'bin', 'actorflow.mjs'));
  await cp(join(root, 'README.md'), join(stage, 'README.md'));
  const manifest = publishedManifest(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')));
  await writeFile(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  ok(await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], stage), 'npm pack');
  // The checkout goes back to what a fresh clone has: nothing in it may come to depend on dist/.
  await rm(join(root, 'dist'), { recursive: true, force: true });
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  console.log(`packed and built in ${Date.now() - started} ms`);
  project = join(dir, 'app');
  ok(await run('mkdir', ['-p', project], dir), 'mkdir');
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  const install = Date.now();
  // @types/node: a Node project in TypeScript has it; the declarations refer to node's types.
  ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball), '@types/node@20'], project), 'npm install');
  console.log(`installed in ${Date.now() - install} ms`);
  // tsx is a dependency (the checkout's scripts use it); removed here, so nothing below can use it.
  await rm(join(project, 'node_modules', 'tsx'), { recursive: true, force: true });
});

test.after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (started) console.log(`package test took ${Date.now() - started} ms`);
});

test('the tarball carries the compiled package, not the sources or the tests', async () => {
  if (isDeno) return;
  const installed = join(project, 'node_modules', 'actorflow');
  const top = (await readdir(installed)).sort();
  assert.equal(top.filter((name) => !['LICENSE', 'README.md'].includes(name)), ['bin', 'dist', 'package.json']);
  const dist = (await readdir(join(installed, 'dist'))).sort();
  assert.equal(dist, ['actors', 'api', 'bin', 'state', 'testing']);
  assert.ok((await readdir(join(installed, 'dist', 'actors', 'network'))).includes('worker-bootstrap.mjs'));
});

test('a plain .mjs runs a job under plain node', async () => {
  if (isDeno) return;
  await writeFile(join(project, 'job.mjs'), `import { StreamExecutionEnvironment } from 'actorflow';\n${JOB}`);
  const result = ok(await run(process.execPath, ['job.mjs'], project), 'node job.mjs');
  assert.is(result.stdout.trim(), EXPECTED);
});

test('a strict TypeScript job type-checks with plain tsc', async () => {
  if (isDeno) return;
  await writeFile(join(project, 'job.ts'), TS_JOB);
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['job.ts'],
  }));
  // The @ts-expect-error line fails this check if the package's types were missing or loose (any).
  ok(await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], project), 'tsc');
});

test('Deno imports the installed package and runs the job', async () => {
  if (isDeno) return;
  await writeFile(join(project, 'deno-job.mjs'), `import { StreamExecutionEnvironment } from 'actorflow';\n${JOB}`);
  const result = ok(await run(bin('deno'), ['run', '-A', '--unstable-kv', 'deno-job.mjs'], project), 'deno run');
  assert.is(result.stdout.trim(), EXPECTED);
});

test('the actorflow command runs from the compiled JavaScript', async () => {
  if (isDeno) return;
  const actorflow = join(project, 'node_modules', '.bin', 'actorflow');
  const version = ok(await run(actorflow, ['--version'], project), 'actorflow --version');
  assert.is(version.stdout.trim(), JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version);
  const help = ok(await run(actorflow, ['--help'], project), 'actorflow --help');
  assert.match(help.stdout, 'Usage: actorflow');
});

test('a job file runs on a local cluster: TaskManager worker threads start from the compiled JavaScript', async () => {
  if (isDeno) return;
  await writeFile(join(project, 'cli-job.mjs'), [
    'export default (env) => {',
    "  env.fromElements('to be or not to be').flatMap((line, out) => { for (const w of line.split(' ')) out.collect([w, 1]); })",
    '    .keyBy(([w]) => w).sum(1).print();',
    '};',
  ].join('\n'));
  const actorflow = join(project, 'node_modules', '.bin', 'actorflow');
  const result = ok(await run(actorflow, ['run', 'cli-job.mjs', '--local-task-managers', '2'], project), 'actorflow run --local-task-managers 2');
  const lines = result.stdout.split('\n');
  for (const line of ['["to",2]', '["be",2]', '["or",1]', '["not",1]']) assert.ok(lines.includes(line), `${line} missing from:\n${result.stdout}`);
  assert.match(result.stdout, /finished in \d+ ms on 2 TaskManagers/);
});

test.run();
