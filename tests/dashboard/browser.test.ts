// The web dashboard end to end in a real browser: Debian's chromium driven by playwright-core,
// against a JobManager and a TaskManager started through the CLI on the runtime running this file
// (so the Node run checks a JobManager on Node and the Deno run one on Deno; playwright-core is a
// Node library that works under Deno's Node compatibility too), with a cluster secret and a
// running three-vertex job. The page asks for the token and refuses a wrong secret; the overview
// shows the REST API's numbers; the job graph has the job's vertices and edges; clicking a vertex
// lists its subtasks with the states REST reports; the lifecycle charts light the current states;
// Trigger savepoint writes one; Cancel cancels the job and the page follows live. Screenshots go to a temporary directory whose
// path is printed (they are artifacts to look at, not compared).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { restAuthorization } from '../../actors/rest/rest-auth.ts';
import { currentRuntime, TestCluster, waitUntil } from '../e2e/cluster/support.ts';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'dashboard browser test secret';
const JOB = 'tests/dashboard/fixtures/dashboard-job.ts';
const cluster = new TestCluster({ ACTORFLOW_CLUSTER_SECRET: SECRET });
const screenshots = mkdtempSync(join(tmpdir(), `actorflow-dashboard-${currentRuntime}-`));
const profile = mkdtempSync(join(tmpdir(), 'actorflow-chromium-profile-'));
let context: BrowserContext;
let page: Page;
let jobId = '';

interface Detail {
  state: string;
  vertices: { id: string; name: string; parallelism: number; subtasks: { subtask: number; status: string; taskmanager: string }[] }[];
  plan?: { nodes: { id: string; inputs?: { id: string; ship_strategy: string }[] }[] };
}

/** GET a JSON resource of the REST API with the token. */
async function rest<T>(path: string): Promise<T> {
  const response = await fetch(cluster.restUrl.replace(/\/$/, '') + path, { headers: { authorization: restAuthorization(SECRET) } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return await response.json() as T;
}

/** Waits until the page's text at `selector` equals what `expected()` (a REST read) gives, both read afresh each round. */
async function untilShown(selector: string, expected: () => Promise<string>, what: string): Promise<void> {
  let last = '';
  await waitUntil(async () => {
    const want = await expected();
    const shown = (await page.locator(selector).first().textContent({ timeout: 20_000 }))?.trim() ?? '';
    last = `page shows "${shown}", REST says "${want}"`;
    return shown === want;
  }, `${what} (${last})`, 30_000).catch((error: Error) => { throw new Error(`${error.message}: ${last}`); });
}

test.before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  await cluster.startJobManager(currentRuntime);
  await cluster.startTaskManager(currentRuntime, 4);
  const submit = await cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2', '--detached']);
  assert.is(submit.code, 0, submit.stderr);
  jobId = /[0-9a-f]{32}/.exec(submit.stdout)![0];
  await waitUntil(async () => {
    const d = await rest<Detail>(`/jobs/${jobId}`);
    return d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING'));
  }, 'every subtask RUNNING');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('dialog', (dialog) => { void dialog.accept(); });
  console.log(`dashboard screenshots (${currentRuntime} JobManager): ${screenshots}`);
});

test.after(async () => {
  await context?.close();
  await cluster.stop();
  rmSync(profile, { recursive: true, force: true });
});

test('the page asks for the token, refuses a wrong secret and logs in with the right one', async () => {
  await page.goto(`${cluster.restUrl}/`);
  await page.locator('[data-testid=login]').waitFor({ timeout: 20_000 });
  await page.fill('[data-testid=login] input[name=secret]', 'not the secret');
  await page.click('[data-testid=login] button[type=submit]');
  await page.locator('[data-testid=login-error]').waitFor({ timeout: 10_000 });
  await page.fill('[data-testid=login] input[name=secret]', SECRET);
  await page.click('[data-testid=login] button[type=submit]');
  await page.locator('[data-testid=overview]').waitFor({ timeout: 10_000 });
  const stored = await page.evaluate(() => sessionStorage.getItem('actorflow.restToken'));
  assert.is(`Bearer ${stored}`, restAuthorization(SECRET), 'the token is kept, not the secret');
});

