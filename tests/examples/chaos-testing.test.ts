// The chaos-testing example: its job and actor program pass every check over a range of seeds,
// a seed replays to the same trace, and the same job through a non-transactional sink is caught
// committing duplicates after the TaskManager kill.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureLogging } from '../../actors/observability/logger.ts';
import { chaosTestActors, chaosTestJob, expectedCounts, line, main } from '../../examples/chaos-testing.ts';

configureLogging({ level: 'silent' });

test('the expected counts are a plain loop over the generated lines', () => {
  assert.is(line(0), 'actor actor actor');
  assert.equal(expectedCounts(1), [['actor', 1], ['actor', 2], ['actor', 3]]);
  assert.is(expectedCounts(600).length, 1800);
});

test('seeds 1..6 of the job and the actor program pass every check', async () => {
  assert.is(await main(6), 0);
});

test('a seed replays to the same trace, another seed to a different one', async () => {
  const a = await chaosTestJob(3), b = await chaosTestJob(3), c = await chaosTestJob(4);
  assert.is(a.traceHash, b.traceHash);
  assert.is.not(a.traceHash, c.traceHash);
  assert.ok(a.faults.some((f) => f.fault === 'kill taskmanager-1'));
  const actors = await chaosTestActors(3);
  assert.ok(actors.ok);
  assert.is((await chaosTestActors(3)).traceHash, actors.traceHash);
});

test('a non-transactional sink is caught committing duplicates after the restart', async () => {
  const failures = [];
  for (let seed = 1; seed <= 6; seed++) {
    const report = await chaosTestJob(seed, 'plain');
    if (!report.ok) failures.push(report);
  }
  assert.ok(failures.length > 0, 'no seed caught the duplicates');
  assert.is(failures[0].firstFailure!.name, 'every word count committed exactly once');
  assert.match(failures[0].firstFailure!.detail!, /duplicated or unexpected/);
});

test.run();
