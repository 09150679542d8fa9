#!/usr/bin/env node
// The manifest of the published package. In the checkout, package.json's `exports` name the
// TypeScript sources, so that a file inside the checkout imports 'actorflow' under tsx or Deno with
// no build step; an installed package carries only the compiled JavaScript in dist/, so the packed
// package.json must name dist/ instead. `prepack` applies that change (after the build) and
// `postpack` restores the checkout's manifest from the copy it kept.
//   node bin/pack-manifest.mjs apply | restore
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The published form of a manifest: every `./x/index.ts` export becomes dist/'s .js and .d.ts. */
export function publishedManifest(manifest) {
  const exports = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target !== 'string' || !target.endsWith('.ts')) { exports[subpath] = target; continue; }
    const compiled = `./dist/${target.replace(/^\.\//, '').replace(/\.ts$/, '')}`;
    exports[subpath] = { types: `${compiled}.d.ts`, import: `${compiled}.js` };
  }
  return { ...manifest, exports, types: exports['.'].types };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const path = fileURLToPath(new URL('../package.json', import.meta.url));
  const kept = `${path}.checkout`;
  const command = process.argv[2];
  if (command === 'apply') {
    if (existsSync(kept)) renameSync(kept, path); // an earlier pack that never reached postpack
    const source = readFileSync(path, 'utf8');
    writeFileSync(kept, source);
    writeFileSync(path, `${JSON.stringify(publishedManifest(JSON.parse(source)), null, 2)}\n`);
  } else if (command === 'restore') {
    if (existsSync(kept)) renameSync(kept, path);
  } else {
    console.error('usage: node bin/pack-manifest.mjs apply | restore');
    process.exit(2);
  }
}
