// Chaos test of the actor core (actor-cell.ts): a supervision tree of more than 100 actors (three
// levels, mixed strategies, persistent and plain workers) under seeded random crashes. After each
// crash the tree settles, and an independent model of the OTP rules predicts every actor's
// lifecycle state and every worker's state (the messages it processed since it was (re)started;
// for persistent workers, every acknowledged message ever sent to that name).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorNotAliveError, ActorSystem, defineActor, ManualClock, type ActorLifecycleState, type ActorRef, type SupervisionKind,
  type SupervisorDirective,
} from '../../../actors/index.ts';
import { Random, testSeed } from '../../support/random.ts';

type WorkerMsg = { type: 'msg'; seq: number } | { type: 'get' } | { type: 'crash' };
type MidMsg = { type: 'children' };

const MID_MAX_RESTARTS = 2;
const MID_WITHIN_MS = 1000;
const KINDS: SupervisionKind[] = ['one-for-one', 'one-for-all', 'rest-for-one'];

interface WorkerModel {
  readonly name: string;
  readonly directive: SupervisorDirective;
  readonly persistent: boolean;
  ref: ActorRef<WorkerMsg> | undefined;
  alive: boolean;
  expected: number[];
}
interface MidModel {
  readonly name: string;
  readonly kind: SupervisionKind;
  readonly workers: WorkerModel[];
  restartTimes: number[];
  ref: ActorRef<MidMsg>;
}
interface RootModel { readonly name: string; readonly kind: SupervisionKind; readonly mids: MidModel[]; ref: ActorRef<MidMsg> }

const worker = defineActor<number[], WorkerMsg>({
  init: () => [],
  receive(state, msg, ctx) {
    if (msg.type === 'msg') return [...state, msg.seq];
    if (msg.type === 'get') { ctx.reply(state); return; }
    throw new Error(`crash of ${ctx.self.path}`);
  },
});

const PREFIX: Record<SupervisorDirective, string> = { restart: 'r', resume: 'u', stop: 's', escalate: 'e' };

function directiveOf(path: string): SupervisorDirective {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name[0] === 'u' ? 'resume' : name[0] === 's' ? 'stop' : 'restart';
}

function midBehavior(mid: MidModel) {
  const specs = mid.workers.map((w) => ({ name: w.name, persistent: w.persistent }));
  return defineActor<null, MidMsg>({
    supervisorStrategy: { kind: mid.kind, maxRestarts: MID_MAX_RESTARTS, withinMs: MID_WITHIN_MS, decider: (_e, child) => directiveOf(child.path) },
    init(ctx) {
      for (const s of specs) ctx.spawn(worker, s.name, s.persistent ? { persistence: { key: `${mid.name}/${s.name}` } } : undefined);
      return null;
    },
    receive(_s, _m, ctx) { ctx.reply(ctx.children()); },
  });
}

function rootBehavior(root: RootModel) {
  return defineActor<null, MidMsg>({
    supervisorStrategy: { kind: root.kind, maxRestarts: 1_000_000, withinMs: MID_WITHIN_MS },
    init(ctx) { for (const m of root.mids) ctx.spawn(midBehavior(m), m.name); return null; },
    receive(_s, _m, ctx) { ctx.reply(ctx.children()); },
  });
}

function targetsOf<T>(kind: SupervisionKind, live: T[], failed: T): T[] {
  const i = live.indexOf(failed);
  return kind === 'one-for-one' ? [failed] : kind === 'one-for-all' ? live : live.slice(i);
}

