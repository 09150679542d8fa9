// The W1 workload as a job file, for running on a cluster (pipeline and checks in
// windowed-count.ts): each source subtask generates a contiguous range of the records, in
// timestamp order, so at parallelism 2 the second subtask's records are all later than the first's.
import { DataGeneratorSource, type StreamExecutionEnvironment } from '../../api/index.ts';
import { RECORDS, buildWindowedCount, record } from './windowed-count.ts';

export { KEYS, RECORDS } from './windowed-count.ts';

export default function build(env: StreamExecutionEnvironment): void {
  buildWindowedCount(env, new DataGeneratorSource(record, RECORDS));
}
