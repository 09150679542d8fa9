// The sink of a SQL client's SELECT on a cluster (Flink's CollectSinkFunction): it runs in a
// TaskManager and pushes the query's changes to the JobManager's REST server (CollectClient),
// where the client fetches them. With checkpoints it is a two-phase-commit sink: a transaction's
// changes are kept in its checkpoint and pushed once that checkpoint completes, under an id that
// a recovery commits again unchanged (the relay drops the repeat): exactly-once. Without
// checkpoints changes are pushed as they come, in order, one batch in flight at a time
// (at-least-once: a restart replays what was shown). A push waits while the client's buffer is
// full; a push into a result the client closed (or abandoned) fails the job, so an orphaned query
// does not run on. Imports the Table API's types and the collect client.
import type { ChangelogRow, Sink, SinkWriter, SinkWriterContext, TwoPhaseCommitSink } from '../../../api/index.ts';
import { CollectClient } from '../../../actors/rest/collect-client.ts';

/** Where a query's rows go: the REST server's URL and the result's id. */
export interface CollectTarget { readonly restUrl: string; readonly resultId: string }

/** A transaction: its id (unique across attempts) and its changes (kept in the checkpoint). */
export interface CollectResultTxn { readonly id: string; readonly rows: ChangelogRow[] }

/** Changes pushed per batch at most (larger transactions go in several batches). */
const BATCH_ROWS = 2_000;

/** The error of a push into a result its client closed (or that expired: the client stopped reading). */
function closedError(rid: string): Error {
  return new Error(`the SQL client no longer reads result ${rid} (it closed the result, or stopped fetching and the result expired): the query's job stops`);
}

/** Pushes `rows` in batches named `<id>.<n>`; resolves when all were taken; rejects when the result was closed. */
async function pushAll(client: CollectClient, rid: string, id: string, rows: readonly ChangelogRow[]): Promise<void> {
  for (let i = 0, n = 0; i < rows.length; i += BATCH_ROWS, n++) {
    if (await client.push(rid, `${id}.${n}`, rows.slice(i, i + BATCH_ROWS)) === 'closed') throw closedError(rid);
  }
}

/** The exactly-once form (jobs with checkpoints). */
export class TransactionalCollectResultSink implements TwoPhaseCommitSink<ChangelogRow, CollectResultTxn> {
  private client?: CollectClient;
  private counter = 0;

  constructor(private readonly target: CollectTarget) {}

  beginTransaction(context: SinkWriterContext): CollectResultTxn {
    return { id: `${context.subtaskIndex}-${context.attemptNumber}-${this.counter++}`, rows: [] };
  }

  write(txn: CollectResultTxn, value: ChangelogRow): void { txn.rows.push(value); }

  preCommit(): void { /* the changes are in the transaction, which the checkpoint keeps */ }

  commit(txn: CollectResultTxn): Promise<void> {
    this.client ??= new CollectClient(this.target.restUrl);
    return pushAll(this.client, this.target.resultId, txn.id, txn.rows);
  }

  abort(txn: CollectResultTxn): void { txn.rows.length = 0; }
}

/** The at-least-once form (jobs without checkpoints): pushes changes as they arrive. */
export class StreamingCollectResultSink implements Sink<ChangelogRow> {
  constructor(private readonly target: CollectTarget) {}

  createWriter(context: SinkWriterContext): SinkWriter<ChangelogRow> {
    const client = new CollectClient(this.target.restUrl);
    const rid = this.target.resultId;
    let queue: ChangelogRow[] = [];
    let sending: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    let n = 0;
    const pump = (): void => {
      if (sending !== undefined || queue.length === 0) return;
      const rows = queue.splice(0, BATCH_ROWS);
      sending = client.push(rid, `${context.subtaskIndex}-${context.attemptNumber}-${n++}`, rows).then(
        (outcome) => {
          sending = undefined;
          if (outcome === 'closed') failure ??= { error: closedError(rid) }; else pump();
        },
        (error) => { sending = undefined; failure ??= { error }; },
      );
    };
    const drained = async (): Promise<void> => {
      while (sending !== undefined || (queue.length > 0 && failure === undefined)) { pump(); await sending; }
      if (failure) throw failure.error;
    };
    return {
      write(value) {
        if (failure) throw failure.error;
        queue.push(value);
        pump();
      },
      flush: () => drained(),
      close: async () => { await drained(); queue = []; },
    };
  }
}
