// LocalDeployer: the SubtaskDeployer of a job on the TaskManagers of this process (the mini
// cluster). It creates StreamTasks and the LocalChannels between them, for a whole attempt or for
// one pipelined region (whose old channels it forgets; no channel leaves a region), and starts
// them in their slots. Imports api/ types and actors/ (runtime, failover types).
import type { JobEdge, JobVertex } from '../../api/graph/job-graph.ts';
import type { SubtaskRef } from '../failover/pipelined-regions.ts';
import type { GateChannel } from './input-gate.ts';
import { LocalChannel } from './local-channel.ts';
import type { ResourceManager } from './resource-manager.ts';
import { StreamTask } from './stream-task.ts';
import { allSubtasks, byVertex, type DeployContext, type SlotAssignment, type SubtaskDeployer } from './subtask-deployer.ts';
import type { TaskHandle } from './task-manager.ts';

/** Deploys a job's subtasks as StreamTasks on the in-process TaskManagers. */
export class LocalDeployer implements SubtaskDeployer {
  /** Channels by their sender (`vertexId#subtaskIndex`). */
  private readonly channels = new Map<string, LocalChannel[]>();
  private slotOf: SlotAssignment | undefined;

  constructor(private readonly context: DeployContext, private readonly resourceManager: ResourceManager) {}

  deployAttempt(attemptNumber: number, slotOf: SlotAssignment): Map<JobVertex, TaskHandle[]> {
    this.channels.clear();
    const subtasks = allSubtasks(this.context.graph);
    return byVertex(subtasks, this.createTasks(subtasks, subtasks.map(() => attemptNumber), slotOf));
  }

  deployRegion(region: readonly SubtaskRef[], attempts: readonly number[], slotOf: SlotAssignment): TaskHandle[] {
    for (const { vertex, subtaskIndex } of region) this.channels.delete(`${vertex.id}#${subtaskIndex}`);
    return this.createTasks(region, attempts, slotOf);
  }

  start(tasks: Iterable<TaskHandle>): void {
    for (const task of tasks) {
      if (!(task instanceof StreamTask)) continue;
      const slot = this.slotOf!(task.vertex, task.subtaskIndex);
      void this.resourceManager.localTaskManager(slot.taskManagerId).deploy(task, slot);
    }
  }

  /** Every channel of the job's current subtasks (tests check queue bounds on them). */
  allChannels(): readonly LocalChannel[] { return [...this.channels.values()].flat(); }

  onTaskManagerLost(): void { /* the JobMaster fails the job over; its StreamTasks are cancelled */ }

  onReport(): void { /* StreamTasks call the listener themselves */ }

  close(): void { /* the StreamTasks stopped with the job */ }

  /**
   * Creates `subtasks[k]` as attempt `attempts[k]`, and the channels between them: every subtask of
   * the job, or the subtasks of one pipelined region (no channel leaves a region).
   */
  private createTasks(subtasks: readonly SubtaskRef[], attempts: readonly number[], slotOf: SlotAssignment): StreamTask[] {
    this.slotOf = slotOf;
    const { jobId, graph, listener, checkpointing, options: { clock, batchSize, channelCredits } } = this.context;
    const members = new Set(subtasks.map((s) => `${s.vertex.id}#${s.subtaskIndex}`));
    const included = (v: JobVertex, i: number): boolean => members.has(`${v.id}#${i}`);
    const inputs = new Map<JobVertex, GateChannel[][]>();
    const outputs = new Map<JobVertex, Map<JobEdge, LocalChannel[]>[]>();
    for (const v of graph.vertices) {
      inputs.set(v, Array.from({ length: v.parallelism }, () => []));
      outputs.set(v, Array.from({ length: v.parallelism }, () => new Map()));
    }
    for (const edge of graph.edges) {
      const ps = edge.source.parallelism, pt = edge.target.parallelism;
      for (let i = 0; i < ps; i++) {
        if (!included(edge.source, i)) continue;
        const out: LocalChannel[] = [];
        const sender = `${edge.source.id}#${i}`;
        if (!this.channels.has(sender)) this.channels.set(sender, []);
        for (let j = 0; j < pt; j++) {
          if (edge.partitioner.kind === 'forward' && i !== j) continue;
          const channel = new LocalChannel(channelCredits, `${edge.sourceNode.name}[${i}] -> ${edge.targetNode.name}[${j}]`);
          this.channels.get(sender)!.push(channel);
          out.push(channel);
          inputs.get(edge.target)![j].push({ channel, input: edge.typeNumber });
        }
        outputs.get(edge.source)![i].set(edge, out);
      }
    }
    const checkpointingEnabled = graph.config.faultTolerance.checkpointing !== undefined;
    const hooks = checkpointing.taskHooks();
    return subtasks.map(({ vertex, subtaskIndex: i }, k) => new StreamTask({
      jobId, vertex, subtaskIndex: i, attemptNumber: attempts[k], clock, checkpointing: hooks,
      bufferTimeoutMs: graph.config.bufferTimeoutMs, batchSize, checkpointingEnabled,
      inputChannels: inputs.get(vertex)![i], outputChannels: outputs.get(vertex)![i],
      scheduler: this.resourceManager.localTaskManager(slotOf(vertex, i).taskManagerId).scheduler, listener,
    }));
  }
}
