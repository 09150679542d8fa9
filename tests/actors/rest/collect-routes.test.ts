// The collect routes over HTTP with a cluster secret: without the token a push or fetch is refused
// (401) and reaches no result; with it (CollectClient) a batch is taken once, rows keep their
// types, a push into a full result is held until the client acknowledges rows (or answered FULL
// when the wait ends), a closed result answers 410 to pushes, bad input answers 400.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import { CollectClient } from '../../../actors/rest/collect-client.ts';
import { encode } from '../../../actors/network/codec.ts';
import { startRestServer } from '../../../actors/rest/rest-server.ts';
import { MiniClusterService } from './mini-cluster-service.ts';

const SECRET = 'collect secret';
const clock = new ManualClock();
const server = await startRestServer(new MiniClusterService(), { port: 0, secret: SECRET, clock, longPollMs: 5000 });
const client = new CollectClient(server.url, { secret: SECRET });
const RID = 'result-0123456789abcdef';

test('without the token a push or a fetch is refused and nothing is stored', async () => {
  const push = await fetch(`${server.url}/collect/${RID}x`, { method: 'POST', body: encode({ batch: 'a', rows: [1] }) as unknown as ArrayBuffer });
  assert.is(push.status, 401);
  await push.body?.cancel();
  const wrong = new CollectClient(server.url, { secret: 'guess' });
  await wrong.fetch(RID, 0).then(() => assert.unreachable('fetched'), (e: Error) => assert.match(e.message, /unauthorized/));
  assert.equal(await client.fetch(`${RID}x`, 0), { offset: 0, rows: [] });
});

test('a batch is taken once and its rows keep their types; a fetch pages from the offset', async () => {
  const rows = [{ op: '+I', row: { id: 1, name: null, bytes: new Uint8Array([1, 2, 3]), nested: { a: [1.5, 'x'] } } }, { op: '-D', row: { id: 2 } }];
  assert.is(await client.push(RID, 'b0', rows), 'accepted');
  assert.is(await client.push(RID, 'b0', rows), 'accepted', 'a repeat is acknowledged');
  assert.equal(await client.fetch(RID, 0), { offset: 0, rows });
  assert.equal(await client.fetch(RID, 1, { max: 5 }), { offset: 1, rows: [rows[1]] });
  assert.equal(await client.fetch(RID, 2), { offset: 2, rows: [] });
  await client.fetch(RID, 3).then(() => assert.unreachable('past the end'), (e: Error) => assert.match(e.message, /offset 3 is past the 2 rows/));
});

test('a push into a full result waits for the client to acknowledge rows; the wait ends FULL on time', async () => {
  const rid = 'full-result-0123456789';
  const big = Array.from({ length: 10_000 }, (_, i) => i);
  assert.is(await client.push(rid, 'big', big), 'accepted');
  let taken = false;
  const waiting = client.push(rid, 'next', ['after']).then((r) => { taken = true; return r; });
  const page = await client.fetch(rid, 0, { max: 10 });
  assert.equal(page.rows, big.slice(0, 10));
  assert.not.ok(taken, 'held while the result is full');
  await client.fetch(rid, 10_000); // acknowledges everything: room again
  assert.is(await waiting, 'accepted');
  assert.equal((await client.fetch(rid, 10_000)).rows, ['after']);
  // Full again: a raw request's wait ends at the timeout (on the server's clock) with 202 FULL.
  assert.is(await client.push(rid, 'big2', big), 'accepted');
  const auth = { authorization: `Bearer ${(await import('../../../actors/rest/rest-auth.ts')).restToken(SECRET)}` };
  const answer = fetch(`${server.url}/collect/${rid}?timeout=1000`, { method: 'POST', headers: auth, body: encode({ batch: 'x', rows: [1] }) as unknown as ArrayBuffer });
  // The server's clock moves until the answer comes (the request's arrival is not observable here).
  let settled = false;
  void answer.finally(() => { settled = true; });
  while (!settled) { clock.advance(1000); await new Promise((r) => setTimeout(r, 0)); }
  const res = await answer;
  assert.is(res.status, 202);
  assert.equal(await res.json(), { status: 'FULL' });
});

test('a closed result answers 410 to pushes (the sink stops); bad ids and bodies answer 400', async () => {
  const rid = 'closed-result-0123456789';
  assert.is(await client.push(rid, 'a', [1]), 'accepted');
  await client.close(rid);
  assert.is(await client.push(rid, 'b', [2]), 'closed');
  await client.fetch('short', 0).then(() => assert.unreachable('short id'), (e: Error) => assert.match(e.message, /a result id is 16 to 80/));
  const auth = { authorization: `Bearer ${(await import('../../../actors/rest/rest-auth.ts')).restToken(SECRET)}` };
  const res = await fetch(`${server.url}/collect/${RID}`, { method: 'POST', headers: auth, body: 'not msgpack {' });
  assert.is(res.status, 400);
  assert.match(JSON.stringify(await res.json()), /msgpack batch|\{batch: string, rows: array\}/);
});

test.after(async () => { await server.close(); });

test.run();
