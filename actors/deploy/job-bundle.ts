// bundleJob: turns a job file into one ESM module that can be shipped to other processes. The job
// and everything it imports (its own files, npm packages) are bundled; the actorflow package itself
// is not: its imports become placeholders (`actorflow-runtime:/api/index.ts`) that the loading
// process points at its own installation (job-loader.ts), so that the job and the runtime share
// one copy of every class. Imports esbuild and node: built-ins; nothing of api/ or of the rest of actors/.
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { runtimeSpecifier } from './runtime-specifier.ts';


/** The top-level directories of the package whose modules the runtime owns (never bundled). */
const RUNTIME_DIRS = ['api', 'state', 'actors'];

/** Entry modules of the package by the specifier a job imports them with (package.json "exports"). */
const PACKAGE_EXPORTS: Readonly<Record<string, string>> = {
  'actorflow': '/api/index.ts',
  'actorflow/actors': '/actors/index.ts',
};

/** Lets the bundled CommonJS packages `require` node built-ins from an ES module. */
const BANNER = "import { createRequire as __actorflowCreateRequire } from 'node:module';\n" +
  'const require = __actorflowCreateRequire(import.meta.url);';

/**
 * Bundles a job module and everything it imports, except the actorflow package itself (resolved
 * by the loading process against its own installation), into one ESM module.
 */
export async function bundleJob(entryFile: string): Promise<Uint8Array> {
  const entry = resolve(entryFile);
  const info = await stat(entry).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`cannot bundle job ${entryFile}: no such file`);
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      // Paths in the bundle's comments are relative to the job's directory, not to the cwd, so
      // the same job gives the same bytes (and blob key) wherever it is bundled from.
      absWorkingDir: dirname(entry),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      logLevel: 'silent',
      banner: { js: BANNER },
      plugins: [runtimeExternals()],
    });
  } catch (error) {
    throw new Error(`cannot bundle job ${entryFile}: ${describeBuildFailure(error)}`, { cause: error });
  }
  const output = result.outputFiles[0];
  if (!output) throw new Error(`cannot bundle job ${entryFile}: esbuild produced no output`);
  return output.contents;
}

/**
 * The placeholder of a file of an actorflow installation (this checkout, a copy under some
 * node_modules, a linked checkout: any directory whose package.json is named "actorflow"), or
 * undefined for any other file.
 */
export function runtimePlaceholder(file: string): string | undefined {
  const root = packageRootOf(dirname(file));
  if (root === undefined || root.name !== PACKAGE_NAME) return undefined;
  let parts = relative(root.dir, file).split(sep);
  // An installed package runs its compiled dist/: the placeholder still names the source file, so
  // that installations of either kind link a bundle made by the other.
  if (parts[0] === 'dist' && parts.length > 2 && RUNTIME_DIRS.includes(parts[1])) {
    parts = parts.slice(1);
    parts[parts.length - 1] = parts[parts.length - 1].replace(/\.js$/, '.ts');
  }
  return parts.length > 1 && RUNTIME_DIRS.includes(parts[0]) ? runtimeSpecifier(`/${parts.join('/')}`) : undefined;
}

const PACKAGE_NAME = 'actorflow';

/** A directory holding a package.json, and the name it declares. */
interface PackageRoot { readonly dir: string; readonly name: string | undefined }

/** The package.json found in each directory looked at so far (null: none there). */
const packageJsons = new Map<string, PackageRoot | null>();

/** The nearest directory at or above `dir` that holds a package.json. */
function packageRootOf(dir: string): PackageRoot | undefined {
  for (let at = dir; ; at = dirname(at)) {
    let found = packageJsons.get(at);
    if (found === undefined) {
      found = readPackageJson(at);
      packageJsons.set(at, found);
    }
    if (found !== null) return found;
    if (dirname(at) === at) return undefined;
  }
}

function readPackageJson(dir: string): PackageRoot | null {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return null;
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return { dir, name: typeof name === 'string' ? name : undefined };
  } catch {
    return { dir, name: undefined };
  }
}

/** Marks the package's own modules external, under their placeholder specifiers. */
function runtimeExternals(): esbuild.Plugin {
  return {
    name: 'actorflow-runtime-externals',
    setup(build) {
      build.onResolve({ filter: /^actorflow(\/.*)?$/ }, (args) => {
        const target = PACKAGE_EXPORTS[args.path];
        if (target === undefined) {
          return { errors: [{ text: `"${args.path}" is not an entry of the actorflow package (use ${Object.keys(PACKAGE_EXPORTS).join(' or ')})` }] };
        }
        return { path: runtimeSpecifier(target), external: true };
      });
      // Every other import: resolve it as esbuild would, then keep it external if the runtime owns it.
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.actorflowResolving || args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { actorflowResolving: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const placeholder = resolved.external || !resolved.path ? undefined : runtimePlaceholder(resolved.path);
        return placeholder ? { path: placeholder, external: true } : resolved;
      });
    },
  };
}

/** esbuild's messages, one per line with their locations; any other error's message. */
function describeBuildFailure(error: unknown): string {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return error instanceof Error ? error.message : String(error);
  return messages.map((m) => {
    const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
    return where + m.text;
  }).join('\n');
}
