// The lifecycle graphs the dashboard draws, read from the xstate machines themselves (their states,
// initial state, final states and every transition with its event), so a transition added to a
// machine shows up in the dashboard without anyone copying it. Served as JSON by dashboard-routes.ts.
// Imports the three machines (actors/runtime, actors/core) and xstate's types only.
import type { AnyStateMachine } from 'xstate';
import { jobStatusMachine } from '../runtime/job-status.machine.ts';
import { subtaskMachine } from '../runtime/subtask.machine.ts';
import { actorLifecycleMachine } from '../core/actor-lifecycle.machine.ts';

/** One machine as a plain graph. */
export interface LifecycleGraph {
  /** The machine's id (`job`, `subtask`). */
  readonly id: string;
  readonly initial: string;
  readonly states: readonly { readonly name: string; readonly final: boolean }[];
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly event: string }[];
}

/** The graph of a flat machine (the lifecycles are flat: nested states would need a richer drawing). */
export function lifecycleGraph(machine: AnyStateMachine): LifecycleGraph {
  const root = machine.root;
  const initial = root.initial?.target?.[0]?.key;
  if (initial === undefined) throw new Error(`machine ${root.id} has no initial state`);
  const states: { name: string; final: boolean }[] = [];
  const transitions: { from: string; to: string; event: string }[] = [];
  for (const state of Object.values(root.states)) {
    if (Object.keys(state.states).length > 0) throw new Error(`machine ${root.id}: state ${state.key} is nested, which the dashboard cannot draw`);
    states.push({ name: state.key, final: state.type === 'final' });
    for (const [event, definitions] of state.transitions) {
      for (const definition of definitions) {
        for (const target of definition.target ?? []) transitions.push({ from: state.key, to: target.key, event });
      }
    }
  }
  return { id: root.id, initial, states, transitions };
}

/** The job's, the subtask's and an actor's lifecycle graphs (GET /dashboard/lifecycles). */
export function dashboardLifecycles(): { readonly job: LifecycleGraph; readonly subtask: LifecycleGraph; readonly actor: LifecycleGraph } {
  return { job: lifecycleGraph(jobStatusMachine), subtask: lifecycleGraph(subtaskMachine), actor: lifecycleGraph(actorLifecycleMachine) };
}
