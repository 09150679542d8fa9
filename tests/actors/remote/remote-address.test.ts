// Actor path parsing: local versus qualified paths, addresses, loopback hosts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLoopback, isQualified, localPath, parsePath, qualifiedPath, systemAddress } from '../../../actors/remote/remote-address.ts';

test('local and qualified paths parse into system, address and suffix', () => {
  assert.equal(parsePath('actorflow://jm/user/a/b'), { system: 'jm', address: undefined, suffix: '/user/a/b' });
  assert.equal(parsePath('actorflow://jm@10.0.0.1:6123/user/a'), { system: 'jm', address: 'jm@10.0.0.1:6123', suffix: '/user/a' });
  assert.equal(parsePath('actorflow://jm'), { system: 'jm', address: undefined, suffix: '' });
  assert.is(parsePath('http://x/y'), undefined);
});

test('qualifying and localizing are inverse', () => {
  const address = systemAddress('tm', '127.0.0.1', 6124);
  assert.is(address, 'tm@127.0.0.1:6124');
  const path = qualifiedPath(address, '/user/x');
  assert.is(path, 'actorflow://tm@127.0.0.1:6124/user/x');
  assert.ok(isQualified(path));
  const parsed = parsePath(path)!;
  assert.is(localPath(parsed.system, parsed.suffix), 'actorflow://tm/user/x');
  assert.not.ok(isQualified('actorflow://tm/user/x'));
  assert.is(systemAddress('tm', '::1', 1), 'tm@[::1]:1');
});

test('loopback hosts', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) assert.ok(isLoopback(host), host);
  for (const host of ['0.0.0.0', '10.0.0.1', 'example.org', '::']) assert.not.ok(isLoopback(host), host);
});

test.run();
