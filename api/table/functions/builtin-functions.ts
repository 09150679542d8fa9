// The built-in scalar functions' compile half: argument checks, result types (Flink's rules)
// and the helper call each becomes in generated code. The runtime half is scalar-runtime.ts.
// Imports the AST, the types and the compiler's shapes (type-only).
import type { Expr, FunctionCall } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { commonType, isNumeric, isString, isTemporal, typeOf, typeToString, withoutTimeAttribute, type LogicalType } from '../types/logical-type.ts';
import type { Compiled, ExpressionCompiler } from '../planner/expression-compiler.ts';

/** The aggregate functions the planner knows. */
const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'SUM', 'SUM0', 'AVG', 'MIN', 'MAX']);

/** Whether `name` (upper case) is a built-in aggregate function. */
export function isAggregateName(name: string): boolean { return AGGREGATES.has(name); }

function nullableOf(args: readonly Compiled[]): boolean { return args.some((a) => a.type.nullable); }

/** Compiles a call of built-in `name`, or returns undefined when there is no such function. */
export function compileCall(
  name: string, e: FunctionCall, arg: (a: Expr) => Compiled, c: ExpressionCompiler,
): Compiled | undefined {
  const arity = (min: number, max = min): Compiled[] => {
    if (e.args.length < min || e.args.length > max) {
      throw c.error(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${e.args.length}`, e);
    }
    return e.args.map(arg);
  };
  const str = (x: Compiled, k: number): string => { c.requireString(x, e.args[k], name); return x.code; };
  const num = (x: Compiled, k: number): string => {
    if (!isNumeric(x.type) && x.type.kind !== 'NULL') throw c.error(`${name} needs a number, but ${expressionToSql(e.args[k])} is ${typeToString(x.type)}`, e.args[k]);
    return x.code;
  };
  const ts = (x: Compiled, k: number): string => {
    if (!isTemporal(x.type) && x.type.kind !== 'NULL') throw c.error(`${name} needs a TIMESTAMP, but ${expressionToSql(e.args[k])} is ${typeToString(x.type)}`, e.args[k]);
    return x.code;
  };
  const helper = (fn: string, args: string[], type: LogicalType): Compiled => ({ code: `h.${fn}(${args.join(', ')})`, type });

  switch (name) {
    case 'UPPER': case 'LOWER': {
      const [s] = arity(1);
      return helper(name === 'UPPER' ? 'upper' : 'lower', [str(s, 0)], typeOf('STRING', s.type.nullable));
    }
    case 'CHAR_LENGTH': case 'CHARACTER_LENGTH': {
      const [s] = arity(1);
      return helper('charLength', [str(s, 0)], typeOf('INT', s.type.nullable));
    }
    case 'CONCAT': {
      const args = arity(1, 256);
      return helper('concat', args.map(str), typeOf('STRING', nullableOf(args)));
    }
    case 'CONCAT_WS': {
      const args = arity(2, 256);
      return helper('concatWs', args.map(str), typeOf('STRING', args[0].type.nullable));
    }
    case 'SUBSTRING': case 'SUBSTR': {
      const args = arity(2, 3);
      return helper('substring', [str(args[0], 0), num(args[1], 1), ...(args[2] ? [num(args[2], 2)] : [])], typeOf('STRING', nullableOf(args)));
    }
    case 'LTRIM': case 'RTRIM': {
      const [s] = arity(1);
      return helper('trim', [str(s, 0), c.constant(name === 'LTRIM' ? 'LEADING' : 'TRAILING')], typeOf('STRING', s.type.nullable));
    }
    case 'REPLACE': {
      const args = arity(3);
      return helper('replace', args.map(str), typeOf('STRING', nullableOf(args)));
    }
    case 'POSITION': case 'LOCATE': {
      const args = arity(2);
      const [needle, hay] = name === 'POSITION' ? args : args;
      return helper('position', [str(needle, 0), str(hay, 1)], typeOf('INT', nullableOf(args)));
    }
    case 'REGEXP_EXTRACT': {
      const args = arity(2, 3);
      return helper('regexpExtract', [str(args[0], 0), str(args[1], 1), ...(args[2] ? [num(args[2], 2)] : [])], typeOf('STRING'));
    }
    case 'SPLIT_INDEX': {
      const args = arity(3);
      return helper('splitIndex', [str(args[0], 0), str(args[1], 1), num(args[2], 2)], typeOf('STRING'));
    }
    case 'COALESCE': case 'IFNULL': {
      const args = arity(name === 'IFNULL' ? 2 : 1, name === 'IFNULL' ? 2 : 256);
      let type: LogicalType = args[0].type;
      args.slice(1).forEach((a, k) => {
        const next = commonType(type, a.type);
        if (next === undefined) throw c.mismatch(name, type, a.type, e.args[k + 1]);
        type = next;
      });
      return helper('coalesce', args.map((a) => a.code), typeOf(type.kind, args.every((a) => a.type.nullable), withoutTimeAttribute({ ...type, nullable: false })));
    }
    case 'NULLIF': {
      const args = arity(2);
      if (commonType(args[0].type, args[1].type) === undefined) throw c.mismatch(name, args[0].type, args[1].type, e);
      return helper('nullif', [args[0].code, args[1].code], { ...withoutTimeAttribute(args[0].type), nullable: true });
    }
    case 'IF': {
      const args = arity(3);
      const type = commonType(args[1].type, args[2].type);
      if (type === undefined) throw c.mismatch(name, args[1].type, args[2].type, e);
      return { code: `((${c.bool(args[0], e.args[0])}) === true ? ${args[1].code} : ${args[2].code})`, type };
    }
    case 'ABS': { const [x] = arity(1); return helper('abs', [num(x, 0)], withoutTimeAttribute(x.type)); }
    case 'MOD': {
      const args = arity(2);
      return c.arithmetic('%', args[0], args[1], e);
    }
    case 'ROUND': {
      const args = arity(1, 2);
      const scale = args[1] ? num(args[1], 1) : c.constant(0);
      return helper('round', [num(args[0], 0), scale], withoutTimeAttribute(args[0].type));
    }
    case 'FLOOR': case 'CEIL': case 'CEILING': {
      const [x] = arity(1);
      return helper(name === 'FLOOR' ? 'floor' : 'ceil', [num(x, 0)], withoutTimeAttribute(x.type));
    }
    case 'POWER': { const args = arity(2); return helper('power', [num(args[0], 0), num(args[1], 1)], typeOf('DOUBLE', nullableOf(args))); }
    case 'SQRT': case 'LN': case 'LOG10': case 'EXP': {
      const [x] = arity(1);
      return helper(name.toLowerCase(), [num(x, 0)], typeOf('DOUBLE', x.type.nullable));
    }
    case 'DATE_FORMAT': {
      const args = arity(2);
      return helper('dateFormat', [ts(args[0], 0), str(args[1], 1)], typeOf('STRING', nullableOf(args)));
    }
    // Flink's shorthands for EXTRACT(unit FROM ts).
    case 'YEAR': case 'QUARTER': case 'MONTH': case 'WEEK': case 'DAYOFYEAR': case 'DAYOFMONTH': case 'DAYOFWEEK':
    case 'HOUR': case 'MINUTE': case 'SECOND': {
      const [x] = arity(1);
      const unit = ({ DAYOFYEAR: 'DOY', DAYOFMONTH: 'DAY', DAYOFWEEK: 'DOW' } as Record<string, string>)[name] ?? name;
      return helper('extract', [c.constant(unit), ts(x, 0)], typeOf('BIGINT', x.type.nullable));
    }
    case 'TO_TIMESTAMP': {
      const [s] = arity(1);
      return helper('toTimestamp', [str(s, 0)], typeOf('TIMESTAMP', true, { precision: 3 }));
    }
    case 'CARDINALITY': { const [x] = arity(1); return helper('cardinality', [x.code], typeOf('INT', x.type.nullable)); }
    case 'TUMBLE_START': case 'TUMBLE_END': case 'HOP_START': case 'HOP_END': case 'SESSION_START': case 'SESSION_END':
      throw c.error(`${name} needs a legacy group window (GROUP BY ${name.slice(0, name.indexOf('_'))}(...)) in the same SELECT`, e);
    // Processing time, read from the job's clock each time a row is computed (Flink evaluates
    // them per record in streaming mode); PROCTIME() is a processing-time attribute.
    case 'PROCTIME': arity(0); return { code: `${c.constant(c.clock)}.now()`, type: typeOf('TIMESTAMP_LTZ', false, { precision: 3, timeAttribute: 'proctime' }) };
    case 'NOW': case 'CURRENT_TIMESTAMP': arity(0); return { code: `${c.constant(c.clock)}.now()`, type: typeOf('TIMESTAMP_LTZ', false, { precision: 3 }) };
    case 'LOCALTIMESTAMP': arity(0); return { code: `${c.constant(c.clock)}.now()`, type: typeOf('TIMESTAMP', false, { precision: 3 }) };
    default:
      return undefined;
  }
}

/** The type SUM/AVG/MIN/MAX/COUNT of an argument of `arg` return (Flink's rules). */
export function aggregateResultType(name: string, arg: LogicalType | undefined, call: FunctionCall, c: ExpressionCompiler): LogicalType {
  switch (name) {
    case 'COUNT': return typeOf('BIGINT', false);
    case 'SUM': case 'SUM0': case 'AVG': {
      if (arg === undefined || (!isNumeric(arg) && arg.kind !== 'NULL')) {
        throw c.error(`${name} needs a numeric argument${arg ? `, but ${expressionToSql(call.args[0])} is ${typeToString(arg)}` : ''}`, call);
      }
      const base = arg.kind === 'NULL' ? typeOf('INT') : withoutTimeAttribute(arg);
      const kind = base.kind === 'TINYINT' || base.kind === 'SMALLINT' ? 'INT' : base.kind;
      return { ...base, kind, nullable: name !== 'SUM0' };
    }
    case 'MIN': case 'MAX': {
      if (arg === undefined) throw c.error(`${name} takes one argument`, call);
      if (!isNumeric(arg) && !isString(arg) && !isTemporal(arg) && arg.kind !== 'BOOLEAN') throw c.error(`${name} cannot compare ${typeToString(arg)}`, call);
      return { ...withoutTimeAttribute(arg), nullable: true };
    }
    default: throw c.error(`unknown aggregate function ${name}`, call);
  }
}
