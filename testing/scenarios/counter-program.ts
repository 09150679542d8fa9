// The actor program the supervision scenarios run: a supervisor (one-for-one, restart intensity
// 2 within 1,050 ms) over a persistent counter. A client asks it to add amounts; crashes are sent
// to the counter and the whole actor system is killed and restarted, as the schedule says. Checks:
// the supervisor's lifecycle state is what OTP's restart intensity implies (a plain model), and no
// acknowledged addition is lost (the counter after a final crash and restart holds at least every
// acknowledged amount and at most every amount sent). Faults sit on a 100 ms grid (crashes at +50,
// kills at +25) so that a millisecond of scheduling jitter never decides a window. Imports
// actors/ and testing/.
import { ActorNotAliveError, defineActor, type ActorRef } from '../../actors/index.ts';
import type { ActorSystem } from '../../actors/core/actor-system.ts';
import { SupervisionModel } from '../checkers.ts';
import type { Fault } from '../scenario.ts';
import type { SimRandom } from '../sim-random.ts';
import type { Simulation } from '../simulation.ts';

/** The actor system the program runs in. */
export const PROGRAM_SYSTEM = 'app';
const MAX_RESTARTS = 2;
const WITHIN_MS = 1050;

type CounterMsg = { type: 'add'; amount: number } | { type: 'get' } | { type: 'crash' };

const counter = defineActor<number, CounterMsg>({
  init: () => 0,
  receive(state, msg, ctx) {
    if (msg.type === 'add') { ctx.reply(state + msg.amount); return state + msg.amount; }
    if (msg.type === 'get') { ctx.reply(state); return; }
    throw new Error('crash requested by the simulation');
  },
  persistence: { key: 'counter' },
});

const supervisor = defineActor<ActorRef<CounterMsg>, { type: 'counter' }>({
  supervisorStrategy: { kind: 'one-for-one', maxRestarts: MAX_RESTARTS, withinMs: WITHIN_MS },
  init: (ctx) => ctx.spawn(counter, 'counter'),
  receive(state, _msg, ctx) { ctx.reply(state); },
});

/** Crashes and system kills for a run of `durationMs`, on the 100 ms grid. */
export function planProgramFaults(random: SimRandom, durationMs: number, options: { crashes: [number, number]; kills: [number, number] }): Fault[] {
  const slots = Math.max(1, Math.floor(durationMs / 100));
  const faults: Fault[] = [];
  for (let n = random.int(...options.crashes); n > 0; n--) faults.push({ atMs: random.int(0, slots - 1) * 100 + 50, kind: 'crash-actor', target: 'counter' });
  for (let n = random.int(...options.kills); n > 0; n--) {
    faults.push({ atMs: random.int(0, slots - 1) * 100 + 25, kind: 'kill-actor-system', target: PROGRAM_SYSTEM, restartAfterMs: random.int(1, 10) * 100 });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** Starts the program and its client, schedules its faults; returns the final check (run after the faults). */
export function startCounterProgram(sim: Simulation, faults: readonly Fault[], random: SimRandom, durationMs: number): () => Promise<void> {
  const model = new SupervisionModel(MAX_RESTARTS, WITHIN_MS);
  let system: ActorSystem = sim.actorSystem(PROGRAM_SYSTEM);
  let root = system.spawn(supervisor, 'supervisor');
  let acknowledged = 0, sent = 0;
  const counterRef = (): ActorRef<CounterMsg> => system.resolve(`${root.path}/counter`) as ActorRef<CounterMsg>;
  const start = (): void => {
    system = sim.actorSystem(PROGRAM_SYSTEM);
    root = system.spawn(supervisor, 'supervisor');
    model.reset();
  };
  for (const f of faults) {
    if (f.kind === 'crash-actor') {
      sim.at(f.atMs, () => {
        if (!sim.isAlive(PROGRAM_SYSTEM) || !model.running) return;
        sim.kernel.note('fault crash counter');
        counterRef().tell({ type: 'crash' });
        model.childFailed(sim.nowMs);
      });
    } else if (f.kind === 'kill-actor-system') {
      sim.at(f.atMs, () => {
        if (!sim.isAlive(PROGRAM_SYSTEM)) return;
        sim.kill(PROGRAM_SYSTEM);
        sim.at(f.atMs + f.restartAfterMs, () => { if (!sim.isAlive(PROGRAM_SYSTEM)) { sim.restart(PROGRAM_SYSTEM); start(); } });
      });
    }
  }
  // The client: an addition every 10-60 virtual ms until the end of the run.
  const client = async (): Promise<void> => {
    while (sim.nowMs < durationMs) {
      await sim.advance(random.int(10, 60));
      if (!sim.isAlive(PROGRAM_SYSTEM) || !model.running) continue;
      const amount = random.int(1, 9);
      const target = counterRef();
      const incarnation = system;
      sent += amount;
      target.ask({ type: 'add', amount }, 500).then(
        () => { if (incarnation === system && sim.isAlive(PROGRAM_SYSTEM)) acknowledged += amount; },
        (error: unknown) => { if (!(error instanceof Error)) throw error; /* not acknowledged: it may or may not have been applied */ },
      );
    }
  };
  const clientDone = client();
  return async () => {
    await clientDone;
    let restartAt = 0;
    for (const f of faults) if (f.kind === 'kill-actor-system') restartAt = Math.max(restartAt, f.atMs + f.restartAfterMs);
    if (sim.nowMs < restartAt) await sim.advance(restartAt - sim.nowMs);
    await sim.advance(600);
    if (sim.isAlive(PROGRAM_SYSTEM)) {
      const state = system.lifecycleOf(root);
      const expected = model.running ? 'running' : 'failed';
      sim.check('lifecycle: the supervisor is in the state its restart intensity implies', state === expected,
        `supervisor is ${state}, the model says ${expected}`);
    }
    // A final crash of the whole system: what it acknowledged must come back from its store.
    if (sim.isAlive(PROGRAM_SYSTEM)) sim.kill(PROGRAM_SYSTEM);
    sim.restart(PROGRAM_SYSTEM);
    start();
    let value: number | undefined;
    try {
      const ref = await root.ask<ActorRef<CounterMsg>>({ type: 'counter' }, 5_000);
      value = await ref.ask<number>({ type: 'get' }, 5_000);
    } catch (error) {
      if (!(error instanceof ActorNotAliveError)) throw error;
      value = undefined;
    }
    sim.check('no acknowledged actor state is lost', value !== undefined && value >= acknowledged && value <= sent,
      `counter ${value ?? 'unreachable'}, acknowledged ${acknowledged}, sent ${sent}`);
  };
}
