// RemoteChannelReceiver on a recording host: the queue is bounded by the granted credits, each
// poll returns one credit, credit is announced urgently once half the buffer's worth is due and
// lazily (end of task) when the queue runs empty with less due; a closed receiver announces nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RemoteChannelReceiver, type ReceiverHost } from '../../../../actors/network/data/remote-channel-receiver.ts';
import type { ChannelElement } from '../../../../api/stream-elements.ts';

/** A host that records every creditDue call as [unannounced credit, urgent]. */
function recordingHost(): ReceiverHost & { calls: Array<[number, boolean]>; receiver?: RemoteChannelReceiver } {
  const host = {
    calls: [] as Array<[number, boolean]>,
    creditDue(receiver: RemoteChannelReceiver, urgent: boolean) { host.calls.push([receiver.unannounced, urgent]); },
    forgetReceiver() {},
  };
  return host;
}

const watermark = (timestamp: number): ChannelElement => ({ kind: 'watermark', timestamp });

test('credit is urgent once half the buffer is due, lazy when the queue runs empty with less', () => {
  const host = recordingHost();
  const receiver = new RemoteChannelReceiver('j/1/0/0->0', 'tm-a@h:1', 8, 'a->b', host);
  receiver.unannounced = 0; // the initial grant went out
  for (let i = 0; i < 8; i++) receiver.deliver(watermark(i));
  assert.throws(() => receiver.deliver(watermark(8)), /exceeded its 8 credits/);
  for (let i = 0; i < 3; i++) assert.equal(receiver.poll(), watermark(i));
  assert.equal(host.calls, [], 'less than half the buffer due and data queued: nothing to announce yet');
  receiver.poll();
  assert.equal(host.calls, [[4, true]], 'half the buffer due: announced at once');
  receiver.unannounced = 0; // what the plane does when it announces
  host.calls.length = 0;
  for (let i = 4; i < 8; i++) receiver.poll();
  assert.equal(host.calls, [[4, true]]);
  receiver.unannounced = 0;
  host.calls.length = 0;
  receiver.deliver(watermark(9));
  receiver.poll();
  assert.equal(host.calls, [[1, false]], 'the queue ran empty with one credit due: announced lazily');
  assert.is(receiver.poll(), undefined);
});

test('a closed receiver keeps its queue pollable but announces no credit', () => {
  const host = recordingHost();
  const receiver = new RemoteChannelReceiver('j/1/0/0->0', 'tm-a@h:1', 2, 'a->b', host);
  receiver.unannounced = 0;
  receiver.deliver(watermark(1));
  receiver.deliver(watermark(2));
  receiver.close();
  assert.equal(receiver.poll(), watermark(1));
  assert.equal(receiver.poll(), watermark(2));
  assert.equal(host.calls, []);
});

test.run();
