// Runs one Nexmark query embedded and prints its first result rows and how many there were:
//   npx tsx examples/nexmark/run.ts q5 [--events 100000] [--rate 1000] [--parallelism 2] [--rows 10]
// (rate: events per second of event time; a lower rate spreads the events over more windows).
import { argv, exit } from 'node:process';
import { StreamExecutionEnvironment } from '../../api/index.ts';
import { nexmarkEvents } from './common.ts';
import { QUERIES, UPDATING_QUERIES, nexmarkQuery } from './queries.ts';

/** The value of `--name` in args, or the default. */
function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got "${args[i + 1]}"`);
  return value;
}

const args = argv.slice(2);
const name = args.find((a) => /^q\d+$/.test(a));
if (name === undefined) {
  console.error(`usage: run.ts <query> [--events N] [--rate R] [--parallelism P] [--rows K]; queries: ${Object.keys(QUERIES).join(' ')}`);
  exit(2);
}
const query = nexmarkQuery(name);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(option(args, 'parallelism', 1));
const events = nexmarkEvents(env, { numEvents: option(args, 'events', 100_000), firstEventRate: option(args, 'rate', 1000) });
const started = performance.now();
const rows = await query(events).executeAndCollect(`Nexmark ${name}`);
const seconds = (performance.now() - started) / 1000;
for (const row of rows.slice(0, option(args, 'rows', 10))) console.log(JSON.stringify(row));
const kind = UPDATING_QUERIES.has(name) ? 'changes (upsert rows)' : 'rows';
console.log(`${name}: ${rows.length} ${kind} in ${seconds.toFixed(2)} s`);
