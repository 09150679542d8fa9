// The Nexmark benchmark job (bench/w4-nexmark.ts): one query over a fixed number of generated
// events (the generator in the job, at the published workload's event rate of 10^7 per second),
// exactly-once checkpoints every 10 s on the kv backend, results into a sink that only counts
// them (nexmark's blackhole), except q10, which writes its CSV files as well. At its end of input
// each sink subtask writes `done-<subtaskIndex>` under the job's directory: the wall-clock time
// and its row count. The benchmark reads those: a bounded job on a cluster stays RUNNING until
// its next periodic checkpoint completes (the final checkpoint), up to 10 s after its work.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type OneInputStreamOperator, type OperatorContext, type StreamExecutionEnvironment,
} from '../../api/index.ts';
import { nexmarkEvents } from '../../examples/nexmark/common.ts';
import { nexmarkQuery } from '../../examples/nexmark/queries.ts';
import { q10Sink } from '../../examples/nexmark/stateless.ts';

/** Counts rows; at the end of input writes the time and the count to `<dir>/done-<subtaskIndex>`. */
class EndMarker<T> implements OneInputStreamOperator<T, never> {
  private rows = 0;
  private subtask = 0;
  constructor(private readonly dir: string) {}
  setup(context: OperatorContext): void { this.subtask = context.subtaskIndex; }
  open(): void {}
  processElement(): void { this.rows++; }
  processWatermark(): void {}
  endInput(): void {
    // Written aside, then renamed: the benchmark must never read a marker half written.
    const file = join(this.dir, `done-${this.subtask}`);
    writeFileSync(`${file}.tmp`, `${Date.now()} ${this.rows}`);
    renameSync(`${file}.tmp`, file);
  }
  close(): void {}
}

/** Builds query `name` over `events` events, checkpointing under `dir` (q10 writes under it too). */
export function buildNexmarkJob(env: StreamExecutionEnvironment, name: string, events: number, dir: string): void {
  env.enableCheckpointing(10_000, 'exactly-once').setStateBackend('kv').setCheckpointStorage(join(dir, 'checkpoints'));
  const result = nexmarkQuery(name)(nexmarkEvents(env, { numEvents: events, firstEventRate: 10_000_000 }));
  if (name === 'q10') {
    const out = join(dir, 'q10-output');
    mkdirSync(out, { recursive: true });
    result.sinkTo(q10Sink(out));
  }
  result.transform('End Marker', () => new EndMarker(dir)).addSink(() => {});
}
