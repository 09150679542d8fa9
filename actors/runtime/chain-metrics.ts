// ChainMetrics: records in and out of every operator of one subtask's chain (Flink's operator
// scope of numRecordsIn/numRecordsOut), read on demand from counts the chain keeps anyway or keeps
// cheaply: the head's input is the subtask's records in (counted per batch), a network edge's
// output is its record writer's count (per batch), a link inside the chain counts what it hands on
// (a ChainingOutput; a fused map/filter run counts only what its filters drop, the rest follows
// from what the run's consumer receives). An
// operator's records out are what it emitted, as in Flink: per output stream (the main output and
// each side output) what one of that stream's consumers received, summed over its streams. Nothing is summed on the
// data path: sample() adds the counts up when metrics are read.
// Imports api/ types and the chain's outputs.
import type { StreamNode } from '../../api/graph/stream-graph.ts';
import type { FusedStatelessChain, StatelessStep } from '../../api/operators/fused-stateless-chain.ts';
import type { ChainingOutput } from './chain-outputs.ts';

/** One chained operator's cumulative counts. */
export interface OperatorIOSample {
  /** The operator's stream node id. */
  readonly id: string;
  readonly name: string;
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
}

/** Counts of the operators of one chain, wired while the chain is built. */
export class ChainMetrics {
  private readonly inputs = new Map<StreamNode, () => number>();
  /** Per operator, per output stream (main, or a side output's tag), how to read one consumer's count. */
  private readonly outputs = new Map<StreamNode, Map<string, () => number>>();
  private readonly fused: FusedStatelessChain[] = [];
  /** The operator each fused step belongs to. */
  private readonly stepNodes = new Map<StatelessStep, StreamNode>();

  constructor(private readonly nodes: readonly StreamNode[]) {}

  /** `node` feeds `target` (chained) with `stream` ('main', or 'side:' and a side output's tag id): what `target` receives counts. */
  chained(node: StreamNode, stream: string, target: StreamNode): void { this.addOutput(node, stream, () => this.recordsIn(target)); }

  /** `node` feeds a network edge with `stream` through a writer that counts the records it wrote. */
  network(node: StreamNode, stream: string, writer: { readonly recordsOut: number }): void { this.addOutput(node, stream, () => writer.recordsOut); }

  /** The chain's head reads what the subtask reads (nothing for a source). */
  head(node: StreamNode, recordsIn: (() => number) | undefined): void { this.inputs.set(node, recordsIn ?? (() => 0)); }

  /** `node` is fed through `link`, which counts. */
  link(node: StreamNode, link: ChainingOutput<unknown>): void { this.inputs.set(node, () => link.count); }

  /**
   * `node` runs as `step` of a fused map/filter run. Runs are built tail first, each longer one
   * replacing the shorter; the longest run holding the step is the one records go through.
   */
  fusedStep(node: StreamNode, step: StatelessStep, run: FusedStatelessChain): void {
    this.fused.push(run);
    this.stepNodes.set(step, node);
    this.inputs.set(node, () => {
      let best: FusedStatelessChain | undefined;
      for (const r of this.fused) if (r.steps.includes(step) && (best === undefined || r.steps.length > best.steps.length)) best = r;
      if (best === undefined) return 0;
      // What the run emitted is what its last operator's consumer received.
      const last = this.stepNodes.get(best.steps[best.steps.length - 1]);
      return best.recordsInto(best.steps.indexOf(step), () => (last === undefined ? 0 : this.recordsOut(last)));
    });
  }

  /** Every operator's counts now, in chain order. */
  sample(): OperatorIOSample[] {
    return this.nodes.map((node) => ({
      id: String(node.id), name: node.name, numRecordsIn: this.recordsIn(node),
      numRecordsOut: this.recordsOut(node),
    }));
  }

  private recordsOut(node: StreamNode): number {
    return [...(this.outputs.get(node)?.values() ?? [])].reduce((n, out) => n + out(), 0);
  }

  private recordsIn(node: StreamNode): number { return this.inputs.get(node)?.() ?? 0; }

  /** Every consumer of one stream receives all of it: the first one's count stands for the stream. */
  private addOutput(node: StreamNode, stream: string, read: () => number): void {
    let streams = this.outputs.get(node);
    if (streams === undefined) { streams = new Map(); this.outputs.set(node, streams); }
    if (!streams.has(stream)) streams.set(stream, read);
  }
}
