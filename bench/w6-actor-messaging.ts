// W6 — actor messaging (control plane): one-way messages between two actors in one process.
// Subject: a sender actor tells the receiver 1M messages through the actor core, in bursts of
// 1000 (it re-tells itself 'go' between bursts, so the receiver runs between them). Baseline: the
// same exchange over a hand-written mailbox (array + head index, microtask drain). Imports the
// actor API and the harness.

import { ActorSystem, defineActor, type ActorRef } from '../actors/index.ts';
import { benchmark } from './harness.ts';

const MESSAGES = 1_000_000;
const BURST = 1000;
const PING = { type: 'bench.ping' } as const;
const GO = { type: 'bench.go' } as const;

type SenderMsg = typeof GO;

async function throughActorCore(): Promise<number> {
  const system = ActorSystem.create('w6');
  let finish!: (count: number) => void;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  const receiver = system.spawn(defineActor<{ count: number }, typeof PING>({
    init: () => ({ count: 0 }),
    receive(state) {
      if (++state.count === MESSAGES) finish(state.count);
    },
  }), 'receiver');
  const sender: ActorRef<SenderMsg> = system.spawn(defineActor<{ sent: number; to: ActorRef<typeof PING> }, SenderMsg>({
    init: () => ({ sent: 0, to: receiver }),
    receive(state, _msg, ctx) {
      const end = Math.min(MESSAGES, state.sent + BURST);
      for (let i = state.sent; i < end; i++) state.to.tell(PING);
      state.sent = end;
      if (end < MESSAGES) ctx.self.tell(GO);
    },
  }), 'sender');
  sender.tell(GO);
  const count = await finished;
  await system.terminate();
  return count;
}

/** The reference: the same exchange over the simplest mailbox one would write by hand. */
class HandMailbox<M> {
  private queue: M[] = [];
  private head = 0;
  private scheduled = false;
  constructor(private readonly handler: (msg: M) => void) {}
  post(msg: M): void {
    this.queue.push(msg);
    if (!this.scheduled) { this.scheduled = true; queueMicrotask(this.drain); }
  }
  private readonly drain = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    while (this.head < queue.length) {
      const msg = queue[this.head];
      queue[this.head++] = undefined as M;
      this.handler(msg);
    }
    queue.length = 0;
    this.head = 0;
  };
}

function throughHandMailbox(): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    let sent = 0;
    const receiver = new HandMailbox<typeof PING>(() => { if (++count === MESSAGES) resolve(count); });
    const sender: HandMailbox<SenderMsg> = new HandMailbox<SenderMsg>(() => {
      const end = Math.min(MESSAGES, sent + BURST);
      for (let i = sent; i < end; i++) receiver.post(PING);
      sent = end;
      if (end < MESSAGES) sender.post(GO);
    });
    sender.post(GO);
  });
}

benchmark('w6-actor-messaging', {
  records: MESSAGES,
  baseline: throughHandMailbox,
  subject: throughActorCore,
});
