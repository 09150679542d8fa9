// The lifecycle of one actor as an xstate v5 machine: the single source of truth for
// `system.lifecycleOf(ref)`. It sees lifecycle events only (a handful per start, restart or stop),
// never ordinary messages, so it costs nothing on the messaging path. Imports only xstate.
//
//            started                 restart                 started
//  starting ─────────▶ running ─────────────▶ restarting ─────────────▶ running
//     │  └──restart──────────────────────────────▲  │ ▲ restart (again)
//     │                   │ stop                     │ └──┘
//     │ stop              ▼                          │ stop
//     └─────────────▶ stopping ◀────────────────────┘
//                      │     │
//           terminated │     │ fail
//                      ▼     ▼
//                  stopped  failed        (fail also leads to failed from any live state)

import { createActor, setup, type Actor } from 'xstate';

/** The states an actor's lifecycle can be in. */
export type ActorLifecycleState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

/** The events that move a lifecycle. */
export type ActorLifecycleEvent =
  | { type: 'started' }
  | { type: 'restart' }
  | { type: 'stop' }
  | { type: 'terminated' }
  | { type: 'fail' };

/** The lifecycle machine shared by every actor. */
export const actorLifecycleMachine = setup({
  types: { events: {} as ActorLifecycleEvent },
}).createMachine({
  id: 'actor-lifecycle',
  initial: 'starting',
  states: {
    starting: { on: { started: 'running', restart: 'restarting', stop: 'stopping', fail: 'failed' } },
    running: { on: { restart: 'restarting', stop: 'stopping', fail: 'failed' } },
    restarting: { on: { started: 'running', restart: { target: 'restarting', reenter: true }, stop: 'stopping', fail: 'failed' } },
    stopping: { on: { terminated: 'stopped', fail: 'failed' } },
    stopped: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** A running lifecycle machine for one actor. */
export type ActorLifecycle = Actor<typeof actorLifecycleMachine>;

/** Starts a lifecycle machine in `starting`. */
export function createActorLifecycle(): ActorLifecycle {
  return createActor(actorLifecycleMachine).start();
}

/** The current state of a lifecycle machine. */
export function lifecycleState(lifecycle: ActorLifecycle): ActorLifecycleState {
  return lifecycle.getSnapshot().value as ActorLifecycleState;
}
