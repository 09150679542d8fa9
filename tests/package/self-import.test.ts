// In the checkout, the package name resolves to the TypeScript sources (package.json's exports
// name them; the packed manifest names dist/ instead, see bin/pack-manifest.mjs): a file importing
// 'actorflow' and 'actorflow/actors' runs under plain tsx on Node and plain `deno run` on Deno (the
// runtime running this file), with no build step — the contract for programs inside the checkout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

test('inside the checkout the package name gives the sources, with no build', async () => {
  const result = await run([]);
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout.trim(), '20 function');
});

test('the packed manifest names the compiled package for every source export', async () => {
  const { publishedManifest } = await import('../../bin/pack-manifest.mjs' as string);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.is(manifest.exports['.'], './api/index.ts');
  const published = publishedManifest(manifest);
  assert.equal(published.exports['.'], { types: './dist/api/index.d.ts', import: './dist/api/index.js' });
  assert.equal(published.exports['./actors'], { types: './dist/actors/index.d.ts', import: './dist/actors/index.js' });
  assert.equal(published.exports['./testing'], { types: './dist/testing/index.d.ts', import: './dist/testing/index.js' });
  assert.is(published.exports['./package.json'], './package.json');
  assert.is(published.types, './dist/api/index.d.ts');
});

test.run();
