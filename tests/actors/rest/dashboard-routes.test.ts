// The web dashboard's routes: with a cluster secret, the page and its script and stylesheet are
// served without the token (and reach no service method), while the lifecycle graphs and every
// data route still answer 401 without it and work with it; only GET of exactly those asset paths
// is open. The page carries a content security policy and loads only its own assets; the assets
// revalidate by ETag. Over a real socket too (Node's server or Deno's).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterService } from '../../../actors/rest/cluster-service.ts';
import { DASHBOARD_ASSETS } from '../../../actors/rest/dashboard-assets.ts';
import { dashboardLifecycles } from '../../../actors/rest/dashboard-lifecycles.ts';
import { restAuthorization } from '../../../actors/rest/rest-auth.ts';
import { createRestApp, startRestServer } from '../../../actors/rest/rest-server.ts';
import { MiniClusterService } from './mini-cluster-service.ts';

const SECRET = 'dashboard routes secret';
const service = new MiniClusterService();
/** Every ClusterService method a request reached. */
const reached: string[] = [];
const spied = new Proxy(service, {
  get: (target, key) => {
    const value = (target as any)[key];
    return typeof value === 'function' ? (...args: unknown[]) => { reached.push(String(key)); return value.apply(target, args); } : value;
  },
}) as ClusterService;
const secured = createRestApp(spied, { secret: SECRET });
const open = createRestApp(spied, {});
const token = { authorization: restAuthorization(SECRET) };

test.after(async () => {
  await secured.shutdown();
  await open.shutdown();
  await service.close();
});

test('with a secret, the page, script and stylesheet are served without a token and reach no service method', async () => {
  reached.length = 0;
  for (const [path, type, body] of [
    ['/', 'text/html', DASHBOARD_ASSETS.html], ['/index.html', 'text/html', DASHBOARD_ASSETS.html],
    ['/dashboard/app.js', 'text/javascript', DASHBOARD_ASSETS.js], ['/dashboard/app.css', 'text/css', DASHBOARD_ASSETS.css],
  ] as const) {
    const response = await secured.app.request(path);
    assert.is(response.status, 200, path);
    assert.ok(response.headers.get('content-type')!.startsWith(type), `${path}: ${response.headers.get('content-type')}`);
    assert.is(response.headers.get('x-content-type-options'), 'nosniff');
    assert.is(response.headers.get('etag'), `"${DASHBOARD_ASSETS.hash}"`);
    assert.ok(await response.text() === body, `${path} serves the built asset`);
  }
  assert.equal(reached, []);
});

test('the page loads only its own assets, under a content security policy', async () => {
  const response = await secured.app.request('/');
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  const page = await response.text();
  const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(refs, [`dashboard/app.css?v=${DASHBOARD_ASSETS.hash}`, `dashboard/app.js?v=${DASHBOARD_ASSETS.hash}`]);
  assert.not.match(DASHBOARD_ASSETS.js + DASHBOARD_ASSETS.css, /https?:\/\/(?!www\.w3\.org\/)[a-z0-9.-]+\.[a-z]{2,}\/[^\s"']*\.(js|css|woff2?)\b/i,
    'no asset is loaded from elsewhere (no CDN)');
});

test('with a secret, the lifecycle graphs and data routes need the token; so does anything else under the page', async () => {
  reached.length = 0;
  for (const [method, path] of [
    ['GET', '/dashboard/lifecycles'], ['GET', '/overview'], ['GET', '/jobs/overview'], ['GET', '/dashboard/app.js.map'],
    ['GET', '/dashboard/'], ['GET', '/index.htm'], ['POST', '/'], ['PUT', '/dashboard/app.js'], ['GET', '/dashboard/app.js/x'],
  ] as const) {
    const response = await secured.app.request(path, { method });
    assert.is(response.status, 401, `${method} ${path}`);
    assert.is(response.headers.get('www-authenticate'), 'Bearer realm="actorflow"');
  }
  assert.equal(reached, []);
  const lifecycles = await secured.app.request('/dashboard/lifecycles', { headers: token });
  assert.is(lifecycles.status, 200);
  assert.equal(await lifecycles.json(), JSON.parse(JSON.stringify(dashboardLifecycles())));
  const overview = await secured.app.request('/overview', { headers: token });
  assert.is(overview.status, 200);
  assert.is((await overview.json() as { taskmanagers: number }).taskmanagers, 2);
});

test('an asset the browser holds is answered 304 without a body; another version is sent again', async () => {
  for (const path of ['/', '/dashboard/app.js', '/dashboard/app.css']) {
    const same = await secured.app.request(path, { headers: { 'if-none-match': `W/"${DASHBOARD_ASSETS.hash}", "other"` } });
    assert.is(same.status, 304, path);
    assert.is(await same.text(), '');
    const other = await secured.app.request(path, { headers: { 'if-none-match': '"0123456789abcdef"' } });
    assert.is(other.status, 200, path);
  }
});

test('without a secret, page and lifecycle graphs are served without a token', async () => {
  assert.is((await open.app.request('/')).status, 200);
  assert.is((await open.app.request('/dashboard/lifecycles')).status, 200);
});

test('over a socket: the page without a token, the lifecycle graphs only with it', async () => {
  const server = await startRestServer(spied, { port: 0, secret: SECRET });
  try {
    const page = await fetch(`${server.url}/`);
    assert.is(page.status, 200);
    assert.ok((await page.text()).includes(`dashboard/app.js?v=${DASHBOARD_ASSETS.hash}`));
    const script = await fetch(`${server.url}/dashboard/app.js`);
    assert.is((await script.text()).length, DASHBOARD_ASSETS.js.length);
    const refused = await fetch(`${server.url}/dashboard/lifecycles`);
    assert.is(refused.status, 401);
    await refused.body?.cancel();
    const allowed = await fetch(`${server.url}/dashboard/lifecycles`, { headers: token });
    assert.is(allowed.status, 200);
    assert.is((await allowed.json() as { job: { initial: string } }).job.initial, 'CREATED');
  } finally {
    await server.close();
  }
});

test.run();
