// `actorflow list | cancel | savepoint | stop`: the job commands of a cluster, each one or two REST
// calls through the cluster client. Each resolves with the exit code (errors propagate to the CLI,
// which prints them and exits 1). Imports the cluster client and the ClusterService types.
import type { JobOverview } from '../../actors/rest/cluster-service.ts';
import { connectCluster, type ClusterClientOptions } from './cluster-client.ts';

const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);
const RULE = '-'.repeat(62);

/** `dd.MM.yyyy HH:mm:ss` in local time, as Flink's CLI prints job start times. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getDate())}.${two(d.getMonth() + 1)}.${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The job list as Flink's CLI prints it: running jobs, then (with `all`) terminated ones. */
export function formatJobList(jobs: readonly JobOverview[], all: boolean): string {
  const line = (j: JobOverview): string => `${formatTime(j['start-time'])} : ${j.jid} : ${j.name} (${j.state})`;
  const byStart = [...jobs].sort((a, b) => a['start-time'] - b['start-time']);
  const running = byStart.filter((j) => !TERMINAL.has(j.state));
  const out: string[] = [];
  if (running.length === 0) out.push('No running jobs.');
  else out.push('------------------ Running/Restarting Jobs -------------------', ...running.map(line), RULE);
  if (all) {
    const terminated = byStart.filter((j) => TERMINAL.has(j.state));
    if (terminated.length === 0) out.push('No terminated jobs.');
    else out.push('---------------------- Terminated Jobs -----------------------', ...terminated.map(line), RULE);
  }
  return out.join('\n');
}

/** `list [--all]` */
export async function listCommand(options: ClusterClientOptions & { all?: boolean }): Promise<number> {
  const client = await connectCluster(options);
  console.log(formatJobList(await client.listJobs(), options.all ?? false));
  return 0;
}

/** `cancel <jobId>` */
export async function cancelCommand(jobId: string, options: ClusterClientOptions): Promise<number> {
  const client = await connectCluster(options);
  await client.cancelJob(jobId);
  console.log(`Cancelled job ${jobId}.`);
  return 0;
}

/** `savepoint <jobId> [dir]` */
export async function savepointCommand(jobId: string, directory: string | undefined, options: ClusterClientOptions): Promise<number> {
  const client = await connectCluster(options);
  console.error(`Triggering savepoint for job ${jobId}.`);
  const path = await client.triggerSavepoint(jobId, directory);
  console.log(`Savepoint completed. Path: ${path}`);
  return 0;
}

/** `stop <jobId> [--savepoint dir] [--drain]` */
export async function stopCommand(jobId: string, options: ClusterClientOptions & { savepoint?: string; drain?: boolean }): Promise<number> {
  const client = await connectCluster(options);
  const path = await client.stopJob(jobId, { savepointDirectory: options.savepoint, drain: options.drain ?? false });
  console.log(path !== undefined ? `Savepoint completed. Path: ${path}` : `Stopped job ${jobId}.`);
  return 0;
}
