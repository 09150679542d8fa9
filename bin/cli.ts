// The `actorflow` command line: parses arguments (commander) and dispatches to bin/commands/*.
// Exit codes: 0 success, 1 the job or the command failed, 2 bad usage.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { runJob } from './commands/run.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

const program = new Command('actorflow')
  .description('Stream processing with Flink semantics on an actor runtime (Node and Deno).')
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a job file (its default export builds the pipeline on the environment it is given)')
  .argument('<job>', 'path of the job module, e.g. examples/word-count.ts')
  .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInt)
  .option('--from-savepoint <path>', 'restore the job from a savepoint or retained checkpoint')
  .option('--allow-non-restored-state', 'skip savepoint state that maps to no operator of the job', false)
  .option('--jobmanager <host:port>', 'submit to a cluster instead of running embedded')
  .option('-d, --detached', 'return once the job is submitted, printing its id', false)
  .action(async (job: string, options) => {
    process.exitCode = await runJob(job, options);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`actorflow: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
