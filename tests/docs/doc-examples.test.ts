// Runs every ```ts runnable block of docs/**/*.md as a program of its own and checks it exits 0
// (and prints what its `// prints:` comments say), so the documentation's examples cannot rot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** One runnable example: where it is and its source. */
export interface DocExample { file: string; line: number; code: string }

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // The generated API reference is not hand-written documentation.
    if (statSync(path).isDirectory()) { if (name !== 'reference') out.push(...markdownFiles(path)); }
    else if (name.endsWith('.md')) out.push(path);
  }
  return out.sort();
}

/** The ```ts runnable blocks of a markdown text, with the line each starts on. */
export function extractExamples(file: string, text: string): DocExample[] {
  const out: DocExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s+runnable\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: runnable block is never closed`);
    out.push({ file, line: i + 1, code: lines.slice(start, end).join('\n') + '\n' });
    i = end;
  }
  return out;
}

/** The text each `// prints: ...` comment expects, in order. */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1].trim());
}

test('extractExamples finds only runnable blocks and reports an unclosed one', () => {
  const md = '```ts\nnot run\n```\n```ts runnable\nconsole.log(1); // prints: 1\n```\n';
  const found = extractExamples('x.md', md);
  assert.is(found.length, 1);
  assert.is(found[0].line, 4);
  assert.equal(expectedOutput(found[0].code), ['1']);
  assert.throws(() => extractExamples('y.md', '```ts runnable\nx\n'), /y\.md:1: runnable block is never closed/);
});

/** How an example program ended. */
interface Run { status: number | string; stdout: string; stderr: string }

/** Runs one file on the runtime running this test (tsx on Node, deno on Deno), killed after 60 s. */
function runFile(path: string): Promise<Run> {
  const [cmd, args] = isDeno
    ? [(globalThis as unknown as { Deno: { execPath(): string } }).Deno.execPath(), ['run', '--allow-all', '--unstable-kv', path]]
    : [join(root, 'node_modules', '.bin', 'tsx'), [path]];
  return new Promise((resolve) => {
    // Deno colours console output whenever FORCE_COLOR is set, even to 0 (as the test runner sets it).
    const { FORCE_COLOR: _forced, ...env } = process.env;
    const child = spawn(cmd, args, { cwd: root, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ status: code ?? signal ?? 'killed', stdout: stdout.replace(/\x1b\[[0-9;]*m/g, ''), stderr }); });
  });
}

const examples = markdownFiles(join(root, 'docs')).flatMap((f) => extractExamples(relative(root, f), readFileSync(f, 'utf8')));

test('the docs have runnable examples', () => {
  assert.ok(examples.length >= 5, `only ${examples.length} runnable examples found`);
});

// Inside the checkout, so that `import ... from 'actorflow'` resolves to the sources.
const dir = mkdtempSync(join(root, 'tests', 'docs', '.examples-'));
try {
  // Started up front, three at a time, so that the examples' start-up costs overlap.
  const results = new Map<DocExample, Promise<Run>>();
  let slots = 3;
  const waiting: Array<() => void> = [];
  const acquire = () => (slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => { const next = waiting.shift(); if (next) next(); else slots++; };
  for (const ex of examples) {
    const path = join(dir, `example-${ex.line}-${ex.file.replace(/[^a-z0-9]+/gi, '-')}.ts`);
    writeFileSync(path, ex.code);
    results.set(ex, acquire().then(() => runFile(path)).finally(release));
  }
  for (const ex of examples) {
    test(`${ex.file}:${ex.line} runs`, async () => {
      const r = await results.get(ex)!;
      const where = `${ex.file}:${ex.line}`;
      assert.is(r.status, 0, `${where} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      let from = 0;
      for (const want of expectedOutput(ex.code)) {
        const at = r.stdout.indexOf(want, from);
        assert.ok(at >= 0, `${where} should print ${JSON.stringify(want)} (in order); it printed:\n${r.stdout}`);
        from = at + want.length;
      }
    });
  }
  test.after(() => rmSync(dir, { recursive: true, force: true }));
} catch (e) {
  rmSync(dir, { recursive: true, force: true });
  throw e;
}

test.run();
