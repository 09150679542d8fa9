// Renders metric series in Prometheus' text exposition format (version 0.0.4) with prom-client:
// every series is a gauge named `actorflow_<scope>_<metric>` (Flink's Prometheus reporter names
// its series `flink_<scope>_<metric>` the same way; characters other than letters, digits, `_`
// and `:` become underscores), labelled as Flink labels them with the job, task (vertex),
// subtask, attempt, operator and TaskManager it belongs to. A fresh registry per rendering: the series
// come from counters kept elsewhere, so nothing is registered for longer than one scrape.
// Imports prom-client only.
import { Gauge, Registry } from 'prom-client';

/** The content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One value of one metric. */
export interface PrometheusSeries {
  /** Where it is kept: 'jobmanager', 'jobmanager_job', 'taskmanager', 'taskmanager_job_task', 'taskmanager_job_task_operator'. */
  readonly scope: string;
  /** The metric's name as REST gives it (`numRecordsIn`, `Status.Memory.Heap.Used`). */
  readonly name: string;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
}

const HELP: Record<string, string> = {
  numRecordsIn: 'Records this subtask read from its input.',
  numRecordsOut: 'Records this subtask sent to its outputs.',
  numRecordsInPerSecond: 'Records read per second (recent seconds).',
  numRecordsOutPerSecond: 'Records sent per second (recent seconds).',
  busyTimeMsPerSecond: 'Milliseconds per second the subtask was busy.',
  backPressuredTimeMsPerSecond: 'Milliseconds per second the subtask waited for output credit.',
  idleTimeMsPerSecond: 'Milliseconds per second the subtask waited for input.',
  currentInputWatermark: 'The watermark the subtask received last (ms).',
  currentOutputWatermark: 'The watermark the subtask emitted last (ms).',
  numRestarts: 'Restarts of the job since it was submitted.',
  lastCheckpointDuration: 'Duration of the last completed checkpoint (ms).',
  lastCheckpointSize: 'State size of the last completed checkpoint (bytes).',
  numberOfCompletedCheckpoints: 'Completed checkpoints.',
  numberOfFailedCheckpoints: 'Failed checkpoints.',
  'actorSystem.actors': 'Live actors of the process\'s actor system.',
  'actorSystem.mailboxSize': 'Messages waiting in every mailbox of the actor system.',
  'actorSystem.maxMailboxSize': 'The longest mailbox of the actor system.',
  'actorSystem.restarts': 'Restarts of the actor system\'s live actors.',
  'actorSystem.deadLetters': 'Messages of the actor system that could not be delivered.',
  'taskmanager_job_task_operator:numRecordsIn': 'Records this chained operator received.',
  'taskmanager_job_task_operator:numRecordsOut': 'Records this chained operator emitted.',
};

/** The Prometheus name of a metric of `scope`. */
export function prometheusName(scope: string, name: string): string {
  return `actorflow_${scope}_${name}`.replace(/[^a-zA-Z0-9_:]/g, '_');
}

/** The text format of `series` (one HELP and TYPE line per metric, then its samples). */
export async function renderPrometheus(series: Iterable<PrometheusSeries>): Promise<string> {
  const registry = new Registry();
  const gauges = new Map<string, Gauge<string>>();
  for (const s of series) {
    const metric = prometheusName(s.scope, s.name);
    let gauge = gauges.get(metric);
    const labelNames = Object.keys(s.labels);
    if (gauge === undefined) {
      gauge = new Gauge({ name: metric, help: HELP[`${s.scope}:${s.name}`] ?? HELP[s.name] ?? s.name, labelNames, registers: [registry] });
      gauges.set(metric, gauge);
    }
    gauge.set(s.labels as Record<string, string>, s.value);
  }
  return registry.metrics();
}
