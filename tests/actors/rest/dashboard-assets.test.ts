// The committed dashboard bundle (actors/rest/dashboard-assets.ts) is what dashboard/ builds to:
// a change to the front end without `npm run build:dashboard` fails here. Also: the dashboard's
// sources type-check (they are browser code, outside the project's own tsconfig), and the page
// references exactly the built script and stylesheet of this version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASSETS_MODULE, assetsModuleSource, buildDashboard } from '../../../dashboard/build.ts';
import { DASHBOARD_ASSETS } from '../../../actors/rest/dashboard-assets.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the committed bundle is the build of the dashboard sources (else run npm run build:dashboard)', async () => {
  const build = await buildDashboard();
  const committed = readFileSync(ASSETS_MODULE, 'utf8');
  if (committed !== assetsModuleSource(build)) {
    assert.unreachable(`actors/rest/dashboard-assets.ts is out of date with dashboard/ (committed version ${DASHBOARD_ASSETS.hash}, sources build ${build.hash}): run npm run build:dashboard`);
  }
  assert.is(DASHBOARD_ASSETS.hash, build.hash);
  assert.ok(build.js.length > 10_000 && build.css.length > 1_000, 'the bundle holds the application and its styles');
  assert.ok(build.html.includes(`dashboard/app.js?v=${build.hash}`) && !build.html.includes('{{hash}}'));
});

test('two builds of the same sources are byte for byte the same (the check above cannot flap)', async () => {
  const [a, b] = await Promise.all([buildDashboard(), buildDashboard()]);
  assert.ok(a.js === b.js && a.css === b.css && a.hash === b.hash);
});

test('the dashboard sources type-check (strict, DOM)', () => {
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', `file://${root}`));
  const result = spawnSync('node', [tsc, '--noEmit', '-p', 'dashboard/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  assert.is(result.status, 0, `${result.stdout}${result.stderr}`);
});

test.run();
