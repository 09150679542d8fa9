// Helpers for the SQL parser tests: comparing ASTs without their positions, and writing them as
// golden JSON with each position shortened to "line:column".
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import * as assert from 'uvu/assert';

/** A deep copy without `pos` fields or undefined values, for structural comparison. */
export function stripPositions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripPositions);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'pos' && v !== undefined) out[k] = stripPositions(v);
  }
  return out;
}

/** The AST as JSON, positions as "line:column". */
export function goldenJson(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'pos' ? `${v.line}:${v.column}` : v), 2) + '\n';
}

/**
 * Compares `node` with the golden file `name` beside the tests; UPDATE_GOLDEN=1 rewrites it
 * (then read the diff before committing it).
 */
export function assertGolden(name: string, node: unknown): void {
  const url = new URL(`./golden/${name}.json`, import.meta.url);
  const actual = goldenJson(node);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(url, 'utf8');
  } catch {
    throw new Error(`golden file golden/${name}.json is missing: run with UPDATE_GOLDEN=1 and review it`);
  }
  assert.fixture(actual, expected, `AST of ${name} differs from golden/${name}.json`);
}

/** Paths of fields present with the value undefined: the parser leaves optional fields out instead. */
export function undefinedFields(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => undefinedFields(v, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (v === undefined ? [`${path}.${k}`] : undefinedFields(v, `${path}.${k}`)));
}
