// The W1 workload with interleaved source splits (pipeline and checks in windowed-count.ts):
// subtask s of p generates the records s, s + p, s + 2p, ..., so every subtask covers the whole
// event-time range in timestamp order, as the parallel readers of one ordered stream would. At
// parallelism 1 it is the same job as windowed-count-job.ts.
import {
  DataGeneratorSource, StaticSplitEnumerator,
  type GeneratorSplit, type SplitEnumerator, type SplitEnumeratorContext, type StreamExecutionEnvironment,
} from '../../api/index.ts';
import { RECORDS, buildWindowedCount, record, type Rec } from './windowed-count.ts';

export { KEYS, RECORDS } from './windowed-count.ts';

/** A DataGeneratorSource of `count` records whose split s of p holds the indices s, s + p, .... */
class InterleavedGeneratorSource<T> extends DataGeneratorSource<T> {
  createEnumerator(context: SplitEnumeratorContext<GeneratorSplit>): SplitEnumerator<GeneratorSplit, GeneratorSplit[]> {
    const p = context.currentParallelism();
    const splits = Array.from({ length: Math.min(p, this.count) }, (_, s): GeneratorSplit =>
      ({ splitId: `gen-${s}`, next: s, end: this.count - 1, stride: p }));
    return new StaticSplitEnumerator(context, splits);
  }
}

export default function build(env: StreamExecutionEnvironment): void {
  buildWindowedCount(env, new InterleavedGeneratorSource<Rec>(record, RECORDS));
}
