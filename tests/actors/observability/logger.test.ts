import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureLogging, currentLogLevel, errorFields, logger, parseLogLevel, RateLimitedLog } from '../../../actors/observability/logger.ts';

function capture(level: Parameters<typeof configureLogging>[0]['level'], role = 'test') {
  const lines: Record<string, unknown>[] = [];
  configureLogging({ level, role, destination: { write: (line) => lines.push(JSON.parse(line)) } });
  return lines;
}

test('lines are JSON with level, role, component and context fields', () => {
  const lines = capture('info', 'jobmanager');
  logger('job-master', { jobId: 'j1' }).child({ subtaskIndex: 2 }).info('job running', { attempt: 0 });
  assert.is(lines.length, 1);
  const line = lines[0];
  assert.is(line.msg, 'job running');
  assert.is(line.level, 30);
  assert.is(line.role, 'jobmanager');
  assert.is(line.component, 'job-master');
  assert.is(line.jobId, 'j1');
  assert.is(line.subtaskIndex, 2);
  assert.is(line.attempt, 0);
  assert.type(line.time, 'number');
});

test('lines below the level are dropped; a logger made earlier follows reconfiguration', () => {
  const early = logger('x');
  let lines = capture('warn');
  early.info('hidden');
  early.warn('shown');
  assert.equal(lines.map((l) => l.msg), ['shown']);
  lines = capture('debug');
  early.debug('now shown');
  assert.equal(lines.map((l) => l.msg), ['now shown']);
  assert.is(currentLogLevel(), 'debug');
  assert.ok(early.isLevelEnabled('debug'));
  assert.not.ok(early.isLevelEnabled('trace'));
});

test('errors keep message and stack', () => {
  const lines = capture('info');
  logger('x').error('task failed', errorFields(new Error('boom')));
  const err = lines[0].err as { message: string; stack: string; type: string };
  assert.is(err.message, 'boom');
  assert.is(err.type, 'Error');
  assert.match(err.stack, /boom/);
  logger('x').error('task failed', errorFields('plain string'));
  assert.is((lines[1].err as { message: string }).message, 'plain string');
});

test('parseLogLevel accepts the level names and refuses others by name', () => {
  assert.is(parseLogLevel(' INFO '), 'info');
  assert.throws(() => parseLogLevel('loud'), /unknown log level "loud"/);
});

test('RateLimitedLog passes one line per interval per key and counts the rest', () => {
  let now = 0;
  const limited = new RateLimitedLog(1000, () => now);
  const passed: [string, number][] = [];
  for (let i = 0; i < 5; i++) limited.attempt('a', (s) => passed.push(['a', s]));
  limited.attempt('b', (s) => passed.push(['b', s]));
  now = 1000;
  limited.attempt('a', (s) => passed.push(['a', s]));
  assert.equal(passed, [['a', 0], ['b', 0], ['a', 4]]);
});

test.run();
