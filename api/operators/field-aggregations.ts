// Field aggregations of a keyed stream (Flink's SumAggregator / ComparableAggregator): sum, min,
// max keep the first element's other fields and update only the aggregated field; minBy, maxBy
// keep the whole element holding the extreme (the first one on ties). Fields are addressed by
// name (objects) or index (arrays, Flink's tuples); a number stream may use field 0 for itself.

/** Which field to aggregate: a property name or a tuple index. */
export type FieldSelector = string | number;

/** The kinds of built-in field aggregation. */
export type FieldAggregation = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

function read(value: unknown, field: FieldSelector): any {
  if (value !== null && typeof value === 'object') return (value as any)[field];
  if (field === 0) return value;
  throw new TypeError(`cannot read field ${JSON.stringify(field)} of ${typeof value} ${String(value)}`);
}

function write<T>(value: T, field: FieldSelector, fieldValue: unknown): T {
  if (Array.isArray(value)) {
    const copy = value.slice();
    copy[field as number] = fieldValue;
    return copy as T;
  }
  if (value !== null && typeof value === 'object') return { ...(value as object), [field]: fieldValue } as T;
  return fieldValue as T;
}

/** The reduce function implementing `kind` on `field`. */
export function fieldAggregator<T>(kind: FieldAggregation, field: FieldSelector): (a: T, b: T) => T {
  switch (kind) {
    case 'sum': return (a, b) => write(a, field, read(a, field) + read(b, field));
    case 'min': return (a, b) => (read(b, field) < read(a, field) ? write(a, field, read(b, field)) : a);
    case 'max': return (a, b) => (read(b, field) > read(a, field) ? write(a, field, read(b, field)) : a);
    case 'minBy': return (a, b) => (read(b, field) < read(a, field) ? b : a);
    case 'maxBy': return (a, b) => (read(b, field) > read(a, field) ? b : a);
  }
}
