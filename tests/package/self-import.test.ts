// In the checkout, the package name resolves to the TypeScript sources under the actorflow-source
// export condition (no build step): a file importing 'actorflow' and 'actorflow/actors' runs
// with `tsx --conditions=actorflow-source` on Node and `deno run --conditions=actorflow-source`
// on Deno (the runtime running this file), and the same import without the condition resolves to
// dist/, the compiled package. (The fixture is JavaScript: the checkout's tsconfig.json does not
// name the condition, so a TypeScript file importing the package by name would not type-check.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
const FIXTURE = 'tests/package/fixtures/self-import.mjs';

function run(conditions: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = isDeno
    ? ['run', '-A', ...conditions.map((c) => `--conditions=${c}`), FIXTURE]
    : [join(root, 'node_modules/tsx/dist/cli.mjs'), ...conditions.map((c) => `--conditions=${c}`), FIXTURE];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('with the actorflow-source condition the package name gives the sources', async () => {
  const result = await run(['actorflow-source']);
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout.trim(), '20 function');
});

test('without it the package name gives dist/, the compiled package', async () => {
  if (existsSync(join(root, 'dist', 'api', 'index.js'))) return; // built: both resolve; nothing to tell apart
  const result = await run([]);
  assert.is.not(result.code, 0);
  assert.match(result.stderr, /dist/);
});

test.run();
