// The web dashboard end to end in a real browser: Debian's chromium driven by playwright-core,
// against a JobManager and a TaskManager started through the CLI on the runtime running this file
// (so the Node run checks a JobManager on Node and the Deno run one on Deno; playwright-core is a
// Node library that works under Deno's Node compatibility too), with a cluster secret and a
// running three-vertex job. The page asks for the token and refuses a wrong secret; the overview
// shows the REST API's numbers; the job graph has the job's vertices and edges; clicking a vertex
// lists its subtasks with the states REST reports; the lifecycle charts light the current states;
// the vertices, subtasks and charts show live metrics; the actor view draws the JobManager's and
// the TaskManager's supervision trees as GET /actors gives them, with states lit, and follows a
// second job's JobMaster in and out live; Trigger savepoint writes one; Cancel cancels
// the job and the page follows live; a failing job shows FAILED and its error. Screenshots go to a temporary directory whose
// path is printed (they are artifacts to look at, not compared).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { restAuthorization, restToken } from '../../actors/rest/rest-auth.ts';
import type { ActorSnapshot } from '../../actors/index.ts';
import type { ActorSystemsReport } from '../../actors/rest/cluster-service.ts';
import { currentRuntime, TestCluster, waitUntil } from '../e2e/cluster/support.ts';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'dashboard browser test secret';
const JOB = 'tests/dashboard/fixtures/dashboard-job.ts';
const FAILING_JOB = 'tests/dashboard/fixtures/failing-job.ts';
const cluster = new TestCluster({ ACTORFLOW_CLUSTER_SECRET: SECRET });
const screenshots = mkdtempSync(join(tmpdir(), `actorflow-dashboard-${currentRuntime}-`));
const profile = mkdtempSync(join(tmpdir(), 'actorflow-chromium-profile-'));
let context: BrowserContext;
let page: Page;
let jobId = '';
let failingJobId = '';

interface Detail {
  state: string;
  vertices: { id: string; name: string; parallelism: number; subtasks: { subtask: number; status: string; taskmanager: string }[] }[];
  plan?: { nodes: { id: string; inputs?: { id: string; ship_strategy: string }[] }[] };
}

