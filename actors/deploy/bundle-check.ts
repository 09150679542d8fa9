// checkBundle: what can be known about a submitted job bundle without running any of it, checked
// before the JobManager stores or imports it: its size, that it is UTF-8 text, that it parses as
// an ES module (esbuild's parser; nothing is evaluated), and that it can have a default export.
// Importing is the only way to learn the rest, and an ES module once imported (or once failed to
// parse in the module loader) stays in the process for good, so everything refused here is
// refused for free. Imports esbuild.
import * as esbuild from 'esbuild';

/** A bundle refused before any of it ran. */
export class BundleRejectedError extends Error {
  override readonly name = 'BundleRejectedError';
}

/**
 * Any syntactic form of a default export (`export default`, `export { f as default }`, `export {
 * default } from`, a string export name) contains one of these: when none matches the printed
 * module, it has no default export. A match may be inside a string; the import then decides.
 */
const DEFAULT_EXPORT = /\bexport\s+default\b|\bas\s+(?:default\b|["']default["'])|\bexport\s*\{[^}]*\bdefault\b/;

/** Refuses (BundleRejectedError) a bundle that is empty, over `maxBytes`, not UTF-8, not a parsable ES module, or without a default export. */
export async function checkBundle(bundle: Uint8Array, maxBytes: number): Promise<void> {
  if (bundle.length === 0) throw new BundleRejectedError('the job bundle is empty');
  if (bundle.length > maxBytes) {
    throw new BundleRejectedError(`the job bundle has ${bundle.length} bytes, more than the ${maxBytes} this JobManager accepts`);
  }
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(bundle);
  } catch {
    throw new BundleRejectedError('the job bundle is not UTF-8 text (a bundle is the ES module `actorflow run` builds from a job file)');
  }
  let printed: string;
  try {
    printed = (await esbuild.transform(source, { loader: 'js', format: 'esm', target: 'esnext', logLevel: 'silent', sourcefile: 'bundle.mjs' })).code;
  } catch (error) {
    throw new BundleRejectedError(`the job bundle is not a valid ES module: ${describe(error)}`, { cause: error });
  }
  // Printed by esbuild: comments are gone, so only code (or a string) can match.
  if (!DEFAULT_EXPORT.test(printed)) {
    throw new BundleRejectedError('the job bundle has no default export; a job file must '
      + '`export default function (env: StreamExecutionEnvironment) { ... }` that builds its pipeline');
  }
}

/** esbuild's first messages with their locations; any other error's message. */
function describe(error: unknown): string {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return error instanceof Error ? error.message : String(error);
  return messages.slice(0, 3).map((m) => `${m.location ? `${m.location.line}:${m.location.column}: ` : ''}${m.text}`).join('; ');
}
