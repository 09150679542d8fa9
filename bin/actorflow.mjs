#!/usr/bin/env node
// The `actorflow` command on Node: registers the TypeScript loader, then runs the CLI.
// (On Deno run `deno run -A bin/cli.ts` directly.)
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
