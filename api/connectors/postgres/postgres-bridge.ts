// PostgresBridge: the sink's handle on its worker thread (postgres-worker.mjs). Statements go to
// a lane (one connection per lane, statements of a lane in order). `send` posts a batch without
// waiting; `query` resolves asynchronously; `querySync` blocks this thread until the worker
// answers (a shared counter and receiveMessageOnPort), for the work that must finish before a
// checkpoint barrier passes. The worker is unreferenced: it never keeps the process alive.
// Imports node:worker_threads only.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** An error PostgreSQL reported, with its SQLSTATE code. */
export class PostgresError extends Error {
  constructor(message: string, readonly code: string | undefined) { super(message); this.name = 'PostgresError'; }
}

interface Reply { id: number; ok: boolean; value?: unknown; error?: string; code?: string }

/** A worker thread holding the PostgreSQL connections of one sink in this process. */
export class PostgresBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counter: Int32Array;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(url: string, private readonly syncTimeoutMs = 60_000) {
    const signal = new SharedArrayBuffer(4);
    this.counter = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./postgres-worker.mjs', import.meta.url), { workerData: { port: port2, signal, url }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the PostgreSQL worker thread ended')));
    this.port.on('message', (reply: Reply) => this.settle(reply));
    this.port.unref();
  }

  /** Posts a statement without waiting; a failure is reported by the lane's next query. */
  send(lane: string, sql: string, params: unknown[]): void {
    this.port.postMessage({ id: 0, op: 'batch', lane, sql, params });
  }

  /** Runs a statement; resolves with its rows. */
  query<R = Record<string, unknown>>(lane: string, sql: string, params: unknown[] = []): Promise<R[]> {
    const id = this.nextId++;
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.ref(); // a pending answer keeps the process alive
      this.port.postMessage({ id, op: 'query', lane, sql, params });
    });
  }

  /** Runs a statement and blocks until it is done (after the lane's earlier statements); returns its rows. */
  querySync<R = Record<string, unknown>>(lane: string, sql: string, params: unknown[] = []): R[] {
    const id = this.nextId++;
    const deadline = Date.now() + this.syncTimeoutMs;
    this.port.postMessage({ id, op: 'query', lane, sql, params });
    for (;;) {
      // Read the counter before draining: a reply posted after the drain changes it and the wait returns.
      const seen = Atomics.load(this.counter, 0);
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as Reply;
        if (reply.id !== id) { this.settle(reply); continue; }
        if (!reply.ok) throw new PostgresError(reply.error ?? 'unknown error', reply.code);
        return reply.value as R[];
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`PostgreSQL did not answer within ${this.syncTimeoutMs} ms: ${sql.slice(0, 80)}`);
      Atomics.wait(this.counter, 0, seen, left);
    }
  }

  /** Closes a lane's connection. */
  close(lane: string): Promise<unknown> { return this.query(lane, 'SELECT 1').then(() => this.queryClose(lane), () => this.queryClose(lane)); }

  /** True while an asynchronous query waits for its answer. */
  get busy(): boolean { return this.waiting.size > 0; }

  /** Stops the worker and its connections. */
  terminate(): Promise<number> { return this.worker.terminate(); }

  private failAll(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    this.port.unref();
  }

  private queryClose(lane: string): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.ref();
      this.port.postMessage({ id, op: 'close', lane });
    });
  }

  private settle(reply: Reply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.port.unref();
    if (reply.ok) w.resolve(reply.value);
    else w.reject(new PostgresError(reply.error ?? 'unknown error', reply.code));
  }
}
