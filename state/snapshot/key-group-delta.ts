// Key-group deltas: the unit a checkpoint stores per key group. A full delta replaces the key
// group's state; an incremental one writes and deletes entries on top of the previous checkpoint.
// KeyGroupStateBuilder replays a chain of deltas into the canonical rows.
// Imports only state/; never api/ or actors/.
import { assignToKeyGroup, type Key } from '../key-groups.ts';
import type { Namespace } from '../keyed-state-backend.ts';
import type { TimersSnapshot } from '../heap/heap-timer-service.ts';
import { canonicalKey } from '../heap/state-table.ts';
import type { SubtaskSnapshot } from './subtask-snapshot.ts';

/** One entry of keyed state: [key, namespace, value]. */
export type StateRow = [Key, Namespace, unknown];

/** Changes of one key group at one checkpoint. */
export interface KeyGroupDelta {
  /** True: the key group's whole state; earlier deltas no longer apply. */
  readonly full: boolean;
  readonly states: Record<string, StateRow[]>;
  readonly deletions: Record<string, Array<[Key, Namespace]>>;
}

/** A stable string id of (key, namespace): equal keys (arrays by value, -0 and 0) share it. */
export function entryId(key: Key, namespace: Namespace): string {
  return canonicalKey(key) + (typeof namespace === 'number' ? '|n' : '|s') + String(namespace);
}

/** The per-key-group deltas of a subtask snapshot (full or incremental keyed state). */
export function deltasOf(state: SubtaskSnapshot): Map<number, KeyGroupDelta> {
  const deltas = new Map<number, KeyGroupDelta>();
  if (state.keyed !== undefined) {
    for (const [kg, group] of Object.entries(state.keyed.keyGroups)) Object.assign(deltaOf(deltas, Number(kg), true).states, group);
  } else if (state.incremental !== undefined) {
    const { full, changes, deletions } = state.incremental.snapshot;
    for (const [kg, group] of Object.entries(changes)) Object.assign(deltaOf(deltas, Number(kg), full).states, group);
    for (const [kg, group] of Object.entries(deletions)) Object.assign(deltaOf(deltas, Number(kg), full).deletions, group);
  }
  return deltas;
}

/** The delta of key group `kg` in `deltas`, added empty when absent (a function, not a closure per call: this runs at every checkpoint). */
function deltaOf(deltas: Map<number, KeyGroupDelta>, kg: number, full: boolean): KeyGroupDelta {
  let d = deltas.get(kg);
  if (d === undefined) deltas.set(kg, d = { full, states: {}, deletions: {} });
  return d;
}

/** True when the subtask's keyed state is the whole state, not changes on a base checkpoint. */
export function isFullKeyedState(state: SubtaskSnapshot): boolean {
  return state.incremental === undefined || state.incremental.snapshot.full;
}

/** Replays deltas, oldest first, into the state of each key group. */
export class KeyGroupStateBuilder {
  /** Rows of a full delta, kept as they are until an incremental delta must be applied. */
  private readonly rows = new Map<number, Record<string, StateRow[]>>();
  private readonly tables = new Map<number, Map<string, Map<string, StateRow>>>();

  /** Applies one delta of key group `keyGroup`: deletions, then writes. */
  apply(keyGroup: number, delta: KeyGroupDelta): void {
    if (delta.full) {
      this.tables.delete(keyGroup);
      this.rows.set(keyGroup, { ...delta.states });
      if (Object.keys(delta.deletions).length === 0) return;
    }
    const group = this.materialize(keyGroup);
    for (const [name, rows] of Object.entries(delta.deletions)) {
      const table = group.get(name);
      if (table !== undefined) for (const [key, ns] of rows) table.delete(entryId(key, ns));
    }
    if (delta.full) return;
    for (const [name, rows] of Object.entries(delta.states)) {
      let table = group.get(name);
      if (table === undefined) group.set(name, table = new Map());
      for (const row of rows) table.set(entryId(row[0], row[1]), row);
    }
  }

  /** The rows of every non-empty key group. */
  build(): Record<number, Record<string, StateRow[]>> {
    const out: Record<number, Record<string, StateRow[]>> = {};
    for (const [kg, states] of this.rows) {
      const nonEmpty = Object.entries(states).filter(([, rows]) => rows.length > 0);
      if (nonEmpty.length > 0) out[kg] = Object.fromEntries(nonEmpty);
    }
    for (const [kg, group] of this.tables) {
      let states: Record<string, StateRow[]> | undefined;
      for (const [name, table] of group) if (table.size > 0) (states ??= {})[name] = [...table.values()];
      if (states !== undefined) out[kg] = states;
    }
    return out;
  }

  /** The key group as maps by entry id, built from its full rows on first need. */
  private materialize(keyGroup: number): Map<string, Map<string, StateRow>> {
    let group = this.tables.get(keyGroup);
    if (group !== undefined) return group;
    this.tables.set(keyGroup, group = new Map());
    for (const [name, rows] of Object.entries(this.rows.get(keyGroup) ?? {})) {
      const table = new Map<string, StateRow>();
      for (const row of rows) table.set(entryId(row[0], row[1]), row);
      group.set(name, table);
    }
    this.rows.delete(keyGroup);
    return group;
  }
}

/** Splits timers of several services by the key group of their key. */
export function timersByKeyGroup(timers: Record<string, TimersSnapshot>, maxParallelism: number): Map<number, Record<string, TimersSnapshot>> {
  const out = new Map<number, Record<string, TimersSnapshot>>();
  for (const [name, snapshot] of Object.entries(timers)) {
    for (const domain of ['eventTime', 'processingTime'] as const) {
      for (const timer of snapshot[domain]) {
        const kg = assignToKeyGroup(timer.key, maxParallelism);
        let group = out.get(kg);
        if (group === undefined) out.set(kg, group = {});
        (group[name] ??= { eventTime: [], processingTime: [] })[domain].push(timer);
      }
    }
  }
  return out;
}
