// RemoteDeployer: deploys a job's subtasks onto TaskManager processes (the JobMaster's
// SubtaskDeployer in a cluster). For each attempt it works out where both ends of every channel
// run (the same TaskManager: 'local'; otherwise the peer's address, for the data plane), sends
// each subtask's deployment descriptor to its TaskManager, and routes the subtasks' reports,
// which arrive at the JobMaster actor, to their RemoteTask handles. Imports api/ types,
// actors/ha, actors/runtime and actors/cluster.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { DeployContext, SlotAssignment, SubtaskDeployer } from '../runtime/job-master.ts';
import { FencedStateBackend } from '../ha/checkpoint-fence.ts';
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
  private readonly handles = new Map<string, RemoteTask>();
  private attempt = -1;

  constructor(private readonly context: DeployContext, private readonly info: RemoteJobInfo) {}

  deployAttempt(attemptNumber: number, slotOf: SlotAssignment): Map<JobVertex, TaskHandle[]> {
    const { jobId, graph, options } = this.context;
    this.attempt = attemptNumber;
    this.handles.clear();
    const tmOf = (vertex: JobVertex, index: number): RemoteTaskManager => {
      const tm = this.info.resourceManager.getTaskManager(slotOf(vertex, index).taskManagerId);
      if (!(tm instanceof RemoteTaskManager)) throw new Error(`TaskManager ${tm.id} is not a TaskManager process`);
      return tm;
    };
    const inputs = new Map<JobVertex, InputChannelDescriptor[][]>();
    const outputs = new Map<JobVertex, OutputEdgeDescriptor[][]>();
    for (const v of graph.vertices) {
      inputs.set(v, Array.from({ length: v.parallelism }, () => []));
      outputs.set(v, Array.from({ length: v.parallelism }, () => []));
    }
    // The same order as the in-process wiring: edges, then senders, then receivers.
    graph.edges.forEach((edge, e) => {
      for (let i = 0; i < edge.source.parallelism; i++) {
        const sender = tmOf(edge.source, i);
        const channels: Array<{ targetSubtask: number; receiver: string }> = [];
        for (let j = 0; j < edge.target.parallelism; j++) {
          if (edge.partitioner.kind === 'forward' && i !== j) continue;
          const receiver = tmOf(edge.target, j);
          const same = sender === receiver;
          channels.push({ targetSubtask: j, receiver: same ? 'local' : receiver.address });
          inputs.get(edge.target)![j].push({ edge: e, sourceSubtask: i, sender: same ? 'local' : sender.address });
        }
        outputs.get(edge.source)![i].push({ edge: e, channels });
      }
    });
    const ft = graph.config.faultTolerance as { checkpointStorage?: string; stateBackend?: unknown };
    // With high availability the JobManager's backend is fenced; TaskManagers use the one it wraps.
    const backend = ft.stateBackend instanceof FencedStateBackend ? ft.stateBackend.choice : ft.stateBackend;
    const restore = this.context.checkpointing.restorePoint();
    const out = new Map<JobVertex, TaskHandle[]>();
    graph.vertices.forEach((vertex, v) => {
      const tasks: TaskHandle[] = [];
      for (let s = 0; s < vertex.parallelism; s++) {
        const tm = tmOf(vertex, s);
        const id = { jobId, attempt: attemptNumber, vertex: v, subtask: s };
        const handle = new RemoteTask(id, vertex, tm, this.context.listener);
        this.handles.set(`${v}/${s}`, handle);
        tasks.push(handle);
        const descriptor: DeploymentDescriptor = {
          ...id,
          blobKey: this.info.blobKey, submitOptions: this.info.submitOptions, jobMaster: this.info.jobMasterPath,
          inputs: inputs.get(vertex)![s], outputs: outputs.get(vertex)![s],
          credits: options.channelCredits, batchSize: options.batchSize,
          ...(ft.checkpointStorage !== undefined ? { checkpointStorage: ft.checkpointStorage } : {}),
          ...(backend === 'kv' || backend === 'memory' ? { stateBackend: backend } : {}),
          ...(ft.stateBackend instanceof FencedStateBackend ? { storageEpoch: ft.stateBackend.epoch } : {}),
          ...(restore !== undefined ? { restore } : {}),
        };
        tm.send({ type: 'taskexecutor.deploy', descriptor });
      }
      out.set(vertex, tasks);
    });
    return out;
  }

  /** A report from a subtask of this job (through the JobMaster actor). */
  onReport(message: { readonly type: string }): void {
    const report = message as TaskReport;
    if (report.id.attempt !== this.attempt) return; // a previous attempt's
    this.handles.get(`${report.id.vertex}/${report.id.subtask}`)?.onReport(report);
  }

  onTaskManagerLost(taskManagerId: string): void {
    for (const handle of this.handles.values()) if (handle.taskManager.id === taskManagerId) handle.lost();
  }

  close(): void { this.handles.clear(); }
}
