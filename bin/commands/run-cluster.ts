// `actorflow run <job> --jobmanager HOST:PORT` (or `--rest URL`): builds the job graph here first
// (an invalid job fails before anything is shipped), bundles the job file, submits it over REST,
// then either prints the job id (--detached) or follows the job to its end: a progress line at
// most every second on stderr, the result on stdout, the root cause of a failure on stderr.
// Imports the job shipping functions and the cluster client.
import { bundleJob } from '../../actors/deploy/job-bundle.ts';
import { buildJobGraph, type JobModule } from '../../actors/deploy/job-loader.ts';
import type { ClusterService, JobDetail, JobSubmitOptions } from '../../actors/rest/cluster-service.ts';
import { systemClock, type Clock } from '../../api/time/clock.ts';
import { connectCluster, type ClusterClientOptions } from './cluster-client.ts';

/** The progress line of a running job: status, elapsed time, subtasks running of total. */
export function progressLine(detail: JobDetail, now: number): string {
  let running = 0, total = 0;
  for (const v of detail.vertices) for (const s of v.subtasks) { total++; if (s.status === 'RUNNING') running++; }
  const elapsed = Math.max(0, Math.round((now - detail['start-time']) / 1000));
  return `${detail.state}  ${elapsed}s  subtasks ${running}/${total} running`;
}

/** Follows `jobId` to its end, calling `report` with a progress line at most every `intervalMs`. */
export async function followJob(service: ClusterService, jobId: string, report: (line: string) => void, clock: Clock = systemClock, intervalMs = 1000): Promise<Awaited<ReturnType<ClusterService['jobResult']>>> {
  let done = false;
  let cancelTick = (): void => {};
  const tick = (): void => {
    cancelTick = clock.schedule(intervalMs, () => {
      void service.jobDetail(jobId).then((detail) => {
        if (done) return;
        if (detail) report(progressLine(detail, clock.now()));
        tick();
      }, () => { if (!done) tick(); });
    });
  };
  tick();
  try {
    return await service.jobResult(jobId);
  } finally {
    done = true;
    cancelTick();
  }
}

/** Submits the (already loaded) job module to a cluster; resolves with the exit code. */
export async function runOnCluster(
  path: string, mod: JobModule, submit: JobSubmitOptions, options: ClusterClientOptions & { detached?: boolean },
): Promise<number> {
  try {
    await buildJobGraph(mod, submit);
  } catch (e) {
    console.error(`actorflow run: the job is invalid: ${(e as Error).message}`);
    return 1;
  }
  let bundle: Uint8Array;
  try {
    bundle = await bundleJob(path);
  } catch (e) {
    console.error(`actorflow run: cannot bundle the job: ${(e as Error).message}`);
    return 1;
  }
  const client = await connectCluster(options);
  const jobId = await client.submitJob(bundle, submit);
  if (options.detached) {
    console.log(jobId);
    return 0;
  }
  console.error(`Job '${submit.name}' submitted as ${jobId} to ${client.baseUrl}`);
  const outcome = await followJob(client, jobId, (line) => console.error(line));
  if (outcome.state === 'FINISHED') {
    console.log(`Job '${submit.name}' (${jobId}) finished in ${outcome.result?.netRuntimeMs ?? 0} ms`);
    return 0;
  }
  const what = outcome.state === 'CANCELED' ? 'was cancelled' : 'failed';
  console.error(`Job '${submit.name}' (${jobId}) ${what}: ${outcome.error ?? outcome.state}`);
  return 1;
}
