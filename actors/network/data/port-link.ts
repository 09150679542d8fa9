// PortLink: data-plane frames over a MessagePort between two worker threads of one process (or a
// worker and its parent). Each frame is an exact-size buffer and is transferred, not copied. A
// malformed frame closes the port; a closed port (either side, or its thread gone) is a lost link.
// Imports nothing: it works on the structural shape of node:worker_threads' MessagePort.

/** The part of a node:worker_threads MessagePort the link uses. */
export interface DataPort {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

/** What the link reports to its data plane. */
export interface PortLinkHandler {
  /** One frame arrived; throws when it is malformed. */
  onFrame(frame: Uint8Array): void;
  /** The link is gone. */
  onClose(error: Error): void;
}

/** One MessagePort carrying frames both ways. */
export class PortLink {
  private closed = false;

  constructor(private readonly port: DataPort, private readonly handler: PortLinkHandler) {
    port.on('message', (value) => this.receive(value));
    port.on('close', () => this.close(new Error('message port closed')));
  }

  /** Whether the link is up. */
  get isOpen(): boolean { return !this.closed; }

  /** Transfers `frame` (copied first when it does not own its whole buffer). */
  send(frame: Uint8Array): void {
    if (this.closed) throw new Error('message port closed');
    const own = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : new Uint8Array(frame);
    this.port.postMessage(own, [own.buffer as ArrayBuffer]);
  }

  /** Closes the port; the other side sees the link lost. */
  close(error: Error = new Error('message port closed')): void {
    if (this.closed) return;
    this.closed = true;
    try { this.port.close(); } catch { /* already closed */ }
    this.handler.onClose(error);
  }

  private receive(value: unknown): void {
    if (this.closed) return;
    try {
      if (!(value instanceof Uint8Array)) throw new Error('a message port message that is not a data frame');
      this.handler.onFrame(value);
    } catch (error) {
      this.close(new Error(`malformed data frame on message port: ${(error as Error).message}`));
    }
  }
}
