// RemoteDeployer: deploys a job's subtasks onto TaskManager processes (the JobMaster's
// SubtaskDeployer in a cluster). For each attempt, or each pipelined region restarted as its next
// attempt, it works out where both ends of every channel run (the same TaskManager: 'local';
// otherwise the peer's address, for the data plane), sends each subtask's deployment descriptor
// to its TaskManager, and routes the subtasks' reports, which arrive at the JobMaster actor, to
// the RemoteTask handles of their attempts. Imports api/ types, actors/ha, actors/failover types,
// actors/runtime and actors/cluster.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { SubtaskRef } from '../failover/pipelined-regions.ts';
import { FencedStateBackend } from '../ha/checkpoint-fence.ts';
import { allSubtasks, byVertex, type DeployContext, type SlotAssignment, type SubtaskDeployer } from '../runtime/subtask-deployer.ts';
import type { ResourceManager } from '../runtime/resource-manager.ts';
import type { TaskHandle } from '../runtime/task-manager.ts';
import type {
  DeploymentDescriptor, InputChannelDescriptor, OutputEdgeDescriptor, SubmitOptions, TaskReport,
} from './cluster-messages.protocol.ts';
import { RemoteTask } from './remote-task.ts';
import { RemoteTaskManager } from './remote-task-manager.ts';

/** What the JobManager process knows of a submitted job beyond its graph. */
export interface RemoteJobInfo {
  readonly blobKey: string;
  readonly submitOptions: SubmitOptions;
  /** The qualified path of the job's JobMaster actor. */
  readonly jobMasterPath: string;
  readonly resourceManager: ResourceManager;
}

/** The SubtaskDeployer of a job on a cluster of TaskManager processes. */
export class RemoteDeployer implements SubtaskDeployer {
  /** The handle of each subtask's current attempt, by `vertexIndex/subtaskIndex`. */
  private readonly handles = new Map<string, RemoteTask>();

  constructor(private readonly context: DeployContext, private readonly info: RemoteJobInfo) {}

  deployAttempt(attemptNumber: number, slotOf: SlotAssignment): Map<JobVertex, TaskHandle[]> {
    this.handles.clear();
    const subtasks = allSubtasks(this.context.graph);
    return byVertex(subtasks, this.deploy(subtasks, subtasks.map(() => attemptNumber), slotOf, false));
  }

  deployRegion(region: readonly SubtaskRef[], attempts: readonly number[], slotOf: SlotAssignment): TaskHandle[] {
    return this.deploy(region, attempts, slotOf, true);
  }

  /** Remote subtasks start once their TaskManager built them. */
  start(): void {}

  /** Sends the descriptors of `subtasks[k]` as attempt `attempts[k]` (no channel leaves them). */
  private deploy(subtasks: readonly SubtaskRef[], attempts: readonly number[], slotOf: SlotAssignment, regionRestart: boolean): RemoteTask[] {
    const { jobId, graph, options, regions } = this.context;
    const index = new Map(graph.vertices.map((v, i) => [v, i]));
    const members = new Set(subtasks.map((s) => `${index.get(s.vertex)}/${s.subtaskIndex}`));
    const tmOf = (vertex: JobVertex, i: number): RemoteTaskManager => {
      const tm = this.info.resourceManager.getTaskManager(slotOf(vertex, i).taskManagerId);
      if (!(tm instanceof RemoteTaskManager)) throw new Error(`TaskManager ${tm.id} is not a TaskManager process`);
      return tm;
    };
    const inputs = new Map<string, InputChannelDescriptor[]>();
    const outputs = new Map<string, OutputEdgeDescriptor[]>();
    const listOf = <T>(map: Map<string, T[]>, key: string): T[] => {
      let list = map.get(key);
      if (list === undefined) { list = []; map.set(key, list); }
      return list;
    };
    // The same order as the in-process wiring: edges, then senders, then receivers.
    graph.edges.forEach((edge, e) => {
      const source = index.get(edge.source)!, target = index.get(edge.target)!;
      for (let i = 0; i < edge.source.parallelism; i++) {
        if (!members.has(`${source}/${i}`)) continue;
        const sender = tmOf(edge.source, i);
        const channels: Array<{ targetSubtask: number; receiver: string }> = [];
        for (let j = 0; j < edge.target.parallelism; j++) {
          if (edge.partitioner.kind === 'forward' && i !== j) continue;
          const receiver = tmOf(edge.target, j);
          const same = sender === receiver;
          channels.push({ targetSubtask: j, receiver: same ? 'local' : receiver.address });
          listOf(inputs, `${target}/${j}`).push({ edge: e, sourceSubtask: i, sender: same ? 'local' : sender.address });
        }
        listOf(outputs, `${source}/${i}`).push({ edge: e, channels });
      }
    });
    const ft = graph.config.faultTolerance as { checkpointStorage?: string; stateBackend?: unknown };
    // With high availability the JobManager's backend is fenced; TaskManagers use the one it wraps.
    const backend = ft.stateBackend instanceof FencedStateBackend ? ft.stateBackend.choice : ft.stateBackend;
    const restore = this.context.checkpointing.restorePoint();
    return subtasks.map(({ vertex, subtaskIndex: s }, k) => {
      const v = index.get(vertex)!;
      const tm = tmOf(vertex, s);
      const id = { jobId, attempt: attempts[k], vertex: v, subtask: s };
      const handle = new RemoteTask(id, vertex, tm, this.context.listener);
      this.handles.set(`${v}/${s}`, handle);
      const descriptor: DeploymentDescriptor = {
        ...id,
        blobKey: this.info.blobKey, submitOptions: this.info.submitOptions, jobMaster: this.info.jobMasterPath,
        inputs: inputs.get(`${v}/${s}`) ?? [], outputs: outputs.get(`${v}/${s}`) ?? [],
        credits: options.channelCredits, batchSize: options.batchSize,
        ...(ft.checkpointStorage !== undefined ? { checkpointStorage: ft.checkpointStorage } : {}),
        ...(backend === 'kv' || backend === 'memory' ? { stateBackend: backend } : {}),
        ...(ft.stateBackend instanceof FencedStateBackend ? { storageEpoch: ft.stateBackend.epoch } : {}),
        ...(restore !== undefined ? { restore } : {}),
        ...(regions !== undefined ? { region: regions.indexOf(vertex, s) } : {}),
        ...(regionRestart ? { regionRestart } : {}),
      };
      tm.send({ type: 'taskexecutor.deploy', descriptor });
      return handle;
    });
  }

  /** A report from a subtask of this job (through the JobMaster actor). */
  onReport(message: { readonly type: string }): void {
    const report = message as TaskReport;
    const handle = this.handles.get(`${report.id.vertex}/${report.id.subtask}`);
    if (handle?.id.attempt === report.id.attempt) handle.onReport(report); // else a previous attempt's
  }

  onTaskManagerLost(taskManagerId: string): void {
    for (const handle of this.handles.values()) if (handle.taskManager.id === taskManagerId) handle.lost();
  }

  close(): void { this.handles.clear(); }
}
