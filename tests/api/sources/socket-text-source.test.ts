// SocketTextSource: records cut at the delimiter across chunk and character boundaries; a job
// reads the lines a local server sends (env.socketTextStream) and ends when the server closes;
// with maxRetry it reconnects; a refused connection fails the job naming host and port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { RestartStrategies, SocketTextSource, StreamExecutionEnvironment } from '../../../api/index.ts';
import { DelimitedTextSplitter } from '../../../api/sources/socket-lines.ts';
import { Random, testSeed } from '../../support/random.ts';

test('splitter: records across chunk boundaries, UTF-8 cut mid-character, CRLF, custom delimiter (randomized)', () => {
  const random = new Random(testSeed('socket-splitter'));
  for (const delimiter of ['\n', '||']) {
    for (let round = 0; round < 100; round++) {
      const records = Array.from({ length: random.int(0, 20) }, () => Array.from({ length: random.int(0, 8) }, () => random.pick(['a', 'é', '✓', '😀', '|', ' '])).join(''))
        .filter((r) => !r.includes(delimiter) && !r.endsWith('|'));
      const text = records.map((r) => r + delimiter).join('');
      const bytes = new TextEncoder().encode(text);
      const splitter = new DelimitedTextSplitter(delimiter);
      const got: string[] = [];
      for (let at = 0; at < bytes.length;) {
        const next = Math.min(bytes.length, at + random.int(1, 7));
        got.push(...splitter.push(bytes.subarray(at, next)));
        at = next;
      }
      got.push(...splitter.end());
      assert.equal(got, records, `delimiter ${JSON.stringify(delimiter)} round ${round}`);
    }
  }
  const crlf = new DelimitedTextSplitter();
  assert.equal([...crlf.push(new TextEncoder().encode('a\r\nb\r')), ...crlf.push(new TextEncoder().encode('\nlast'))], ['a', 'b']);
  assert.equal(crlf.end(), ['last']);
  assert.throws(() => new DelimitedTextSplitter(''), /non-empty delimiter/);
});

/** A local server that runs `session` for each connection; resolves once it listens. */
async function serve(session: (socket: Socket, index: number) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => session(socket, count++));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, connections: () => count };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

test('a job reads the lines a local server sends and ends when the server closes the connection', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ✓`);
  const { server, port } = await serve((socket) => {
    // In pieces that cut lines (and characters) anywhere, then the end.
    const bytes = new TextEncoder().encode(lines.join('\r\n') + '\r\n');
    for (let at = 0; at < bytes.length; at += 777) socket.write(bytes.subarray(at, at + 777));
    socket.end();
  });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
    const got = await env.socketTextStream('127.0.0.1', port).executeAndCollect('socket-lines');
    // Each connection gets every line: exactly once each means one reader (the sink's subtasks interleave).
    assert.equal(got.sort(), lines.slice().sort());
  } finally {
    await close(server);
  }
});

test('with maxRetry the source reconnects after the server closed, and reads every session', async () => {
  const { server, port, connections } = await serve((socket, index) => { socket.end(`session ${index} a\nsession ${index} b\n`); });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const source = new SocketTextSource('127.0.0.1', port, { maxRetry: 2, retryDelayMs: 1 });
    const got = await env.fromSource(source, undefined, 'socket').executeAndCollect('socket-retry');
    assert.equal(got, ['session 0 a', 'session 0 b', 'session 1 a', 'session 1 b', 'session 2 a', 'session 2 b']);
    assert.is(connections(), 3);
  } finally {
    await close(server);
  }
});

test('a refused connection fails the job with host, port and reason', async () => {
  const { server, port } = await serve(() => {});
  await close(server); // nothing listens on this port now
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRestartStrategy(RestartStrategies.noRestart());
  try {
    await env.socketTextStream('127.0.0.1', port).executeAndCollect('socket-refused');
    assert.unreachable('the job finished');
  } catch (error) {
    const chain: string[] = [];
    for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) chain.push(String((e as Error).message ?? e));
    assert.match(chain.join(' / '), new RegExp(`socket text source 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  }
});

test('bad arguments are refused at construction', () => {
  assert.throws(() => new SocketTextSource('', 1), /host name/);
  assert.throws(() => new SocketTextSource('localhost', 0), /port in 1\.\.65535/);
  assert.throws(() => new SocketTextSource('localhost', 9999, { delimiter: '' }), /non-empty delimiter/);
  assert.throws(() => new SocketTextSource('localhost', 9999, { maxRetry: -2 }), /maxRetry/);
  assert.equal(new SocketTextSource('localhost', 9999).boundedness, 'continuous-unbounded');
});

test.run();
