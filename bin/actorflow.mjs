#!/usr/bin/env node
// The `actorflow` command on Node. In a checkout it runs the TypeScript sources through the tsx
// loader; an installed package carries no sources, only the compiled JavaScript in dist/, which
// plain Node runs. (On Deno run `deno run -A bin/cli.ts` directly.)
import { existsSync, readFileSync } from 'node:fs';

const sources = new URL('./cli.ts', import.meta.url);

if (process.argv.length === 3 && ['--version', '-V'].includes(process.argv[2])) {
  console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
} else if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import(new URL('../dist/bin/cli.js', import.meta.url).href);
}
