// Binding strengths of SQL operators, shared by the expression parser and the SQL printer so that
// the printer adds exactly the parentheses the parser needs. Imports nothing.

/** Binding strengths (Calcite's), used by the parser and by the SQL printer. */
export const PRECEDENCE = {
  OR: 22, AND: 24, NOT: 26, IS: 28, COMPARISON: 30, LIKE: 32, ADDITIVE: 40, MULTIPLICATIVE: 60, UNARY: 80, POSTFIX: 100,
} as const;
