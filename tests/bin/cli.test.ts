// The CLI's embedded `run`: a job file executed in this process, bad usage, a module without a default export.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from './cli-process.ts';

test('run executes a job file embedded at the requested parallelism', async () => {
  const { code, stdout, stderr } = await cli('run', 'examples/sequence-job.ts', '--parallelism', '3');
  assert.is(code, 0, stderr);
  // The rolling reduce emits every update; the last (largest) per key is the final sum.
  const finals = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const m = /^sum(?::\d+)?> \[(\d+),(\d+)\]$/.exec(line.trim());
    if (m) finals.set(m[1], Math.max(finals.get(m[1]) ?? 0, Number(m[2])));
  }
  const expected = new Map<string, number>();
  for (let n = 1; n <= 1000; n++) {
    const sq = n * n;
    if (sq % 3 === 0) expected.set(String(sq % 4), (expected.get(String(sq % 4)) ?? 0) + sq);
  }
  assert.equal([...finals].sort(), [...expected].sort());
  assert.match(stdout, /Job 'sequence-job' \(.+\) finished in \d+ ms/);
});

test('bad usage exits 2 with a clear message', async () => {
  const missing = await cli('run', 'no/such/job.ts');
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /no such job file: no\/such\/job\.ts/);
  const noArg = await cli('run');
  assert.is(noArg.code, 2);
  assert.match(noArg.stderr, /missing required argument 'job'/);
  const badP = await cli('run', 'examples/sequence-job.ts', '--parallelism', 'zero');
  assert.is(badP.code, 2);
  assert.match(badP.stderr, /expected a positive integer/);
});

test('a job without a default export is refused', async () => {
  const r = await cli('run', 'examples/word-count.ts');
  assert.is(r.code, 2);
  assert.match(r.stderr, /must export a default function/);
});

test.run();
