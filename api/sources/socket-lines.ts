// The socket text source's I/O: a TCP connection (node:net, on Node and Deno alike) whose bytes
// are cut into delimited text records, and the pure splitter that does the cutting. Kept apart
// from the source so that each can be tested on its own. Imports node: built-ins only.
import { connect, type Socket } from 'node:net';

/**
 * Cuts a byte stream into records ending with `delimiter` (decoded as UTF-8 across chunk
 * boundaries). With the default "\n" a "\r" before it is dropped, as Flink's socket source does.
 */
export class DelimitedTextSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';

  constructor(private readonly delimiter = '\n') {
    if (delimiter === '') throw new Error('a socket text source needs a non-empty delimiter');
  }

  /** The records completed by `chunk`. */
  push(chunk: Uint8Array): string[] {
    this.rest += this.decoder.decode(chunk, { stream: true });
    const parts = this.rest.split(this.delimiter);
    this.rest = parts.pop()!;
    return this.delimiter === '\n' ? parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p)) : parts;
  }

  /** What is left when the stream ends (a last record without a delimiter), if anything. */
  end(): string[] {
    this.rest += this.decoder.decode();
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [this.delimiter === '\n' && last.endsWith('\r') ? last.slice(0, -1) : last];
  }
}

/** What a line connection reports. */
export interface LineConnectionHandler {
  onRecords(records: string[]): void;
  /** The peer closed the connection (after its last records). */
  onEnd(): void;
  /** The connection failed (could not connect, or broke). */
  onError(error: Error): void;
}

/** A connection delivering text records; pause/resume hold back the peer (backpressure). */
export interface LineConnection {
  pause(): void;
  resume(): void;
  close(): void;
}

/** Connects to `host:port` and reports the records `delimiter` separates. */
export function connectLines(host: string, port: number, delimiter: string, handler: LineConnectionHandler): LineConnection {
  const splitter = new DelimitedTextSplitter(delimiter);
  let done = false;
  const socket: Socket = connect({ host, port });
  socket.on('data', (chunk: Uint8Array) => {
    const records = splitter.push(chunk);
    if (records.length > 0) handler.onRecords(records);
  });
  socket.on('end', () => {
    if (done) return;
    done = true;
    const last = splitter.end();
    if (last.length > 0) handler.onRecords(last);
    handler.onEnd();
  });
  socket.on('error', (error: Error) => {
    if (done) return;
    done = true;
    handler.onError(new Error(`socket text source ${host}:${port}: ${error.message}`, { cause: error }));
  });
  return {
    pause: () => { socket.pause(); },
    resume: () => { socket.resume(); },
    close: () => { done = true; socket.destroy(); },
  };
}
