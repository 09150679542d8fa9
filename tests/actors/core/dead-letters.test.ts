// Dead letters: counted, logged at warn (rate-limited on the system clock) and observable through
// system.onDeadLetter, for every message an actor system could not deliver in one process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env } from 'node:process';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { DEAD_LETTER_LOG_INTERVAL_MS, DeadLetterOffice } from '../../../actors/core/dead-letters.ts';
import { ActorNotAliveError, ActorSystem, defineActor, ManualClock, type DeadLetter } from '../../../actors/index.ts';

/** Captures the JSON log lines written while `body` runs. */
async function captureLog(body: () => Promise<void> | void): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  // The environment's level would win over the one asked for here.
  const envLevel = env.ACTORFLOW_LOG_LEVEL;
  delete env.ACTORFLOW_LOG_LEVEL;
  configureLogging({ level: 'warn', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  try {
    await body();
  } finally {
    if (envLevel !== undefined) env.ACTORFLOW_LOG_LEVEL = envLevel;
    configureLogging({});
  }
  return lines;
}

const quiet = defineActor<null, unknown>({ init: () => null, receive: () => undefined });

test('the office counts every letter, hands it to each listener until unsubscribed, and survives a throwing listener', async () => {
  const clock = new ManualClock();
  const office = new DeadLetterOffice('unit', clock);
  const a: DeadLetter[] = [];
  const b: DeadLetter[] = [];
  const lines = await captureLog(() => {
    const stopA = office.subscribe((letter) => a.push(letter));
    office.subscribe((letter) => { b.push(letter); throw new Error('listener bug'); });
    office.publish({ type: 'x' }, 'actorflow://unit/user/gone', 'not-alive');
    stopA();
    office.publish({ type: 'y' }, 'actorflow://unit/user/full', 'mailbox-overflow');
  });
  assert.is(office.count, 2);
  assert.equal(a, [{ message: { type: 'x' }, recipient: 'actorflow://unit/user/gone', reason: 'not-alive' }]);
  assert.equal(b.map((l) => l.reason), ['not-alive', 'mailbox-overflow']);
  assert.ok(lines.some((l) => l.msg === 'a dead-letter listener threw' && l.level === 50));
  assert.throws(() => office.subscribe(42 as never), /needs a function/);
});

test('logging: one warn line per reason per interval on the system clock, then a line saying how many were held back', async () => {
  const clock = new ManualClock();
  const office = new DeadLetterOffice('flood', clock);
  const lines = await captureLog(() => {
    for (let i = 0; i < 1000; i++) office.publish({ type: 'tick' }, 'actorflow://flood/user/gone', 'not-alive');
    office.publish({ type: 'tock' }, 'actorflow://flood/user/full', 'mailbox-overflow');
    clock.advance(DEAD_LETTER_LOG_INTERVAL_MS);
    office.publish({ type: 'tick' }, 'actorflow://flood/user/gone', 'not-alive');
  });
  const warns = lines.filter((l) => l.component === 'dead-letters');
  assert.equal(warns.map((l) => [l.level, l.reason, l.suppressed]), [[40, 'not-alive', 0], [40, 'mailbox-overflow', 0], [40, 'not-alive', 999]]);
  assert.match(String(warns[0].msg), /message 'tick' to actorflow:\/\/flood\/user\/gone was not delivered \(not-alive\)/);
  assert.match(String(warns[2].msg), /999 more dead letters of this kind/);
  assert.is(office.count, 1002);
});

test('a stopped actor, an unknown path and the mailbox of an actor that stops: each message is a dead letter', async () => {
  const system = ActorSystem.create('letters');
  const got: DeadLetter[] = [];
  const unsubscribe = system.onDeadLetter((letter) => got.push(letter));
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const slow = system.spawn(defineActor<null, { type: 'hold' } | { type: 'queued'; n: number }>({
    init: () => null,
    receive: (_s, msg) => (msg.type === 'hold' ? new Promise<void>((r) => { release = r; holding(); }) : undefined),
  }), 'slow');
  slow.tell({ type: 'hold' });
  await held;
  slow.tell({ type: 'queued', n: 1 });
  const queuedAsk = slow.ask({ type: 'queued', n: 2 });
  const stopped = system.stop(slow);
  release();
  await stopped;
  assert.instance(await queuedAsk.catch((e) => e), ActorNotAliveError);
  slow.tell({ type: 'queued', n: 3 });
  const askDead = slow.ask({ type: 'queued', n: 4 });
  assert.instance(await askDead.catch((e) => e), ActorNotAliveError, 'an ask to a dead actor rejects at once');
  system.resolve('actorflow://letters/user/nobody').tell({ type: 'hello' });
  assert.equal(got.map((l) => [l.recipient, (l.message as { n?: number; type: string }).n ?? l.message]), [
    ['actorflow://letters/user/slow', 1],
    ['actorflow://letters/user/slow', 2],
    ['actorflow://letters/user/slow', 3],
    ['actorflow://letters/user/slow', 4],
    ['actorflow://letters/user/nobody', { type: 'hello' }],
  ]);
  assert.ok(got.every((l) => l.reason === 'not-alive'));
  assert.is(system.deadLetters, 5);
  assert.is(system.deadLetterCount, 5);
  unsubscribe();
  system.spawn(quiet, 'q');
  system.resolve('actorflow://letters/user/nobody').tell({ type: 'after' });
  assert.is(got.length, 5, 'no letters after unsubscribing');
  assert.is(system.deadLetters, 6, 'still counted');
  await system.terminate();
});

test.run();
