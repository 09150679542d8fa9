// The messages of the mini cluster's roles. Every message is plain data (ids, numbers, strings),
// msgpack-encodable as the actor API requires; in-process objects a message refers to (a job's
// graph, a TaskManager's slots) are looked up by id, the way Flink ships job graphs through its
// blob server and refers to them by key. Imports nothing.

/** Requests the Dispatcher answers (client-facing). */
export type DispatcherMessage =
  /** Accept the job whose graph was stored under `jobId`; replies `{ jobId }`. */
  | { readonly type: 'dispatcher.submit-job'; readonly jobId: string }
  /** Replies the job's JobStatus. */
  | { readonly type: 'dispatcher.job-status'; readonly jobId: string }
  /** Cancels the job; replies the final status once every subtask stopped. */
  | { readonly type: 'dispatcher.cancel-job'; readonly jobId: string }
  /** Replies `[{ jobId, name, status }]`. */
  | { readonly type: 'dispatcher.list-jobs' }
  /** A JobMaster actor ended (watch notification). */
  | { readonly type: 'actor.terminated'; readonly ref: unknown; readonly reason: string; readonly error?: string };

/** Requests a JobMaster answers. */
export type JobMasterMessage =
  | { readonly type: 'jobmaster.status' }
  | { readonly type: 'jobmaster.cancel' }
  /** The job reached a terminal status: the JobMaster actor stops. */
  | { readonly type: 'jobmaster.terminated' }
  /** A report of a subtask on a TaskManager process (`jobmaster.task-state`, checkpoint acks, ...; see actors/cluster). */
  | { readonly type: `jobmaster.${string}`; readonly id: unknown };

/** Requests the ResourceManager answers. */
export type ResourceManagerMessage =
  /** A TaskManager offers its slots. */
  | { readonly type: 'resourcemanager.register-task-manager'; readonly taskManagerId: string }
  /** Replies `{ free, total, taskManagers }`. */
  | { readonly type: 'resourcemanager.slot-report' };

/** Requests a TaskManager answers. */
export type TaskManagerMessage =
  /** Replies `[{ jobId, name, state }]` of the subtasks deployed here. */
  | { readonly type: 'taskmanager.list-subtasks' };