test('the overview shows the REST API\'s numbers and lists the job', async () => {
  for (const key of ['taskmanagers', 'slots-total', 'slots-available', 'jobs-running', 'jobs-finished', 'jobs-cancelled', 'jobs-failed']) {
    await untilShown(`[data-testid=${key}]`, async () => String((await rest<Record<string, number>>('/overview'))[key]), key);
  }
  assert.is(await page.locator('[data-testid=taskmanagers]').textContent(), '1');
  const row = page.locator(`[data-testid=job-list] tr[data-jid="${jobId}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.match(await row.textContent() ?? '', /RUNNING/);
  await page.screenshot({ path: join(screenshots, 'overview.png'), fullPage: true });
});

test('the job graph has the job\'s vertices and edges; a vertex lists its subtasks as REST reports them', async () => {
  await page.click(`[data-testid=job-list] tr[data-jid="${jobId}"] a`);
  const detail = await rest<Detail>(`/jobs/${jobId}`);
  assert.is(detail.vertices.length, 3, 'source, map and sum are three chains');
  const edges = (detail.plan?.nodes ?? []).flatMap((n) => (n.inputs ?? []).map((i) => `${i.id}->${n.id} ${i.ship_strategy}`));
  assert.equal(edges.map((e) => e.split(' ')[1]).sort(), ['HASH', 'REBALANCE']);
  const vertices = page.locator('[data-testid=job-graph] g.vertex');
  await waitUntil(async () => await vertices.count() === detail.vertices.length, 'the graph drawn');
  assert.is(await page.locator('[data-testid=job-graph] g.edge').count(), edges.length);
  assert.equal((await page.locator('[data-testid=job-graph] g.edge text').allTextContents()).sort(), ['HASH', 'REBALANCE']);
  await untilShown('[data-testid=job-lifecycle] .state.current text', async () => (await rest<Detail>(`/jobs/${jobId}`)).state, 'the job lifecycle lit');

  const vertex = detail.vertices[1];
  await page.click(`[data-testid=job-graph] g.vertex[data-vertex="${vertex.id}"]`);
  const rows = page.locator('[data-testid=subtask-table] tbody tr');
  await waitUntil(async () => await rows.count() === vertex.parallelism, 'a row per subtask');
  const now = await rest<Detail>(`/jobs/${jobId}`);
  const subtasks = now.vertices.find((v) => v.id === vertex.id)!.subtasks;
  for (const s of subtasks) {
    const cells = await rows.nth(s.subtask).locator('td').allTextContents();
    assert.equal([cells[0], cells[1], cells[3]], [String(s.subtask), s.status, s.taskmanager], `subtask ${s.subtask}`);
  }
  assert.match(await page.locator('[data-testid=vertex-panel] h3').textContent() ?? '', new RegExp(vertex.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await page.locator('[data-testid=subtask-lifecycle]').waitFor();
  assert.is(await page.locator('[data-testid=subtask-lifecycle]').getAttribute('data-current'), 'running');
  await rows.nth(1).click();
  await waitUntil(async () => (await page.locator('[data-testid=subtask-lifecycle]').locator('..').locator('h4').textContent()) === 'Subtask 1 lifecycle', 'subtask 1 selected');
  await page.screenshot({ path: join(screenshots, 'job.png'), fullPage: true });
});

test('Trigger savepoint writes a savepoint and says where', async () => {
  await page.click('[data-testid=savepoint]');
  const message = page.locator('[data-testid=action-message]');
  await waitUntil(async () => !/…$/.test(await message.textContent() ?? '…'), 'the savepoint answered', 30_000);
  const text = await message.textContent() ?? '';
  assert.match(text, /^savepoint written to \S+/, text);
  const location = text.replace(/^savepoint written to /, '');
  assert.ok(existsSync(location), `the savepoint ${location} exists`);
});

test('Cancel cancels the job, and the page follows live: state, lifecycle chart and the transitions it saw', async () => {
  await page.click('[data-testid=cancel]');
  await waitUntil(async () => (await rest<Detail>(`/jobs/${jobId}`)).state === 'CANCELED', 'the job cancelled through the button');
  await untilShown('[data-testid=job-lifecycle] .state.current text', async () => 'CANCELED', 'the lifecycle chart follows');
  const history = await page.locator('[data-testid=job-lifecycle] .history li').allTextContents();
  assert.ok(history.some((h) => /RUNNING → (CANCELLING|CANCELED)/.test(h)), history.join(' | '));
  assert.ok(await page.locator('[data-testid=job-lifecycle] .transition.taken').count() >= 1, 'the taken transition is drawn bold');
  await page.screenshot({ path: join(screenshots, 'cancelled.png'), fullPage: true });
});

test.run();
