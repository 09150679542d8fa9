// EpochFence: the newest epoch seen wins; a command of an older one is refused (and reported),
// one of the same or a newer epoch passes; a newer epoch is announced once. Without high
// availability (epoch 0 or absent) everything passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env as processEnv } from 'node:process';
import { EpochFence } from '../../../actors/cluster/epoch-fence.ts';

function fence(): { fence: EpochFence; newer: Array<[number, number]>; refused: string[] } {
  const newer: Array<[number, number]> = [];
  const refused: string[] = [];
  return { fence: new EpochFence({ onNewerEpoch: (e, p) => newer.push([e, p]), onRefused: (m) => refused.push(m) }), newer, refused };
}

test('without high availability every command passes', () => {
  const { fence: f, newer, refused } = fence();
  assert.ok(f.admit('taskexecutor.deploy', undefined));
  assert.ok(f.admit('taskexecutor.deploy', 0));
  assert.is(f.highest, 0);
  assert.equal(newer, []);
  assert.equal(refused, []);
});

test('a newer epoch replaces the old one; commands of the old one are refused from then on', () => {
  const { fence: f, newer, refused } = fence();
  assert.ok(f.admit('a', 1));
  assert.ok(f.admit('b', 1));
  assert.not.ok(f.observe(1), 'the same epoch is not newer');
  assert.ok(f.observe(2), 'the HA store names epoch 2');
  assert.not.ok(f.admit('taskexecutor.trigger-checkpoint (job j)', 1));
  assert.match(refused[0], /refused taskexecutor\.trigger-checkpoint \(job j\) from a deposed JobManager \(epoch 1\): the JobManager of epoch 2 leads now/);
  assert.not.ok(f.admit('c', 0), 'no epoch is the oldest of all');
  assert.ok(f.admit('d', 2));
  assert.ok(f.admit('e', 3), 'a command of a newer epoch passes and raises the fence');
  assert.not.ok(f.admit('f', 2));
  assert.is(f.highest, 3);
  assert.equal(newer, [[1, 0], [2, 1], [3, 2]]);
  assert.is(refused.length, 3);
});

test('randomized: a command passes exactly when no newer epoch was seen before it', () => {
  const seed = Number(processEnv.SEED ?? Date.now() % 1_000_000);
  console.log(`seed ${seed}`);
  let state = seed;
  const next = (n: number): number => { state = (state * 1103515245 + 12345) % 2147483648; return state % n; };
  const { fence: f } = fence();
  let highest = 0;
  for (let i = 0; i < 2000; i++) {
    const epoch = next(6);
    if (next(4) === 0) {
      assert.is(f.observe(epoch), epoch > highest, `seed ${seed} step ${i}`);
    } else {
      assert.is(f.admit('x', epoch), epoch >= highest, `seed ${seed} step ${i}`);
    }
    highest = Math.max(highest, epoch);
    assert.is(f.highest, highest);
  }
});

test.run();
