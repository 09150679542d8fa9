// The JobStatus of one job (Flink's JobStatus graph), as an xstate v5 machine owned by the
// JobMaster. Every allowed transition is listed here and nowhere else.
//
//   CREATED --start--> RUNNING --finish--> FINISHED
//      |                 |  \--fail--> FAILING --failed--> FAILED
//      |                 |                 \--restart--> RESTARTING --start--> RUNNING
//      |                 \--cancel--> CANCELLING --canceled--> CANCELED
//      +--fail--> FAILING;  +--cancel--> CANCELLING;  any non-final --suspend--> SUSPENDED
//   RECONCILING --start--> RUNNING (a recovered JobMaster re-attaching to running subtasks)
import { setup } from 'xstate';
import type { JobStatus } from '../../api/environment/job-client.ts';

/** Events of the job status machine. */
export type JobStatusEvent =
  | { type: 'job.start' } | { type: 'job.finish' } | { type: 'job.fail' } | { type: 'job.failed' }
  | { type: 'job.restart' } | { type: 'job.cancel' } | { type: 'job.canceled' } | { type: 'job.suspend' } | { type: 'job.reconcile' };

const suspend = { 'job.suspend': 'SUSPENDED' } as const;

/** The job status machine; its state value is the JobStatus. */
export const jobStatusMachine = setup({ types: { events: {} as JobStatusEvent } }).createMachine({
  id: 'job',
  initial: 'CREATED',
  states: {
    CREATED: { on: { 'job.start': 'RUNNING', 'job.fail': 'FAILING', 'job.cancel': 'CANCELLING', 'job.reconcile': 'RECONCILING', ...suspend } },
    RECONCILING: { on: { 'job.start': 'RUNNING', 'job.fail': 'FAILING', 'job.cancel': 'CANCELLING', ...suspend } },
    RUNNING: { on: { 'job.finish': 'FINISHED', 'job.fail': 'FAILING', 'job.cancel': 'CANCELLING', ...suspend } },
    FAILING: { on: { 'job.failed': 'FAILED', 'job.restart': 'RESTARTING', 'job.cancel': 'CANCELLING', ...suspend } },
    RESTARTING: { on: { 'job.start': 'RUNNING', 'job.fail': 'FAILING', 'job.cancel': 'CANCELLING', ...suspend } },
    CANCELLING: { on: { 'job.canceled': 'CANCELED', 'job.fail': 'FAILING', ...suspend } },
    FINISHED: { type: 'final' },
    FAILED: { type: 'final' },
    CANCELED: { type: 'final' },
    SUSPENDED: { type: 'final' },
  },
});

/** True for the states a job never leaves. */
export function isGloballyTerminal(status: JobStatus): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED';
}
