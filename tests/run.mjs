#!/usr/bin/env node
// The test command: type-check, then every tests/**/*.test.ts on Node (through tsx) and on Deno,
// each file in its own process, two at a time. A file that fails is run once more, alone in its
// slot: a file that then passes is reported as flaky by name (with its first failure's output) and
// counts as passed; one that fails twice counts as failed. The failing and flaky files are listed
// again at the end, just before the closing line `N passed, N failed`.
// Usage: node tests/run.mjs [--node-only|--deno-only] [--no-typecheck] [path-substring ...]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filters = args.filter((a) => !a.startsWith('--'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? 2);
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 120_000);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

/** Process groups of the test files running now (killed whole: tsx runs the test in a child of its own). */
const groups = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { for (const pid of groups) killGroup(pid); process.exit(130); });
}

function killGroup(pid) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

/**
 * The time a file may take: FILE_TIMEOUT_MS, or longer where the file's header says
 * `test-timeout-ms: N` (the few that build, pack and install, and slow down most on a busy machine).
 */
function timeoutOf(file) {
  const declared = /test-timeout-ms:\s*(\d+)/.exec(readFileSync(file, 'utf8').slice(0, 2000));
  return declared ? Math.max(FILE_TIMEOUT_MS, Number(declared[1])) : FILE_TIMEOUT_MS;
}

function run(cmd, argv, { quiet = false, timeoutMs = FILE_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    groups.add(child.pid);
    // Whatever the file left running (a process it spawned and lost track of) ends with it.
    child.on('exit', () => killGroup(child.pid));
    let output = '';
    child.stdout.on('data', (d) => { output += d; if (!quiet) process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; if (!quiet) process.stderr.write(d); });
    // The whole group: a grandchild left behind would hold the pipes open and 'close' never come.
    const timer = setTimeout(() => { output += `\n(timed out after ${timeoutMs} ms)\n`; killGroup(child.pid); }, timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); groups.delete(child.pid); resolve({ code: code ?? (signal ? 1 : 0), output }); });
  });
}

/** Reads uvu's closing summary; a file that crashed before reporting counts as one failure. */
function tally(result) {
  const total = /Total:\s+(\d+)/.exec(result.output);
  const passed = /Passed:\s+(\d+)/.exec(result.output);
  const skipped = /Skipped:\s+(\d+)/.exec(result.output);
  if (!total || !passed) return { passed: 0, failed: 1, skipped: 0 };
  const t = Number(total[1]), p = Number(passed[1]), s = skipped ? Number(skipped[1]) : 0;
  const failed = t - p - s;
  return { passed: p, failed: failed === 0 && result.code !== 0 ? 1 : failed, skipped: s };
}

async function runAll(runtime, files) {
  const command = runtime === 'node'
    ? (f) => [bin('tsx'), [f]]
    : (f) => [bin('deno'), ['run', '--allow-all', '--unstable-kv', f]];
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  const flaky = [];
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const file = files[next++];
      const [cmd, argv] = command(file);
      const name = relative(root, file);
      const timeoutMs = timeoutOf(file);
      const first = await run(cmd, argv, { quiet: true, timeoutMs });
      let result = first;
      let t = tally(first);
      if (t.failed) {
        console.log(`[${runtime}] retry ${name} (failed once: ${t.failed} failed)`);
        result = await run(cmd, argv, { quiet: true, timeoutMs });
        const again = tally(result);
        if (again.failed === 0) flaky.push({ name, output: tail(first.output) });
        t = again;
      }
      totals.passed += t.passed; totals.failed += t.failed; totals.skipped += t.skipped;
      console.log(`[${runtime}] ${t.failed ? 'FAIL' : 'ok  '} ${name} (${t.passed} passed, ${t.failed} failed)`);
      if (t.failed) { failures.push({ name, output: tail(result.output) }); console.log(result.output.replace(/^/gm, '    ')); }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ...totals, failures, flaky };
}

/** The last lines of a file's output: where uvu prints the failed assertion and its stack. */
function tail(output, lines = 40) {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

const files = findTests(join(root, 'tests')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
let passed = 0, failed = 0, skipped = 0;
if (!flags.has('--no-typecheck')) {
  const tsc = await run(bin('tsc'), ['--noEmit', '-p', '.']);
  if (tsc.code === 0) { console.log('[tsc] ok'); passed++; } else { console.log('[tsc] FAIL'); failed++; }
}
const report = [];
for (const runtime of ['node', 'deno']) {
  if (flags.has(`--${runtime === 'node' ? 'deno' : 'node'}-only`)) continue;
  const r = await runAll(runtime, files);
  passed += r.passed; failed += r.failed; skipped += r.skipped;
  for (const f of r.flaky) report.push(`[${runtime}] flaky (failed, then passed): ${f.name}\n${f.output.replace(/^/gm, '    ')}`);
  for (const f of r.failures) report.push(`[${runtime}] failing: ${f.name}\n${f.output.replace(/^/gm, '    ')}`);
}
if (report.length) console.log(report.join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
