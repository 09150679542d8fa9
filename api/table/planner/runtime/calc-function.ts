// Generates the one JavaScript function a chain of projections and filters runs as: each stage
// tests its condition on the current row and computes the next row, inside a single function
// body, so a chain of SELECT/WHERE layers costs one call per row, and consecutive projections of
// fields are fused into one array per row. The body is built only from code
// the expression compiler produced (indices, helper names, `cN[i]` constant references); every
// literal or user function sits in a constants array passed in as an argument.
// Imports the runtime helpers and the plan's stage shape.
import { scalarRuntime } from '../../functions/scalar-runtime.ts';
import type { CalcStage } from '../plan-nodes.ts';

/** A fused projection/filter: the next row, or null when a condition drops it. */
export type CalcFunction = (row: unknown[]) => unknown[] | null;

/** A stage's code with its constants renamed to the stage's own array. */
interface Step { condition?: string; projection?: string[] }

const PLAIN_FIELD = /^r\[(\d+)\]$/;
const FIELD = /\br\[(\d+)\]/g;
/** Code that only reads the row (a field or a nested field): free to drop or to repeat. */
const PURE_READ = /^(?:r\[\d+\]|\(r\[(\d+)\] === null \? null : r\[\1\]\[\d+\]\))$/;

/**
 * Consecutive projections fused: a projection after another one (with no condition between) reads
 * that one's expressions directly (one array per row instead of two). Expressions that are more
 * than a field read must be taken whole and exactly once (none is evaluated twice, skipped, or
 * moved into a branch: user functions may count their calls or throw); field reads may be
 * substituted anywhere. A projection of the first `width` fields in order, where the row has
 * exactly that many, is dropped.
 */
function fuse(steps: Step[], inputWidth: number | undefined): Step[] {
  const out: Step[] = [];
  let width = inputWidth;
  for (const step of steps) {
    if (step.condition === undefined && step.projection !== undefined) {
      const refs = plainRefs(step.projection);
      if (refs !== undefined && width === refs.length && refs.every((i, k) => i === k)) continue;
      const prev = out[out.length - 1];
      const merged = prev?.projection !== undefined ? substitute(prev.projection, step.projection) : undefined;
      if (merged !== undefined) {
        out[out.length - 1] = { ...prev, projection: merged };
        width = merged.length;
        continue;
      }
    }
    out.push(step);
    if (step.projection !== undefined) width = step.projection.length;
  }
  return out;
}

function plainRefs(projection: readonly string[]): number[] | undefined {
  const refs: number[] = [];
  for (const code of projection) {
    const m = PLAIN_FIELD.exec(code);
    if (!m) return undefined;
    refs.push(Number(m[1]));
  }
  return refs;
}

/** `next` over the output of `prev`, as expressions over `prev`'s input; undefined when that is not safe. */
function substitute(prev: readonly string[], next: readonly string[]): string[] | undefined {
  const whole = new Array<number>(prev.length).fill(0);
  for (const code of next) {
    const m = PLAIN_FIELD.exec(code);
    if (m) {
      const i = Number(m[1]);
      if (i >= prev.length) return undefined;
      whole[i]++;
      continue;
    }
    for (const ref of code.matchAll(FIELD)) {
      const i = Number(ref[1]);
      if (i >= prev.length || !PURE_READ.test(prev[i])) return undefined;
    }
  }
  if (!prev.every((code, i) => whole[i] === 1 || PURE_READ.test(code))) return undefined;
  return next.map((code) => {
    const m = PLAIN_FIELD.exec(code);
    return m ? prev[Number(m[1])] : code.replace(FIELD, (_, i: string) => `(${prev[Number(i)]})`);
  });
}

/** The JS source of the fused function's body over stages 0..n-1 (constants `c0`, `c1`, ...); `inputWidth`: the input rows' length, when known. */
export function calcBody(stages: readonly CalcStage[], inputWidth?: number): string {
  const steps = stages.map((s, k): Step => {
    const rename = (code: string): string => code.replace(/\bc\[/g, `c${k}[`);
    return {
      ...(s.condition !== undefined ? { condition: rename(s.condition) } : {}),
      ...(s.projection !== undefined ? { projection: s.projection.map(rename) } : {}),
    };
  });
  const lines: string[] = [];
  for (const s of fuse(steps, inputWidth)) {
    if (s.condition !== undefined) lines.push(`if (${s.condition} !== true) return null;`);
    if (s.projection !== undefined) lines.push(`r = [${s.projection.join(', ')}];`);
  }
  lines.push('return r;');
  return lines.join('\n');
}

/**
 * Compiles the stages into one function. With `inputWidth` (the input rows' length) a projection
 * that passes the row on unchanged is dropped, so the function may return its input row.
 */
export function compileCalc(stages: readonly CalcStage[], inputWidth?: number): CalcFunction {
  const params = stages.map((_, k) => `c${k}`);
  const factory = new Function(...params, 'h', `'use strict';\nreturn function calc(r) {\n${calcBody(stages, inputWidth)}\n};`);
  return factory(...stages.map((s) => s.constants), scalarRuntime) as CalcFunction;
}

/** Compiles a single condition stage into a predicate (join residuals). */
export function compilePredicate(stage: CalcStage): (row: unknown[]) => boolean {
  const calc = compileCalc([{ condition: stage.condition, constants: stage.constants }]);
  return (row) => calc(row) !== null;
}
