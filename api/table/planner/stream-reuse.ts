// A DataStream registered as a view is read by every query over it, but the environment forgets
// its stream graph after each submitted job (as Flink does). Before a query reads such a stream,
// the operators upstream of it are put back into the environment's graph, and edges left over from
// earlier jobs (to operators no longer in the graph) are dropped, so each job gets the view's
// operators exactly once. Operators are made fresh per job by their factories, so nothing of an
// earlier run is shared. Imports the graph shapes only.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { StreamNode } from '../../graph/stream-graph.ts';

/** Makes `stream`'s upstream operators part of its environment's current graph. */
export function attachStream<T>(stream: DataStream<T>): DataStream<T> {
  const graph = stream.environment.streamGraph;
  const present = new Set(graph.nodes);
  const upstream: StreamNode[] = [];
  const seen = new Set<StreamNode>();
  const visit = (n: StreamNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const e of n.inEdges) visit(e.source);
    upstream.push(n);
  };
  for (const input of stream.inputs) visit(input.node);
  for (const n of upstream) {
    if (!present.has(n)) { graph.nodes.push(n); present.add(n); }
  }
  for (const n of upstream) {
    const stale = n.outEdges.filter((e) => !present.has(e.target));
    for (const e of stale) n.outEdges.splice(n.outEdges.indexOf(e), 1);
  }
  graph.nodes.sort((a, b) => a.id - b.id);
  return stream;
}
