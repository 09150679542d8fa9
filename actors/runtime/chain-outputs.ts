// The Outputs that connect an operator chain: direct calls into the next chained operator
// (setting the key first when it is keyed), a network edge's record writer, and a fan-out that
// routes main and side outputs to several consumers. Chained operators are plain function calls:
// no allocation, promise or message per record; a link counts what it hands on (chain-metrics.ts). Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { selectKey, type KeySelector } from '../../api/functions/key-selector.ts';
import type { OneInputStreamOperator, Output } from '../../api/operators/stream-operator.ts';
import type { OutputTag } from '../../api/output-tag.ts';
import type { RecordWriter } from './record-writer.ts';

/** Feeds the next operator of the chain. */
export class ChainingOutput<T> implements Output<T> {
  /** Records handed to the operator: its numRecordsIn (one increment, the only per-record cost of the operator metrics). */
  count = 0;
  constructor(protected readonly operator: OneInputStreamOperator<T, unknown>) {}
  collect(value: T, timestamp: number): void { this.count++; this.operator.processElement(value, timestamp); }
  collectSide(): void {}
  emitWatermark(timestamp: number): void { this.operator.processWatermark(timestamp); }
  emitWatermarkStatus(idle: boolean): void { this.operator.processWatermarkStatus?.(idle); }
}

/** Feeds a keyed chained operator: sets the element's key on its backend first (Flink's setKeyContextElement). */
export class KeyedChainingOutput<T> extends ChainingOutput<T> {
  constructor(
    operator: OneInputStreamOperator<T, unknown>,
    private readonly backend: KeyedStateBackend,
    private readonly selector: KeySelector<T, Key>,
    private readonly operatorName: string,
  ) { super(operator); }
  override collect(value: T, timestamp: number): void {
    const key = selectKey(this.selector, value, this.operatorName);
    if (this.operator.setKeyContext !== undefined) this.operator.setKeyContext(key);
    else this.backend.setCurrentKey(key);
    super.collect(value, timestamp);
  }
}

/** Sends to a network edge. */
export class RecordWriterOutput<T> implements Output<T> {
  constructor(private readonly writer: RecordWriter) {}
  collect(value: T, timestamp: number): void { this.writer.emit(value, timestamp); }
  collectSide(): void {}
  emitWatermark(timestamp: number): void { this.writer.broadcastEvent({ kind: 'watermark', timestamp }); }
  emitWatermarkStatus(idle: boolean): void { this.writer.broadcastEvent({ kind: 'watermark-status', idle }); }
}

/** Routes the main output to several consumers and side outputs by tag. Events reach every consumer. */
export class BroadcastingOutput<T> implements Output<T> {
  private readonly all: Output<unknown>[];
  constructor(private readonly main: Output<T>[], private readonly side: Map<string, Output<unknown>[]>) {
    this.all = [...new Set<Output<unknown>>([...main as Output<unknown>[], ...[...side.values()].flat()])];
  }
  collect(value: T, timestamp: number): void {
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i].collect(value, timestamp);
  }
  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    const consumers = this.side.get(tag.id);
    if (consumers) for (let i = 0; i < consumers.length; i++) consumers[i].collect(value, timestamp);
  }
  emitWatermark(timestamp: number): void { for (const o of this.all) o.emitWatermark(timestamp); }
  emitWatermarkStatus(idle: boolean): void { for (const o of this.all) o.emitWatermarkStatus(idle); }
}

/** The output of an operator with these consumers: the consumer itself when there is just one. */
export function createOutput<T>(main: Output<T>[], side: Map<string, Output<unknown>[]>): Output<T> {
  if (side.size === 0 && main.length === 1) return main[0];
  return new BroadcastingOutput<T>(main, side);
}
