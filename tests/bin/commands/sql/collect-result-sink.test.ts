// The SQL client's collect sinks against a real REST server: the transactional one pushes a
// transaction's changes when it commits, once however often it commits (a recovery commits again);
// the streaming one pushes as it writes and its flush waits until all were taken; both fail
// clearly once the client closed the result, so an abandoned query's job stops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CollectClient } from '../../../../actors/rest/collect-client.ts';
import { startRestServer } from '../../../../actors/rest/rest-server.ts';
import type { ChangelogRow } from '../../../../api/index.ts';
import { StreamingCollectResultSink, TransactionalCollectResultSink } from '../../../../bin/commands/sql/collect-result-sink.ts';
import { MiniClusterService } from '../../../actors/rest/mini-cluster-service.ts';

const server = await startRestServer(new MiniClusterService(), { port: 0 });
const client = new CollectClient(server.url);
const context = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, operatorName: 'SQL client result' };
const change = (id: number): ChangelogRow => ({ op: '+I', row: { id } });

test('a transaction is pushed when it commits, once however often it commits; after the client closed the result a commit fails', async () => {
  const target = { restUrl: server.url, resultId: 'txn-result-0123456789' };
  const sink = new TransactionalCollectResultSink(target);
  const txn = sink.beginTransaction(context);
  for (let i = 0; i < 5; i++) sink.write(txn, change(i));
  sink.preCommit();
  assert.equal((await client.fetch(target.resultId, 0)).rows, [], 'nothing before the commit');
  await sink.commit(txn);
  await sink.commit(structuredClone(txn)); // a recovery commits the restored transaction again
  assert.equal((await client.fetch(target.resultId, 0)).rows, [0, 1, 2, 3, 4].map(change));
  const aborted = sink.beginTransaction(context);
  sink.write(aborted, change(99));
  sink.abort(aborted);
  await sink.commit(aborted);
  assert.equal((await client.fetch(target.resultId, 5)).rows, [], 'an aborted transaction pushes nothing');
  await client.close(target.resultId);
  const late = sink.beginTransaction(context);
  sink.write(late, change(5));
  await sink.commit(late).then(() => assert.unreachable('pushed into a closed result'), (e: Error) => assert.match(e.message, /no longer reads result txn-result-0123456789/));
});

test('the streaming sink pushes as it writes, in order; its flush waits for all; a closed result fails its writes', async () => {
  const target = { restUrl: server.url, resultId: 'stream-result-0123456789' };
  const writer = await new StreamingCollectResultSink(target).createWriter(context);
  for (let i = 0; i < 5000; i++) writer.write(change(i), 0);
  await writer.flush!(true);
  const got: ChangelogRow[] = [];
  for (let offset = 0; ;) {
    const page = await client.fetch(target.resultId, offset);
    if (page.rows.length === 0) break;
    got.push(...(page.rows as ChangelogRow[]));
    offset = page.offset + page.rows.length;
  }
  assert.equal(got, Array.from({ length: 5000 }, (_, i) => change(i)));
  await client.close(target.resultId);
  writer.write(change(5000), 0);
  await Promise.resolve(writer.flush!(true)).then(() => assert.unreachable('flushed into a closed result'), (e: Error) => assert.match(e.message, /no longer reads result stream-result/));
  assert.throws(() => writer.write(change(5001), 0), /no longer reads result/);
});

test.after(async () => { await server.close(); });

test.run();
