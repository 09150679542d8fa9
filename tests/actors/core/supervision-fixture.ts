// Behaviours shared by the supervision tests: counters that log init / postStop, and supervisors
// that spawn named counters and answer with their children.

import { defineActor, type ActorBehavior, type ActorRef, type SupervisorStrategy } from '../../../actors/index.ts';

/** What the test counters accept. */
export type CounterMsg = { type: 'inc' } | { type: 'get' } | { type: 'crash' };
/** What the test supervisors accept. */
export type SupervisorMsg = { type: 'children' };

/** A counter that logs `init <name>` and `postStop <name> <count>`; `initFailures` makes init throw first. */
export function counter(name: string, log: string[], initFailures = { left: 0 }): ActorBehavior<number, CounterMsg> {
  return defineActor<number, CounterMsg>({
    init() {
      log.push(`init ${name}`);
      if (initFailures.left > 0) { initFailures.left--; throw new Error(`init of ${name} failed`); }
      return 0;
    },
    receive(state, msg, ctx) {
      if (msg.type === 'inc') return state + 1;
      if (msg.type === 'get') { ctx.reply(state); return; }
      throw new Error(`${name} crashed`);
    },
    postStop(state) { log.push(`postStop ${name} ${state}`); },
  });
}

/** A supervisor with `strategy` that spawns one counter per name, in order. */
export function supervisor(name: string, strategy: SupervisorStrategy, children: readonly (string | [string, ActorBehavior<unknown, never>])[], log: string[]): ActorBehavior<null, SupervisorMsg> {
  return defineActor<null, SupervisorMsg>({
    supervisorStrategy: strategy,
    init(ctx) {
      log.push(`init ${name}`);
      for (const child of children) {
        if (typeof child === 'string') ctx.spawn(counter(child, log), child);
        else ctx.spawn(child[1], child[0]);
      }
      return null;
    },
    receive(_state, _msg, ctx) { ctx.reply(ctx.children()); },
    postStop() { log.push(`postStop ${name}`); },
  });
}

/** The children of a supervisor, by their last path segment. */
export async function childrenOf(sup: ActorRef<SupervisorMsg>): Promise<Record<string, ActorRef<CounterMsg>>> {
  const refs = (await sup.ask({ type: 'children' })) as ActorRef<CounterMsg>[];
  return Object.fromEntries(refs.map((r) => [r.path.slice(r.path.lastIndexOf('/') + 1), r]));
}
