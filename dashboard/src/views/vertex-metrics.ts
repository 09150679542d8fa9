// Loads the per-vertex figures of a job on every tick, from the routes Flink has for them: the
// aggregated subtask metrics (sum/max/min over subtasks), else the vertex metrics per subtask
// (`<i>.<name>`), and the back-pressure route for vertices whose metrics carry none. A route that
// answers 404 leaves the figures it would give undefined ("no metrics"), nothing breaks.
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { backPressureRatio, VERTEX_METRICS, vertexFigures, type VertexDetail, type VertexFigures } from '../flink.ts';

/** The query asking a vertex for the dashboard's metrics of each of its `n` subtasks. */
export function perSubtaskQuery(n: number): string {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) for (const m of VERTEX_METRICS) ids.push(`${i}.${m}`);
  return ids.join(',');
}

async function figuresOf(api: Api, jid: string, v: VertexDetail): Promise<VertexFigures | undefined> {
  const base = `jobs/${encodeURIComponent(jid)}/vertices/${encodeURIComponent(v.id)}`;
  let answer = await api.get<unknown>(`${base}/subtasks/metrics?get=${VERTEX_METRICS.join(',')}&agg=min,max,sum`);
  if (answer === undefined || (Array.isArray(answer) && answer.length === 0)) {
    answer = await api.get<unknown>(`${base}/metrics?get=${perSubtaskQuery(v.parallelism)}`);
  }
  const figures = answer === undefined ? undefined : vertexFigures(answer);
  if (figures?.backPressured !== undefined) return figures;
  const bp = backPressureRatio(await api.get<unknown>(`${base}/backpressure`));
  if (bp === undefined) return figures;
  return { ...figures, backPressured: bp };
}

/** The figures of every vertex (by id), refreshed on each tick; `available` is false while no route answered. */
export function useVertexFigures(api: Api, jid: string, vertices: readonly VertexDetail[], tick: number): { figures: Map<string, VertexFigures>; available: boolean; at: number } {
  const [state, setState] = useState<{ figures: Map<string, VertexFigures>; available: boolean; at: number }>({ figures: new Map(), available: false, at: 0 });
  const key = vertices.map((v) => `${v.id}:${v.parallelism}`).join(',');
  useEffect(() => {
    if (vertices.length === 0) return;
    let live = true;
    Promise.all(vertices.map((v) => figuresOf(api, jid, v).catch(() => undefined))).then((all) => {
      if (!live) return;
      const figures = new Map<string, VertexFigures>();
      all.forEach((f, i) => { if (f !== undefined) figures.set(vertices[i].id, f); });
      const anyValue = [...figures.values()].some((f) => Object.values(f).some((v) => v !== undefined));
      setState({ figures, available: anyValue, at: Date.now() });
    });
    return () => { live = false; };
  }, [jid, key, tick]);
  return state;
}
