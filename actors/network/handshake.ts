// Mutual authentication of a connection with a shared cluster secret (challenge-response with
// HMAC-SHA256): each side proves it knows the secret by MACing the other side's fresh random
// nonce, so a recorded exchange cannot be replayed on another connection. Pure message logic:
// the transport sends and receives the byte messages as frames. The nonces' entropy may be
// injected (a simulated network makes a run replayable). Imports only node:crypto.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_BYTES = 32;
const MAC_BYTES = 32;
const VERSION = 1;
/** Bytes of the largest handshake message (the response); a connection's frame limit before authentication must admit it. */
export const HANDSHAKE_MAX_MESSAGE_BYTES = 2 + NONCE_BYTES + MAC_BYTES;
/** First byte of each handshake message. */
const enum Step { Challenge = 1, Response = 2, Confirm = 3 }

/** The handshake failed: the connection must be closed. */
export class HandshakeError extends Error {
  constructor(message: string) { super(message); this.name = 'HandshakeError'; }
}

function systemRandom(n: number): Uint8Array { return new Uint8Array(randomBytes(n)); }

/** A fresh nonce; a source that returns the wrong size is refused (a short nonce would weaken the proof). */
function nonceFrom(random: (n: number) => Uint8Array): Uint8Array {
  const nonce = random(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new HandshakeError(`a handshake nonce needs ${NONCE_BYTES} random bytes, the source gave ${nonce.length}`);
  return nonce;
}

function mac(secret: string, label: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', secret).update(label);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function expect(message: Uint8Array, step: Step, length: number): void {
  if (message.length !== length || message[0] !== step || message[1] !== VERSION) {
    throw new HandshakeError(`unexpected handshake message (step ${message[0] ?? 'none'}, ${message.length} bytes)`);
  }
}

/** The accepting side: challenge, then verify the response, then confirm. */
export class ServerHandshake {
  private readonly nonce: Uint8Array;
  private done = false;
  constructor(private readonly secret: string, random: (n: number) => Uint8Array = systemRandom) {
    this.nonce = nonceFrom(random);
  }

  /** The first message: [step, version, server nonce]. */
  challenge(): Uint8Array {
    const m = new Uint8Array(2 + NONCE_BYTES);
    m[0] = Step.Challenge; m[1] = VERSION; m.set(this.nonce, 2);
    return m;
  }

  /** Verifies the client's response; returns the confirmation to send. Throws HandshakeError. */
  verify(response: Uint8Array): Uint8Array {
    if (this.done) throw new HandshakeError('handshake already completed');
    expect(response, Step.Response, 2 + NONCE_BYTES + MAC_BYTES);
    const clientNonce = response.subarray(2, 2 + NONCE_BYTES);
    const proof = response.subarray(2 + NONCE_BYTES);
    if (!equal(proof, mac(this.secret, 'client', this.nonce, clientNonce))) {
      throw new HandshakeError('authentication failed: wrong cluster secret or replayed handshake');
    }
    this.done = true;
    const m = new Uint8Array(2 + MAC_BYTES);
    m[0] = Step.Confirm; m[1] = VERSION; m.set(mac(this.secret, 'server', clientNonce, this.nonce), 2);
    return m;
  }
}

/** The connecting side: answer the challenge, then check the server's confirmation. */
export class ClientHandshake {
  private readonly nonce: Uint8Array;
  private serverNonce: Uint8Array | undefined;
  constructor(private readonly secret: string, random: (n: number) => Uint8Array = systemRandom) {
    this.nonce = nonceFrom(random);
  }

  /** Answers the server's challenge. Throws HandshakeError on a malformed challenge. */
  respond(challenge: Uint8Array): Uint8Array {
    expect(challenge, Step.Challenge, 2 + NONCE_BYTES);
    this.serverNonce = challenge.slice(2);
    const m = new Uint8Array(2 + NONCE_BYTES + MAC_BYTES);
    m[0] = Step.Response; m[1] = VERSION;
    m.set(this.nonce, 2);
    m.set(mac(this.secret, 'client', this.serverNonce, this.nonce), 2 + NONCE_BYTES);
    return m;
  }

  /** Checks that the server knows the secret too. Throws HandshakeError. */
  confirm(message: Uint8Array): void {
    if (!this.serverNonce) throw new HandshakeError('confirmation before challenge');
    expect(message, Step.Confirm, 2 + MAC_BYTES);
    if (!equal(message.subarray(2), mac(this.secret, 'server', this.nonce, this.serverNonce))) {
      throw new HandshakeError('server failed authentication: wrong cluster secret');
    }
  }
}
