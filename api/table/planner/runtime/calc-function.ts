// Generates the one JavaScript function a chain of projections and filters runs as: each stage
// tests its condition on the current row and computes the next row, inside a single function
// body, so a chain of SELECT/WHERE layers costs one call per row. The body is built only from code
// the expression compiler produced (indices, helper names, `cN[i]` constant references); every
// literal or user function sits in a constants array passed in as an argument.
// Imports the runtime helpers and the plan's stage shape.
import { scalarRuntime } from '../../functions/scalar-runtime.ts';
import type { CalcStage } from '../plan-nodes.ts';

/** A fused projection/filter: the next row, or null when a condition drops it. */
export type CalcFunction = (row: unknown[]) => unknown[] | null;

/** The JS source of the fused function's body over stages 0..n-1 (constants `c0`, `c1`, ...). */
export function calcBody(stages: readonly CalcStage[]): string {
  const lines: string[] = [];
  stages.forEach((s, k) => {
    const rename = (code: string): string => code.replace(/\bc\[/g, `c${k}[`);
    if (s.condition !== undefined) lines.push(`if (${rename(s.condition)} !== true) return null;`);
    if (s.projection !== undefined) lines.push(`r = [${s.projection.map(rename).join(', ')}];`);
  });
  lines.push('return r;');
  return lines.join('\n');
}

/** Compiles the stages into one function. */
export function compileCalc(stages: readonly CalcStage[]): CalcFunction {
  const params = stages.map((_, k) => `c${k}`);
  const factory = new Function(...params, 'h', `'use strict';\nreturn function calc(r) {\n${calcBody(stages)}\n};`);
  return factory(...stages.map((s) => s.constants), scalarRuntime) as CalcFunction;
}

/** Compiles a single condition stage into a predicate (join residuals). */
export function compilePredicate(stage: CalcStage): (row: unknown[]) => boolean {
  const calc = compileCalc([{ condition: stage.condition, constants: stage.constants }]);
  return (row) => calc(row) !== null;
}
