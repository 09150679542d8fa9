// OutputTag: names a side output of an operator.

/** Names a side output; records emitted to it form their own stream (getSideOutput). */
export class OutputTag<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (!id) throw new Error('OutputTag id must be a non-empty string');
  }
}
