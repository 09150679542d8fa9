import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../../api/sinks/file-sink.ts';
import { TwoPhaseCommitSinkOperator } from '../../../api/sinks/two-phase-commit-sink.ts';
import type { OperatorContext, OperatorStateSnapshot } from '../../../api/operators/stream-operator.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { Random, testSeed } from '../../support/random.ts';

function context(subtaskIndex: number, parallelism: number, checkpointingEnabled: boolean): OperatorContext {
  return {
    operatorName: 'file-sink', uid: 'file-sink', subtaskIndex, parallelism, maxParallelism: 128, attemptNumber: 0,
    clock: new ManualClock(), registerProcessingTimer: () => () => {}, accumulators: new Map(), checkpointingEnabled,
  };
}

const noOutput = { collect() {}, collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} };

/** Visible lines: what a reader of the directory sees (hidden files ignored). */
function visibleLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
}

async function startOperator(dir: string, restored: OperatorStateSnapshot | undefined, checkpointing = true) {
  const op = new TwoPhaseCommitSinkOperator<number, unknown>(new FileSink<number>(dir) as never);
  op.setup(context(0, 1, checkpointing), noOutput);
  await op.initializeState({ isRestored: !!restored, list: restored?.list ?? [], union: restored?.union ?? [] });
  op.open();
  return op;
}

test('records become visible only when their checkpoint completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-2pc-'));
  const op = await startOperator(dir, undefined);
  op.processElement(1, 0); op.processElement(2, 0);
  op.snapshotState(1);
  assert.equal(visibleLines(dir), [], 'pre-committed is still hidden');
  op.processElement(3, 0);
  await op.notifyCheckpointComplete(1);
  assert.equal(visibleLines(dir).sort(), ['1', '2']);
  assert.ok(readdirSync(dir).every((f) => /^part-[0-9a-f-]{36}-0-\d+$/.test(f)), readdirSync(dir).join(", "));
  rmSync(dir, { recursive: true });
});

test('bounded input without checkpoints commits at the end of input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-2pc-'));
  const op = await startOperator(dir, undefined, false);
  op.processElement(7, 0);
  await op.endInput();
  await op.close();
  assert.equal(visibleLines(dir), ['7']);
  rmSync(dir, { recursive: true });
});

test('exactly once across random failures: visible output equals the input (randomized)', async () => {
  const rnd = new Random(testSeed('two-phase-commit'));
  for (let run = 0; run < 30; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'af-2pc-'));
    const input = Array.from({ length: rnd.int(1, 200) }, (_, i) => i);
    let completed: { id: number; state: OperatorStateSnapshot } | undefined;
    let checkpointId = 0;
    let position = 0; // the source position restored with the checkpoint
    let op = await startOperator(dir, undefined);
    const snapshots = new Map<number, { state: OperatorStateSnapshot; position: number }>();
    for (let i = position; i < input.length;) {
      const action = rnd.next();
      if (action < 0.7) { op.processElement(input[i], 0); i++; }
      else if (action < 0.8) { const id = ++checkpointId; snapshots.set(id, { state: op.snapshotState(id), position: i }); }
      else if (action < 0.9 && snapshots.size) {
        const id = Math.max(...snapshots.keys());
        // The checkpoint is complete once acknowledged; the notification may be lost to a failure.
        if (rnd.chance(0.5)) await op.notifyCheckpointComplete(id);
        completed = { id, state: snapshots.get(id)!.state };
        position = snapshots.get(id)!.position;
        snapshots.clear();
      } else if (action < 0.95) {
        // Failure: everything since the last completed checkpoint is lost and replayed.
        op = await startOperator(dir, completed?.state);
        snapshots.clear();
        i = position;
      }
    }
    // Finish: a final checkpoint after the end of input commits the rest.
    await op.endInput();
    const id = ++checkpointId;
    op.snapshotState(id);
    await op.notifyCheckpointComplete(id);
    await op.close();
    assert.equal(visibleLines(dir).map(Number).sort((a, b) => a - b), input, `run ${run}`);
    rmSync(dir, { recursive: true });
  }
});

test.run();
