// checkBundle: what is refused before a bundle is stored or imported (empty, over the limit, not
// UTF-8, not an ES module, no default export), that every form of a default export passes, that a
// real bundle passes, and that checking runs none of the bundle's code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { BundleRejectedError, checkBundle } from '../../../actors/deploy/bundle-check.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { loadJobModule } from '../../../actors/deploy/job-loader.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const MAX = 1024 * 1024;

async function refusal(bundle: Uint8Array, max = MAX): Promise<string> {
  try {
    await checkBundle(bundle, max);
  } catch (error) {
    assert.instance(error, BundleRejectedError);
    return (error as Error).message;
  }
  throw new Error('checkBundle accepted the bundle');
}

test('empty, over the limit, not UTF-8: refused with the reason', async () => {
  assert.match(await refusal(new Uint8Array()), 'empty');
  assert.match(await refusal(text('export default () => {};'), 10), 'has 24 bytes, more than the 10 this JobManager accepts');
  assert.match(await refusal(Uint8Array.of(0x65, 0x78, 0xff, 0xfe)), 'not UTF-8 text');
});

test('a module that does not parse or has no default export is refused', async () => {
  assert.match(await refusal(text('export default function (env) {')), /not a valid ES module: 1:\d+: Unexpected end of file/);
  assert.match(await refusal(text('@'.repeat(100))), 'not a valid ES module');
  assert.match(await refusal(text('export const notAJob = 42;')), 'has no default export');
  // A comment is not code: esbuild drops it before the export is looked for.
  assert.match(await refusal(text('export const x = 1; // export default x\n/* export { x as default } */')), 'has no default export');
});

test('every syntactic form of a default export passes', async () => {
  for (const source of [
    'export default function (env) {}',
    'export default (env) => {};',
    'const f = () => {}; export { f as default };',
    'const f = () => {}; export { f as "default" };',
    "export { default } from 'node:path';",
    "export { default as default } from 'node:path';",
  ]) await checkBundle(text(source), MAX);
});

test('a real bundle passes, and checking it runs none of its code (its import would write a marker)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-check-test-'));
  const marker = join(dir, 'marker');
  env.AF_IMPORT_MARKER = marker;
  try {
    const bundle = await bundleJob(fixture('import-marker-job.ts'));
    await checkBundle(bundle, MAX);
    assert.not.ok(existsSync(marker), 'checkBundle ran the bundle');
    await loadJobModule(bundle, 'import-marker-check');
    assert.ok(existsSync(marker), 'importing the bundle writes the marker (the check above can fail)');
  } finally {
    delete env.AF_IMPORT_MARKER;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
