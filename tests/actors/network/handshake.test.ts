import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientHandshake, HANDSHAKE_MAX_MESSAGE_BYTES, HandshakeError, ServerHandshake } from '../../../actors/network/handshake.ts';
import { DEFAULT_HANDSHAKE_MAX_FRAME_BYTES } from '../../../actors/network/frame-decoder.ts';
import { Random, testSeed } from '../../support/random.ts';

test('both sides authenticate with the same secret', () => {
  const server = new ServerHandshake('s3cret');
  const client = new ClientHandshake('s3cret');
  const confirm = server.verify(client.respond(server.challenge()));
  client.confirm(confirm);
});

test('a client with the wrong secret is refused', () => {
  const server = new ServerHandshake('s3cret');
  const client = new ClientHandshake('guess');
  assert.throws(() => server.verify(client.respond(server.challenge())), /authentication failed/);
});

test('a server with the wrong secret is detected by the client', () => {
  const real = new ServerHandshake('s3cret');
  const fake = new ServerHandshake('other');
  const client = new ClientHandshake('s3cret');
  const response = client.respond(fake.challenge());
  assert.throws(() => fake.verify(response), (e: unknown) => e instanceof HandshakeError);
  // Even replaying a genuine server's confirmation for another exchange fails.
  const other = new ClientHandshake('s3cret');
  const genuine = real.verify(other.respond(real.challenge()));
  assert.throws(() => client.confirm(genuine), /server failed authentication/);
});

test('a recorded response replayed on a new connection is refused', () => {
  const first = new ServerHandshake('s3cret');
  const client = new ClientHandshake('s3cret');
  const recorded = client.respond(first.challenge());
  first.verify(recorded);
  const second = new ServerHandshake('s3cret');
  second.challenge();
  assert.throws(() => second.verify(recorded), /replayed/);
  assert.throws(() => first.verify(recorded), /already completed/);
});

test('random and truncated handshake messages only ever raise HandshakeError (fuzz)', () => {
  const rnd = new Random(testSeed('handshake-fuzz'));
  for (let run = 0; run < 2000; run++) {
    const server = new ServerHandshake('s3cret');
    const client = new ClientHandshake('s3cret');
    const genuine = client.respond(server.challenge());
    const mutated = rnd.chance(0.5)
      ? genuine.slice(0, rnd.int(0, genuine.length - 1))
      : Uint8Array.from(genuine, (b) => (rnd.chance(0.05) ? rnd.int(0, 255) : b));
    const same = mutated.length === genuine.length && mutated.every((b, i) => b === genuine[i]);
    try {
      server.verify(mutated);
      assert.ok(same, 'only the genuine response is accepted');
    } catch (e) {
      assert.instance(e, HandshakeError);
      assert.not.ok(same);
    }
    assert.throws(() => new ClientHandshake('s3cret').respond(mutated), (e: unknown) => e instanceof HandshakeError);
  }
});

test('every handshake message fits the frame limit before authentication', () => {
  const server = new ServerHandshake('s3cret');
  const client = new ClientHandshake('s3cret');
  const challenge = server.challenge();
  const response = client.respond(challenge);
  const confirm = server.verify(response);
  assert.is(Math.max(challenge.length, response.length, confirm.length), HANDSHAKE_MAX_MESSAGE_BYTES);
  assert.ok(HANDSHAKE_MAX_MESSAGE_BYTES <= DEFAULT_HANDSHAKE_MAX_FRAME_BYTES);
});

test.run();
