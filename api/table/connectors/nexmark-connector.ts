// The `nexmark` table connector: the Nexmark generator's events as rows of Flink's Nexmark table
// (`event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>`): event_type 0/1/2 and the
// matching nested row set (its fields by name, in the declared order), the others NULL. Options as
// in Flink's nexmark connector ('events.num' bounds the run, 'first-event.rate', 'seed'); the
// table's watermarks apply per split. Imports the Nexmark source and the connector registry.
import { NexmarkSource } from '../../sources/nexmark/nexmark-source.ts';
import type { NexmarkConfig } from '../../sources/nexmark/nexmark-config.ts';
import type { NexmarkEvent } from '../../sources/nexmark/nexmark-events.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../sources/source.ts';
import type { LogicalType } from '../types/logical-type.ts';
import { registerTableConnector, type ConnectorContext } from './table-connector.ts';

const OPTIONS: Readonly<Record<string, keyof NexmarkConfig>> = {
  'events.num': 'numEvents',
  'first-event.rate': 'firstEventRate',
  'seed': 'seed',
  'base-time': 'baseTime',
  'person.proportion': 'personProportion',
  'auction.proportion': 'auctionProportion',
  'bid.proportion': 'bidProportion',
  'hot-auction.ratio': 'hotAuctionRatio',
  'hot-seller.ratio': 'hotSellersRatio',
  'hot-bidder.ratio': 'hotBiddersRatio',
};
/** Flink's options the generator here has no use for (accepted so that Flink's DDL runs). */
const IGNORED = new Set(['next-event.rate', 'rate.shape', 'rate.period', 'rate.limited', 'events.count']);

/**
 * How to turn an event into the physical row, as one generated function: a converter per column
 * looked each nested field up by name per event (a keyed access per field of every row); the
 * generated one reads each field at a fixed property name. Field names enter the code only as JSON
 * string literals.
 */
function rowConverter(ctx: ConnectorContext): (e: NexmarkEvent) => unknown[] {
  const nested = (type: LogicalType, eventType: number, column: string): string => {
    if (type.kind !== 'ROW') throw new Error(`table ${ctx.tableName}: nexmark column ${column} must be a ROW<...>`);
    const fields = type.fields!.map((f) => `e[${JSON.stringify(f.name)}] ?? null`);
    return `t === ${eventType} ? [${fields.join(', ')}] : null`;
  };
  const columns = ctx.physical.columns.map((c): string => {
    switch (c.name) {
      case 'event_type': return 't';
      case 'person': return nested(c.type, 0, c.name);
      case 'auction': return nested(c.type, 1, c.name);
      case 'bid': return nested(c.type, 2, c.name);
      default: throw new Error(`table ${ctx.tableName}: the nexmark connector has no column ${c.name} (it has event_type, person, auction, bid)`);
    }
  });
  return new Function('e', `'use strict';\nconst t = e.eventType;\nreturn [${columns.join(', ')}];`) as (e: NexmarkEvent) => unknown[];
}

registerTableConnector('nexmark', {
  perSplitWatermarks: true,
  options: (k) => k in OPTIONS || IGNORED.has(k),
  createSource(env, ctx) {
    const config: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(ctx.options)) {
      const field = OPTIONS[key];
      if (field === undefined) continue;
      const n = Number(value);
      if (Number.isNaN(n)) throw new Error(`table ${ctx.tableName}: option '${key}' must be a number, got '${value}'`);
      config[field] = n;
    }
    const source = new NexmarkSource(config as NexmarkConfig);
    const toPhysical = rowConverter(ctx);
    const finish = ctx.finish;
    const convert = finish ? (e: NexmarkEvent) => finish(toPhysical(e)) : toPhysical;
    // The source's own watermarks are replaced by the table's (WATERMARK FOR), applied per split.
    const rows = new MappedSource<NexmarkEvent, unknown[]>(source, convert);
    return env.fromSource(rows, ctx.watermarks, `nexmark ${ctx.tableName}`);
  },
});

/** `out` seen as an output of A values (each mapped by `fn`), split outputs included. */
function mappedOutput<A, B>(out: ReaderOutput<B>, fn: (a: A) => B, splits: Map<string, ReaderOutput<A>>): ReaderOutput<A> {
  return {
    collect: (value, timestamp) => out.collect(fn(value), timestamp),
    createOutputForSplit: (id) => {
      let o = splits.get(id);
      if (o === undefined) { o = mappedOutput(out.createOutputForSplit(id), fn, new Map()); splits.set(id, o); }
      return o;
    },
    releaseOutputForSplit: (id) => { splits.delete(id); out.releaseOutputForSplit(id); },
    markIdle: () => out.markIdle(),
  };
}

/** A reader whose records are those of `inner` mapped by `fn`. */
class MappedReader<A, B, S extends SourceSplit> implements SourceReader<B, S> {
  private readonly splits = new Map<string, ReaderOutput<A>>();
  private last?: { out: ReaderOutput<B>; mapped: ReaderOutput<A> };
  constructor(private readonly inner: SourceReader<A, S>, private readonly fn: (a: A) => B) {}
  start(): void | Promise<void> { return this.inner.start(); }
  pollNext(output: ReaderOutput<B>): InputStatus {
    if (this.last?.out !== output) this.last = { out: output, mapped: mappedOutput(output, this.fn, this.splits) };
    return this.inner.pollNext(this.last.mapped);
  }
  isAvailable(): Promise<void> { return this.inner.isAvailable(); }
  addSplits(splits: S[]): void { this.inner.addSplits(splits); }
  notifyNoMoreSplits(): void { this.inner.notifyNoMoreSplits(); }
  snapshotState(checkpointId: number): S[] { return this.inner.snapshotState(checkpointId); }
  close(): void | Promise<void> { return this.inner.close(); }
}

/** A source whose records are those of `inner` mapped by `fn` (so watermarks see the mapped rows per split). */
class MappedSource<A, B> implements Source<B, any, any> {
  readonly boundedness: Source<A, any, any>['boundedness'];
  readonly maxParallelism?: number;
  constructor(private readonly inner: Source<A, any, any>, private readonly fn: (a: A) => B) {
    this.boundedness = inner.boundedness;
    if (inner.maxParallelism !== undefined) this.maxParallelism = inner.maxParallelism;
  }
  createEnumerator(context: SplitEnumeratorContext<any>): SplitEnumerator<any, any> { return this.inner.createEnumerator(context); }
  restoreEnumerator(context: SplitEnumeratorContext<any>, state: any): SplitEnumerator<any, any> { return this.inner.restoreEnumerator(context, state); }
  createReader(context: SourceReaderContext): SourceReader<B, any> { return new MappedReader(this.inner.createReader(context), this.fn); }
}