/** Every actor of a tree, parents first. */
function flattenActors(tree: readonly ActorSnapshot[]): ActorSnapshot[] {
  return tree.flatMap((node) => [node, ...flattenActors(node.children)]);
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
  // Both submitted at once (each client command is a process of its own): the failing job has failed long before it is looked at.
  const [submit, failing] = await Promise.all([
    cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2', '--detached']),
    cluster.run(['run', FAILING_JOB, '--jobmanager', cluster.jobmanager, '--detached']),
  ]);
  assert.is(submit.code, 0, submit.stderr);
  assert.is(failing.code, 0, failing.stderr);
  jobId = /[0-9a-f]{32}/.exec(submit.stdout)![0];
  failingJobId = /[0-9a-f]{32}/.exec(failing.stdout)![0];
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

test('the page asks for the token, refuses a wrong secret, logs in with the token or the secret, and logs out', async () => {
  await page.goto(`${cluster.restUrl}/`);
  await page.locator('[data-testid=login]').waitFor({ timeout: 20_000 });
  await page.fill('[data-testid=login] input[name=secret]', 'not the secret');
  await page.click('[data-testid=login] button[type=submit]');
  await page.locator('[data-testid=login-error]').waitFor({ timeout: 10_000 });
  // The token itself logs in too; Log out forgets it and asks again.
  await page.fill('[data-testid=login] input[name=secret]', restToken(SECRET));
  await page.click('[data-testid=login] button[type=submit]');
  await page.locator('[data-testid=overview]').waitFor({ timeout: 10_000 });
  await page.click('text=Log out');
  await page.locator('[data-testid=login]').waitFor({ timeout: 10_000 });
  assert.is(await page.evaluate<string | null>("sessionStorage.getItem('actorflow.restToken')"), null);
  await page.fill('[data-testid=login] input[name=secret]', SECRET);
  await page.click('[data-testid=login] button[type=submit]');
  await page.locator('[data-testid=overview]').waitFor({ timeout: 10_000 });
  const stored = await page.evaluate<string | null>("sessionStorage.getItem('actorflow.restToken')");
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

test('the graph, the subtasks and the charts show live metrics; the overview shows every process', async () => {
  const detail = await rest<Detail>(`/jobs/${jobId}`);
  const source = detail.vertices[0];
  const sourceText = page.locator(`[data-testid=job-graph] g.vertex[data-vertex="${source.id}"]`);
  // The generator emits 500 records/s: the source's figure is a positive rate, not "–" or 0.
  await waitUntil(async () => /out (?!0\/s)(?!–)[0-9.]+k?\/s/.test(await sourceText.textContent() ?? ''), 'the source\'s records/s shown', 30_000)
    .catch(async (e: Error) => { throw new Error(`${e.message}: ${await sourceText.textContent()}`); });
  const aggregated = await rest<{ id: string; sum: number }[]>(`/jobs/${jobId}/vertices/${source.id}/subtasks/metrics?get=numRecordsOutPerSecond&agg=sum`);
  assert.ok(aggregated[0].sum > 0, JSON.stringify(aggregated));
  assert.match(await sourceText.textContent() ?? '', /busy \d+% · back-pressured \d+%/);
  const rows = page.locator('[data-testid=subtask-table] tbody tr');
  await waitUntil(async () => (await rows.nth(0).locator('td').nth(4).textContent()) !== '–', 'per-subtask records/s shown', 30_000);
  await page.locator('[data-testid=throughput-chart] canvas').waitFor({ timeout: 20_000 });
  await page.locator('[data-testid=checkpoint-chart] canvas').waitFor({ timeout: 20_000 });
  // A completed checkpoint: the newest row may still be in progress, acknowledged by none yet.
  const checkpoint = page.locator('[data-testid=checkpoint-table] tr.expandable', { hasText: 'COMPLETED' }).first();
  await checkpoint.waitFor({ timeout: 20_000 });
  await checkpoint.click();
  // The folded-out row lists the checkpoint's vertices, each acknowledged by all its subtasks.
  const acks = await page.locator('[data-testid=checkpoint-table] .details-row tbody tr').evaluateAll((rows) => rows.map((r) => r.children[1].textContent));
  assert.equal(acks, detail.vertices.map((v) => `${v.parallelism}/${v.parallelism}`));
  await page.screenshot({ path: join(screenshots, 'job-metrics.png'), fullPage: true });
  await page.goto(`${cluster.restUrl}/#/`);
  const processes = page.locator('[data-testid=process-metrics] tbody tr');
  await waitUntil(async () => await processes.count() === 2, 'the JobManager and the TaskManager listed', 20_000);
  assert.match(await processes.nth(0).textContent() ?? '', /^jobmanager\s*[0-9.]+ (KiB|MiB|GiB)/);
  await page.goto(`${cluster.restUrl}/#/jobs/${jobId}`);
  await page.locator('[data-testid=job-graph]').waitFor();
});

test('the actor view shows the JobManager\'s and the TaskManager\'s supervision trees as REST gives them, and follows live', async () => {
  await page.goto(`${cluster.restUrl}/#/actors`);
  const jmPanel = page.locator('[data-testid=actor-system][data-process=jobmanager]');
  await jmPanel.waitFor({ timeout: 20_000 });
  const report = await rest<ActorSystemsReport>('/actors');
  assert.equal(report.unanswered, []);
  // Every actor REST lists is drawn with its state lit (the running job's part of the tree is stable).
  const jobMasterPath = flattenActors(report.jobManager!.tree).find((a) => a.name === `jobmaster-${jobId}`)!.path;
  for (const actor of flattenActors(report.jobManager!.tree)) {
    const row = jmPanel.locator(`li[data-actor-path="${actor.path}"]`).first();
    await row.waitFor({ timeout: 20_000 });
    assert.is(await row.getAttribute('data-state'), actor.state, actor.path);
  }
  assert.is(await jmPanel.locator(`li[data-actor-path="${jobMasterPath}"]`).getAttribute('data-state'), 'running');
  await untilShown('[data-testid=actor-system][data-process=jobmanager] [data-testid=actor-count]',
    async () => String((await rest<ActorSystemsReport>('/actors')).jobManager!.actors), 'the JobManager\'s actor count');
  const [tm] = report.taskManagers;
  const tmPanel = page.locator(`[data-testid=actor-system][data-process="${tm.id}"]`);
  await tmPanel.waitFor({ timeout: 20_000 });
  const executor = tm.snapshot!.tree.find((a) => a.name === 'taskmanager')!;
  assert.is(await tmPanel.locator(`li[data-actor-path="${executor.path}"]`).getAttribute('data-state'), 'running');
  assert.match(await tmPanel.locator(`li[data-actor-path="${executor.path}"] [data-testid=actor-mailbox]`).first().textContent() ?? '', /^mailbox \d+$/);
  assert.match(await tmPanel.locator('[data-testid=dead-letters]').textContent() ?? '', /^\d+$/);
  // Clicking an actor draws its lifecycle machine with the current state lit.
  await jmPanel.locator(`li[data-actor-path="${jobMasterPath}"] > .actor-row`).click();
  await untilShown('[data-testid=actor-lifecycle] .state.current text', async () => 'running', 'the JobMaster\'s lifecycle lit');
  await page.screenshot({ path: join(screenshots, 'actors.png'), fullPage: true });

  // Live: a second job's JobMaster appears in the tree without a reload, and leaves it when cancelled.
  const second = await cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '1', '--detached']);
  assert.is(second.code, 0, second.stderr);
  const secondId = /[0-9a-f]{32}/.exec(second.stdout)![0];
  const secondRow = jmPanel.locator(`li[data-actor-path$="/jobmaster-${secondId}"]`);
  await waitUntil(async () => await secondRow.count() === 1, 'the second job\'s JobMaster shown', 30_000);
  const cancelled = await fetch(`${cluster.restUrl.replace(/\/$/, '')}/jobs/${secondId}?mode=cancel`, { method: 'PATCH', headers: { authorization: restAuthorization(SECRET) } });
  assert.is(cancelled.status, 202, await cancelled.text());
  await waitUntil(async () => await secondRow.count() === 0, 'the cancelled job\'s JobMaster gone from the tree', 30_000);
  await page.goto(`${cluster.restUrl}/#/jobs/${jobId}`);
  await page.locator('[data-testid=job-graph]').waitFor();
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
  const history = page.locator('[data-testid=job-lifecycle] .history li');
  await waitUntil(async () => (await history.allTextContents()).some((h) => /RUNNING → (CANCELLING|CANCELED)/.test(h)), 'the change listed', 10_000)
    .catch(async (e: Error) => { throw new Error(`${e.message}: ${(await history.allTextContents()).join(' | ')}`); });
  assert.ok(await page.locator('[data-testid=job-lifecycle] .transition.taken').count() >= 1, 'the taken transition is drawn bold');
  await page.screenshot({ path: join(screenshots, 'cancelled.png'), fullPage: true });
});

test('a failing job explains itself: FAILED, and its error in the exception table', async () => {
  const failing = failingJobId;
  await waitUntil(async () => (await rest<Detail>(`/jobs/${failing}`)).state === 'FAILED', 'the job failed', 60_000);
  await page.goto(`${cluster.restUrl}/#/jobs/${failing}`);
  await untilShown('[data-testid=job-lifecycle] .state.current text', async () => 'FAILED', 'the job lifecycle lit at FAILED');
  const table = page.locator('[data-testid=exception-table]');
  await table.waitFor({ timeout: 20_000 });
  assert.match(await table.textContent() ?? '', /dashboard test failure at record 20/);
  await page.screenshot({ path: join(screenshots, 'failed.png'), fullPage: true });
});

test.run();
