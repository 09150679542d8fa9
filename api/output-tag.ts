// OutputTag: names a side output of an operator, and the check every context's output() makes.

/** Names a side output; records emitted to it form their own stream (getSideOutput). */
export class OutputTag<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (!id) throw new Error('OutputTag id must be a non-empty string');
  }
}

/**
 * `tag` itself, or a clear error for a missing one (as Flink's "OutputTag must not be null."):
 * without this check, an operator whose side outputs nobody reads would drop the value silently.
 */
export function requireOutputTag<X>(tag: OutputTag<X> | null | undefined): OutputTag<X> {
  if (tag === null || tag === undefined) throw new TypeError(`OutputTag must not be null (got ${tag})`);
  return tag;
}
