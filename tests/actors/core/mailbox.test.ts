import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkMailboxOptions, Mailbox, type Asker } from '../../../actors/core/mailbox.ts';

const asker = (log: unknown[]): Asker => ({ resolve: (v) => log.push(['resolve', v]), reject: (e) => log.push(['reject', e]) });

test('messages come out in the order they went in, across growth and wrap-around', () => {
  const mailbox = new Mailbox(2);
  const out: unknown[] = [];
  let next = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < round % 7 + 1; i++) mailbox.push(next++, undefined);
    for (let i = 0; i < round % 5 && mailbox.size > 0; i++) out.push(mailbox.shift());
  }
  while (mailbox.size > 0) out.push(mailbox.shift());
  assert.equal(out, Array.from({ length: next }, (_, i) => i));
});

test('each message keeps its asker', () => {
  const mailbox = new Mailbox();
  const a = asker([]);
  mailbox.push('tell', undefined);
  mailbox.push('ask', a);
  assert.is(mailbox.peekAsker(), undefined);
  assert.is(mailbox.shift(), 'tell');
  assert.is(mailbox.peekAsker(), a);
  assert.is(mailbox.shift(), 'ask');
  assert.is(mailbox.size, 0);
});

test('drain empties the mailbox and hands over every message with its asker', () => {
  const mailbox = new Mailbox();
  const log: unknown[] = [];
  mailbox.push(1, asker(log));
  mailbox.push(2, undefined);
  mailbox.push(3, asker(log));
  const seen: [unknown, Asker | undefined][] = [];
  assert.is(mailbox.drain((m, a) => seen.push([m, a])), 3);
  assert.equal(seen.map(([m]) => m), [1, 2, 3]);
  assert.equal(seen.map(([, a]) => a !== undefined), [true, false, true]);
  assert.is(mailbox.size, 0);
});

test('mailbox options: unbounded by default; a bad capacity or overflow is refused by name', () => {
  assert.equal(checkMailboxOptions(undefined), { capacity: Infinity, overflow: 'drop-new' });
  assert.equal(checkMailboxOptions({ capacity: 3 }), { capacity: 3, overflow: 'drop-new' });
  assert.equal(checkMailboxOptions({ capacity: 1, overflow: 'fail' }), { capacity: 1, overflow: 'fail' });
  assert.throws(() => checkMailboxOptions({ capacity: 0 }), /capacity must be an integer >= 1, got 0/);
  assert.throws(() => checkMailboxOptions({ capacity: 2.5 }), /capacity must be an integer >= 1/);
  assert.throws(() => checkMailboxOptions({ capacity: 2, overflow: 'block' as never }), /overflow must be one of drop-new, drop-old, fail, got block/);
});

test.run();
