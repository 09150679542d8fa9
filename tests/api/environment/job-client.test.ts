// The errors a job client reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobCancellationError, JobExecutionError } from '../../../api/environment/job-client.ts';

test('job errors carry the job id, and the cause of a failure', () => {
  const cause = new Error('root');
  const e = new JobExecutionError('j1', 'job failed', { cause });
  assert.is(e.cause, cause);
  assert.is(e.jobId, 'j1');
  assert.is(e.name, 'JobExecutionError');
  assert.match(new JobCancellationError('j2').message, /job j2 was cancelled/);
});

test.run();
