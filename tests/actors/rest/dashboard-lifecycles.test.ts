// The lifecycle graphs the dashboard draws are the machines themselves: every state, the initial
// and final ones, and exactly the transitions xstate takes (each listed event moves its state to
// the listed target; every other event of the machine leaves the state alone). A nested machine,
// which the drawing cannot show, is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMachine, transition, type AnyStateMachine } from 'xstate';
import { dashboardLifecycles, lifecycleGraph, type LifecycleGraph } from '../../../actors/rest/dashboard-lifecycles.ts';
import { jobStatusMachine } from '../../../actors/runtime/job-status.machine.ts';
import { subtaskMachine } from '../../../actors/runtime/subtask.machine.ts';

/** Checks `graph` against what `machine` does from each of its states on each of its events. */
function assertMatches(machine: AnyStateMachine, graph: LifecycleGraph): void {
  const events = [...new Set(graph.transitions.map((t) => t.event))];
  assert.ok(events.length > 0);
  for (const { name } of graph.states) {
    const from = machine.resolveState({ value: name, context: undefined });
    for (const type of events) {
      const [next] = transition(machine, from, { type });
      const listed = graph.transitions.filter((t) => t.from === name && t.event === type).map((t) => t.to);
      assert.ok(listed.length <= 1, `${machine.id}: ${name} on ${type} lists ${listed.length} targets`);
      assert.is(next.value, listed[0] ?? name, `${machine.id}: ${name} on ${type}`);
    }
  }
}

test('the job machine: its ten states, CREATED first, the four final ones, and exactly its transitions', () => {
  const graph = lifecycleGraph(jobStatusMachine);
  assert.is(graph.id, 'job');
  assert.is(graph.initial, 'CREATED');
  assert.equal(graph.states.map((s) => s.name), Object.keys(jobStatusMachine.config.states!));
  assert.equal(graph.states.filter((s) => s.final).map((s) => s.name).sort(), ['CANCELED', 'FAILED', 'FINISHED', 'SUSPENDED']);
  assert.ok(graph.transitions.some((t) => t.from === 'FAILING' && t.to === 'RESTARTING' && t.event === 'job.restart'));
  assertMatches(jobStatusMachine, graph);
});

test('the subtask machine: deploying first, three final states, and exactly its transitions', () => {
  const graph = lifecycleGraph(subtaskMachine);
  assert.is(graph.initial, 'deploying');
  assert.equal(graph.states.filter((s) => s.final).map((s) => s.name).sort(), ['canceled', 'failed', 'finished']);
  const fromConfig = Object.entries(subtaskMachine.config.states!).flatMap(([from, s]) =>
    Object.entries((s as { on?: Record<string, string> }).on ?? {}).map(([event, to]) => `${from} -${event}-> ${to}`));
  assert.equal(graph.transitions.map((t) => `${t.from} -${t.event}-> ${t.to}`).sort(), fromConfig.sort());
  assertMatches(subtaskMachine, graph);
});

test('dashboardLifecycles gives both graphs; a nested machine is refused naming its state', () => {
  const both = dashboardLifecycles();
  assert.equal(both.job, lifecycleGraph(jobStatusMachine));
  assert.equal(both.subtask, lifecycleGraph(subtaskMachine));
  const nested = createMachine({ id: 'nested', initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } });
  assert.throws(() => lifecycleGraph(nested), /state a is nested/);
});

test.run();
