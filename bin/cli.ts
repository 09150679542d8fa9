// The `actorflow` command line: parses arguments (commander) and dispatches to bin/commands/*.
// Exit codes: 0 success, 1 the job or the command failed, 2 bad usage.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runJob } from './commands/run.ts';
import { DEFAULT_JOBMANAGER, parseHostPort, UsageError } from './commands/cluster-client.ts';
import { configureLogging, parseLogLevel, type LogLevel } from '../actors/observability/logger.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number (0-65535), got "${value}"`);
  return n;
}

function hostPort(value: string): string {
  try { parseHostPort(value); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
  return value;
}

function logLevel(value: string): LogLevel {
  try { return parseLogLevel(value); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
}

function restUrl(value: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new InvalidArgumentError(`expected a REST URL such as http://localhost:8081, got "${value}"`);
  return value;
}

const program = new Command('actorflow')
  .description('Stream processing with Flink semantics on an actor runtime (Node and Deno).')
  .option('--log-level <level>', 'trace, debug, info, warn, error or silent (default: info for cluster processes, warn otherwise; ACTORFLOW_LOG_LEVEL also sets it)', logLevel)
  .exitOverride()
  .showHelpAfterError()
  .hook('preAction', (_program, action) => {
    const level = program.opts().logLevel as LogLevel | undefined;
    // Through the environment, so that TaskManagers in worker threads and child processes log alike.
    if (level !== undefined) process.env.ACTORFLOW_LOG_LEVEL = level;
    const role = action.name() === 'jobmanager' || action.name() === 'taskmanager' ? action.name() : 'client';
    configureLogging({ role, level: role === 'client' ? 'warn' : 'info' });
  });

/** A command with the exit-code conventions of this CLI. */
function command(name: string): Command {
  return program.command(name).exitOverride().showHelpAfterError();
}

/** Adds --jobmanager / --rest (how a client command reaches the cluster). */
function clusterOptions(cmd: Command, defaultJobManager: boolean): Command {
  return cmd
    .option('--jobmanager <host:port>', `RPC address of the JobManager${defaultJobManager ? '' : '; submit to that cluster instead of running embedded'}`, hostPort, ...(defaultJobManager ? [DEFAULT_JOBMANAGER] : []))
    .option('--rest <url>', 'REST URL of the JobManager (instead of asking --jobmanager for it)', restUrl)
    .addOption(new Option('--ha-storage <dir|url>', 'the JobManagers\' HA store: talk to whichever JobManager leads').conflicts(['jobmanager', 'rest']));
}

clusterOptions(command('run')
  .description('run a job file (its default export builds the pipeline on the environment it is given)')
  .argument('<job>', 'path of the job module, e.g. examples/word-count.ts')
  .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInt)
  .option('--from-savepoint <path>', 'restore the job from a savepoint or retained checkpoint')
  .option('--allow-non-restored-state', 'skip savepoint state that maps to no operator of the job', false), false)
  .option('-d, --detached', 'return once the job is submitted, printing its id', false)
  .addOption(new Option('--local-task-managers <n>', 'run on a local cluster of N TaskManagers in worker threads').argParser(positiveInt).conflicts(['jobmanager', 'rest', 'haStorage']))
  .action(async (job: string, options) => {
    if (options.localTaskManagers !== undefined) {
      const { runOnLocalCluster } = await import('./commands/run-local.ts');
      process.exitCode = await runOnLocalCluster(job, options);
      return;
    }
    process.exitCode = await runJob(job, options);
  });

clusterOptions(command('sql')
  .description('the SQL client: a REPL of SQL statements (each ending with \';\'), or a script with -f; embedded unless given a cluster')
  .option('-f, --file <file.sql>', 'run the statements of this script and exit (exit code 1 at the first failing statement)'), false)
  .action(async (options) => {
    const { sqlCommand } = await import('./commands/sql/sql-command.ts');
    process.exitCode = await sqlCommand(options);
  });

clusterOptions(command('list')
  .description('list the jobs of a cluster (running ones; with --all also terminated ones)')
  .option('-a, --all', 'also list finished, failed and cancelled jobs', false), true)
  .action(async (options) => {
    const { listCommand } = await import('./commands/job-commands.ts');
    process.exitCode = await listCommand(options);
  });

clusterOptions(command('cancel')
  .description('cancel a job')
  .argument('<jobId>', 'id of the job'), true)
  .action(async (jobId: string, options) => {
    const { cancelCommand } = await import('./commands/job-commands.ts');
    process.exitCode = await cancelCommand(jobId, options);
  });

clusterOptions(command('savepoint')
  .description('take a savepoint of a running job')
  .argument('<jobId>', 'id of the job')
  .argument('[dir]', 'target directory (default: the job\'s configured savepoint directory)'), true)
  .action(async (jobId: string, dir: string | undefined, options) => {
    const { savepointCommand } = await import('./commands/job-commands.ts');
    process.exitCode = await savepointCommand(jobId, dir, options);
  });

clusterOptions(command('stop')
  .description('stop a job, with a savepoint when --savepoint is given')
  .argument('<jobId>', 'id of the job')
  .option('--savepoint <dir>', 'take a savepoint into this directory before stopping')
  .option('--drain', 'advance event time to the end before stopping (fires all timers)', false), true)
  .action(async (jobId: string, options) => {
    const { stopCommand } = await import('./commands/job-commands.ts');
    process.exitCode = await stopCommand(jobId, options);
  });

command('jobmanager')
  .description('start a JobManager process (runs until SIGINT or SIGTERM)')
  .option('--port <port>', 'RPC port TaskManagers and clients connect to', port, 6123)
  .option('--rest-port <port>', 'port of the REST API', port, 8081)
  .option('--host <host>', 'interface to bind (default 127.0.0.1; others need ACTORFLOW_CLUSTER_SECRET)')
  .option('--rest-host <host>', 'interface to serve REST on (default: --host; others than loopback need ACTORFLOW_CLUSTER_SECRET, whose token REST then requires)')
  .option('--max-bundle-mb <n>', 'largest job bundle accepted, in MiB (larger submissions are answered 413)', positiveInt, 64)
  .option('--data-dir <dir>', 'where job bundles and default checkpoint storage live')
  .option('--ha-storage <dir|url>', 'high availability: the directory (or KV Connect URL) all JobManagers share; the one holding its leader lease leads, the others stand by')
  .option('--ha-lease-ms <ms>', 'how long the leader lease lasts unrenewed (a standby takes over this long after a crash)', positiveInt)
  .option('--slot-request-timeout <ms>', 'how long a job waits for enough slots before it fails (default 300000, Flink\'s 5 min)', positiveInt)
  .action(async (options) => {
    const { jobManagerCommand } = await import('./commands/cluster-processes.ts');
    process.exitCode = await jobManagerCommand(options);
  });

command('taskmanager')
  .description('start a TaskManager process that registers with a JobManager (runs until SIGINT or SIGTERM)')
  .addOption(new Option('--jobmanager <host:port>', 'RPC address of the JobManager').argParser(hostPort).conflicts('haStorage'))
  .option('--ha-storage <dir|url>', 'the JobManagers\' HA store: register with whichever JobManager leads (and follow a new leader)')
  .option('--slots <n>', 'number of slots offered', positiveInt, 1)
  .option('--host <host>', 'interface to listen on for peers (default 127.0.0.1; others need ACTORFLOW_CLUSTER_SECRET)')
  .action(async (options) => {
    if (options.jobmanager === undefined && options.haStorage === undefined) throw new UsageError('taskmanager needs --jobmanager HOST:PORT or --ha-storage DIR');
    const { taskManagerCommand } = await import('./commands/cluster-processes.ts');
    process.exitCode = await taskManagerCommand(options);
  });

command('simulate')
  .description('run deterministic simulation scenarios over many seeds: N runs, M failed, and how to replay each failure')
  .option('--scenario <name>', 'the scenario (see --list), or all of them: all')
  .option('--seeds <A..B>', 'run seeds A to B (inclusive)')
  .option('--seed <S>', 'run one seed (replay)')
  .option('--trace-hash', 'print `trace <hex>`: the SHA-256 of the run\'s trace (the same on Node and Deno)')
  .option('--trace', 'print the trace of the run (with --seed)')
  .option('--faults <json>', 'with --seed: run under this fault schedule (a shrunk one) instead of the seed\'s')
  .option('--no-shrink', 'do not shrink the fault schedules of failing seeds')
  .option('--list', 'name every scenario')
  .action(async (options) => {
    const { simulateCommand } = await import('./commands/simulate.ts');
    process.exitCode = await simulateCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    console.error(`actorflow: ${e.message}`);
    process.exitCode = 2;
  } else {
    console.error(`actorflow: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
