// The placeholder specifiers a job bundle uses for modules of the actorflow package
// (`actorflow-runtime:/api/index.ts`): written by job-bundle.ts, resolved by job-loader.ts against
// the loading process's own installation. Imports nothing.

/** The scheme of the placeholder specifiers. */
export const RUNTIME_SCHEME = 'actorflow-runtime:';

/** The placeholder of the package file at `path` (`/api/index.ts`, relative to the package root). */
export function runtimeSpecifier(path: string): string {
  return RUNTIME_SCHEME + path;
}

/** Every placeholder in a bundle's source, as a quoted string literal: group 2 is its path. */
export const RUNTIME_SPECIFIER_LITERAL = /(["'])actorflow-runtime:(\/[^"'\\]*)\1/g;
