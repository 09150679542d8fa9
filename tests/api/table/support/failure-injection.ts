// Shared by the Table API's exactly-once tests: a scalar function `maybe_fail(id)` that returns
// its argument and fails the job at planned calls, each only after a checkpoint newer than the
// restored one completed (so every failure restores progress), and the lines a filesystem table
// committed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamTableEnvironment } from '../../../../api/index.ts';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';

/** Registers `maybe_fail(id)` in `tEnv`, failing once at each call number of `failAt` (ascending); `failures` counts the failures. */
export function registerMaybeFail(tEnv: StreamTableEnvironment, failAt: readonly number[]): { readonly failures: number } {
  const pending = [...failAt];
  const shared = { seen: 0, failures: 0 };
  tEnv.createTemporarySystemFunction('maybe_fail', { resultType: 'BIGINT', eval: (id: number) => {
    const ck = embeddedExecutor.lastJobMaster?.checkpointing;
    shared.seen++;
    if (pending.length > 0 && shared.seen >= pending[0] && (ck?.latestCompletedId ?? 0) > (ck?.restoredCheckpointId ?? 0)) {
      pending.shift();
      shared.failures++;
      throw new Error(`injected failure at call ${shared.seen}`);
    }
    return id;
  } });
  return shared;
}

/** The lines of every committed file of a filesystem table's directory, sorted. */
export function committedLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}
