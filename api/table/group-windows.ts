// Group windows of the Table API (Flink's Tumble and Slide): `t.window(Tumble.over(lit(10).minutes())
// .on($('rowtime')).as('w')).groupBy($('w'), $('k')).select($('k'), $('w').start(), $('v').sum())`.
// They are planned as the window TVFs TUMBLE and HOP with a window aggregation, exactly as the
// same query written in SQL. Imports the expressions and the SQL printer.
import { expressionToSql } from './sql/unparse.ts';
import type { Expression } from './expressions.ts';

/** A complete group window: its TVF call (without the table) and its alias. */
export interface GroupWindow {
  /** `TUMBLE(TABLE t, DESCRIPTOR(col), size)` for table `t`. */
  tvf(table: string): string;
  readonly alias: string;
}

function columnName(e: Expression): string {
  if (e.node.kind !== 'column' || e.node.names.length !== 1) throw new TypeError('a window is .on() a time attribute column: $(\'rowtime\')');
  return e.node.names[0];
}

function quoted(name: string): string { return `\`${name.replace(/`/g, '``')}\``; }

/** A window with its time column, waiting for `.as(alias)`. */
class OnWindow {
  constructor(private readonly kind: 'TUMBLE' | 'HOP', private readonly intervals: readonly Expression[], private readonly time: string) {}
  /** Names the window; group by `$(alias)` and read `$(alias).start()` / `.end()`. */
  as(alias: string): GroupWindow {
    const { kind, intervals, time } = this;
    return {
      alias,
      tvf: (table) => `${kind}(TABLE ${table}, DESCRIPTOR(${quoted(time)}), ${intervals.map((i) => expressionToSql(i.node)).join(', ')})`,
    };
  }
}

/** Tumbling windows of a fixed size. */
export class Tumble {
  private constructor(private readonly size: Expression) {}
  /** Windows of `size` (an interval: `lit(10).minutes()`). */
  static over(size: Expression): Tumble { return new Tumble(size); }
  /** The event-time attribute the windows are on. */
  on(time: Expression): OnWindow { return new OnWindow('TUMBLE', [this.size], columnName(time)); }
}

/** Sliding (hopping) windows: a size and a slide. */
export class Slide {
  private constructor(private readonly size: Expression, private readonly slide?: Expression) {}
  /** Windows of `size`. */
  static over(size: Expression): Slide { return new Slide(size); }
  /** A new window every `slide`. */
  every(slide: Expression): Slide { return new Slide(this.size, slide); }
  /** The event-time attribute the windows are on. */
  on(time: Expression): OnWindow {
    if (!this.slide) throw new TypeError('Slide.over(size).every(slide): the slide is missing');
    return new OnWindow('HOP', [this.slide, this.size], columnName(time));
  }
}