async function runChaos(seed: number, crashes: number, kvPath: string): Promise<{ actors: number; restarts: number; escalations: number }> {
  const random = new Random(seed);
  const clock = new ManualClock();
  const system = ActorSystem.create('chaos', { clock, kvPath });
  const ended = new Map<ActorRef, ActorLifecycleState>(); // refs no longer live, with their expected final state
  let seq = 0;
  let restarts = 0;
  let escalations = 0;

  const roots: RootModel[] = KINDS.map((kind, r) => ({
    name: `root${r}`, kind, ref: undefined as never,
    mids: Array.from({ length: 4 }, (_, m) => ({
      name: `mid${r}${m}`, kind: random.pick(KINDS), restartTimes: [], ref: undefined as never,
      workers: Array.from({ length: 8 }, (_, w) => {
        const roll = random.next();
        const directive: SupervisorDirective = roll < 0.6 ? 'restart' : roll < 0.85 ? 'resume' : 'stop';
        const persistent = directive !== 'stop' && random.chance(0.25);
        return { name: `${PREFIX[directive]}${persistent ? 'p' : ''}${w}`, directive, persistent, ref: undefined, alive: true, expected: [] };
      }),
    })),
  }));

  const refreshMid = async (mid: MidModel): Promise<void> => {
    const refs = (await mid.ref.ask({ type: 'children' })) as ActorRef<WorkerMsg>[];
    for (const w of mid.workers) {
      const ref = refs.find((r) => r.path.endsWith(`/${mid.name}/${w.name}`));
      if (w.alive) { assert.ok(ref, `${w.name} of ${mid.name} should be a child`); w.ref = ref; } else assert.not.ok(ref, `${w.name} of ${mid.name} should be gone`);
    }
  };
  const restartMid = (mid: MidModel): void => {
    for (const w of mid.workers) {
      if (w.alive && w.ref) ended.set(w.ref, 'stopped');
      w.ref = undefined;
      w.alive = true;
      if (!w.persistent) w.expected = [];
    }
    mid.restartTimes = [];
  };

  for (const root of roots) root.ref = system.spawn(rootBehavior(root), root.name);
  for (const root of roots) {
    const mids = (await root.ref.ask({ type: 'children' })) as ActorRef<MidMsg>[];
    root.mids.forEach((m, i) => { m.ref = mids[i]; });
    for (const m of root.mids) await refreshMid(m);
  }
  const allMids = roots.flatMap((r) => r.mids.map((m) => ({ root: r, mid: m })));
  const actors = roots.length + allMids.length + allMids.reduce((n, x) => n + x.mid.workers.length, 0);

  const acked: Promise<void>[] = [];
  for (let round = 0; round < crashes; round++) {
    // Traffic to live workers: tells to plain workers, asks (acknowledged updates) to persistent ones.
    for (let i = 0; i < 12; i++) {
      const { mid } = random.pick(allMids);
      const w = random.pick(mid.workers);
      if (!w.alive || !w.ref) continue;
      const msg = { type: 'msg' as const, seq: seq++ };
      w.expected.push(msg.seq);
      // An ask still queued when its worker is stopped (its supervisor restarting) is rejected: not
      // acknowledged, so the model drops it; every resolved ask must be in the final state.
      if (w.persistent) {
        acked.push(w.ref.ask(msg, 60_000).then(() => undefined, (error: unknown) => {
          assert.instance(error, ActorNotAliveError);
          w.expected.splice(w.expected.indexOf(msg.seq), 1);
        }));
      } else w.ref.tell(msg);
    }
    clock.advance(random.int(0, 200));
    // One crash, predicted by the model.
    const { root, mid } = random.pick(allMids);
    const live = mid.workers.filter((w) => w.alive);
    if (live.length === 0) continue;
    const failed = random.pick(live);
    failed.ref!.tell({ type: 'crash' });
    const now = clock.now();
    const restartedMids: MidModel[] = [];
    if (failed.directive === 'stop') {
      ended.set(failed.ref!, 'failed');
      failed.alive = false;
      failed.ref = undefined;
    } else if (failed.directive === 'restart') {
      mid.restartTimes = mid.restartTimes.filter((t) => t > now - MID_WITHIN_MS);
      mid.restartTimes.push(now);
      if (mid.restartTimes.length > MID_MAX_RESTARTS) {
        escalations++;
        const targets = targetsOf(root.kind, root.mids, mid);
        for (const m of targets) { restartMid(m); restartedMids.push(m); }
      } else {
        restarts++;
        for (const w of targetsOf(mid.kind, live, failed)) if (!w.persistent) w.expected = [];
      }
    }
    await system.whenIdle();
    await Promise.all(acked.splice(0));
    for (const m of restartedMids) await refreshMid(m);
  }
  await system.whenIdle();

  // Every actor is in the state the policy implies, and every live worker holds exactly the
  // messages sent to it since its (re)start (all acknowledged ones, for persistent workers).
  for (const [ref, state] of ended) assert.is(system.lifecycleOf(ref), state, `${ref.path} should be ${state}`);
  for (const root of roots) assert.is(system.lifecycleOf(root.ref), 'running', root.name);
  for (const { mid } of allMids) {
    assert.is(system.lifecycleOf(mid.ref), 'running', mid.name);
    for (const w of mid.workers) {
      if (!w.alive) continue;
      assert.is(system.lifecycleOf(w.ref!), 'running', w.ref!.path);
      assert.equal(await w.ref!.ask({ type: 'get' }), w.expected, `state of ${w.ref!.path}`);
    }
  }
  await system.terminate();
  for (const { mid } of allMids) for (const w of mid.workers) if (w.ref) assert.is(system.lifecycleOf(w.ref), 'stopped');
  return { actors, restarts, escalations };
}

test('a 111-actor tree under random crashes ends in the states the supervision policy implies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-chaos-'));
  try {
    const seed = testSeed('supervision-chaos');
    let restarts = 0, escalations = 0;
    for (let run = 0; run < 3; run++) {
      const result = await runChaos(seed + run, 120, join(dir, `chaos-${run}.db`));
      assert.ok(result.actors >= 100);
      restarts += result.restarts;
      escalations += result.escalations;
    }
    console.log(`restarts ${restarts}, escalations ${escalations}`);
    assert.ok(restarts > 0 && escalations > 0, 'the runs exercised both restarts and escalations');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
