// W2 — stateless chain: map -> filter -> map -> sink over 1M records, chained, end to end through
// env.execute() on the embedded mini cluster (job graph, deployment and teardown included).
// Baseline: the same three functions called in a hand-written loop over the same array.
// Imports the public API and the harness.
import { StreamExecutionEnvironment } from '../api/index.ts';
import { benchmark } from './harness.ts';

const RECORDS = 1_000_000;
const T0 = 1_700_000_000_000;
interface Rec { key: string; value: number; ts: number }
let input: Rec[] = [];

const f1 = (r: Rec): number => r.value * 2;
const f2 = (v: number): boolean => v % 3 !== 0;
const f3 = (v: number): number => v + 1;

/** Checks both implementations agree on what they computed. */
let expectedSum = 0;

benchmark('w2-stateless-chain', {
  records: RECORDS,
  setup() {
    input = Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % 1000), value: i, ts: T0 + Math.floor(i / 10) }));
    for (const r of input) { const a = f1(r); if (f2(a)) expectedSum += f3(a); }
  },
  baseline() {
    let sum = 0;
    for (let i = 0; i < input.length; i++) {
      const a = f1(input[i]);
      if (f2(a)) sum += f3(a);
    }
    if (sum !== expectedSum) throw new Error('baseline computed a wrong sum');
    return input.length;
  },
  async subject() {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    let sum = 0;
    env.fromCollection(input).map(f1).filter(f2).map(f3).addSink((v) => { sum += v; });
    await env.execute('w2');
    if (sum !== expectedSum) throw new Error(`subject computed a wrong sum: ${sum} != ${expectedSum}`);
    return input.length;
  },
});
