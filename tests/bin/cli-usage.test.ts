// test-timeout-ms: 240000 (dozens of CLI processes). The CLI's usage: --help of every command, usage errors (exit 2), an unreachable cluster (exit 1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from './cli-process.ts';

/** Runs the calls four at a time (each is a process), in order. */
async function inBatches<T>(calls: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < calls.length; i += 4) out.push(...await Promise.all(calls.slice(i, i + 4).map((c) => c())));
  return out;
}

test('--help of every command exits 0 and shows its usage', async () => {
  const commands: Array<[string[], RegExp]> = [
    [[], /Usage: actorflow \[options\] \[command\]/],
    [['run'], /Usage: actorflow run \[options\] <job>[\s\S]*--jobmanager <host:port>[\s\S]*--rest <url>[\s\S]*--detached[\s\S]*--local-task-managers <n>/],
    [['list'], /Usage: actorflow list \[options\][\s\S]*--all[\s\S]*default:\s+"localhost:6123"/],
    [['cancel'], /Usage: actorflow cancel \[options\] <jobId>/],
    [['savepoint'], /Usage: actorflow savepoint \[options\] <jobId> \[dir\]/],
    [['stop'], /Usage: actorflow stop \[options\] <jobId>[\s\S]*--savepoint <dir>[\s\S]*--drain/],
    [['jobmanager'], /Usage: actorflow jobmanager \[options\][\s\S]*--port <port>[\s\S]*default:\s+6123[\s\S]*--rest-port <port>[\s\S]*default: 8081[\s\S]*--data-dir <dir>/],
    [['taskmanager'], /Usage: actorflow taskmanager \[options\][\s\S]*--jobmanager <host:port>[\s\S]*--slots <n>/],
  ];
  const results = await inBatches(commands.map(([cmd]) => () => cli(...cmd, '--help')));
  commands.forEach(([cmd, usage], i) => {
    assert.is(results[i].code, 0, `${cmd.join(' ')} --help: ${results[i].stderr}`);
    assert.match(results[i].stdout, usage, cmd.join(' '));
  });
});

test('usage errors of the cluster commands exit 2 naming the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['cancel'], /missing required argument 'jobId'/],
    [['savepoint'], /missing required argument 'jobId'/],
    [['stop'], /missing required argument 'jobId'/],
    [['list', '--jobmanager', 'no-port'], /expected HOST:PORT \(e\.g\. localhost:6123\), got "no-port"/],
    [['cancel', 'abc', '--jobmanager', 'host:99999'], /expected HOST:PORT/],
    [['list', '--rest', 'localhost:8081'], /expected a REST URL/],
    [['taskmanager'], /taskmanager needs --jobmanager HOST:PORT or --ha-storage DIR/],
    [['taskmanager', '--jobmanager', 'localhost:6123', '--ha-storage', '/tmp/ha'], /cannot be used with option '--ha-storage/],
    [['jobmanager', '--ha-lease-ms', '0'], /expected a positive integer, got "0"/],
    [['taskmanager', '--jobmanager', 'localhost:6123', '--slots', '0'], /expected a positive integer, got "0"/],
    [['jobmanager', '--port', '70000'], /expected a port number/],
    [['run', 'examples/sequence-job.ts', '--local-task-managers', '2', '--jobmanager', 'localhost:6123'], /cannot be used with option '--jobmanager/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ];
  const results = await inBatches(cases.map(([args]) => () => cli(...args)));
  cases.forEach(([args, message], i) => {
    assert.is(results[i].code, 2, `${args.join(' ')}: ${results[i].stderr}`);
    assert.match(results[i].stderr, message, args.join(' '));
  });
});

test('a client command without a reachable JobManager exits 1 naming the address', async () => {
  const r = await cli('list', '--jobmanager', '127.0.0.1:1');
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot reach the JobManager at 127\.0\.0\.1:1/);
  const rest = await cli('list', '--rest', 'http://127.0.0.1:1');
  assert.is(rest.code, 1);
  assert.match(rest.stderr, /cannot reach the JobManager's REST API at http:\/\/127\.0\.0\.1:1/);
});

test.run();
