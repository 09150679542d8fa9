// Extension points that break the import cycle between DataStream and its subclasses: KeyedStream
// extends DataStream (so it must load after it), yet DataStream.keyBy creates KeyedStreams.
// keyed-stream.ts, connected-streams.ts and broadcast-connected-stream.ts (which connected-streams.ts
// loads) and streaming-iteration.ts fill these in when they load; the environment imports them, so
// any program that has an environment has them. Imports types only.
import type { Key } from '../../state/key-groups.ts';
import type { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import type { BroadcastStream } from './broadcast-stream.ts';
import type { ConnectedStreams } from './connected-streams.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { FeedbackLoopOptions } from '../graph/feedback-loop.ts';
import type { IterativeStream } from './streaming-iteration.ts';

/** Constructors registered by the modules that define them. */
export const streamExtensions: {
  keyed?: <T, K extends Key>(stream: DataStream<T>, selector: (value: T) => K) => KeyedStream<T, K>;
  connected?: <T, U>(first: DataStream<T>, second: DataStream<U>) => ConnectedStreams<T, U>;
  broadcastConnected?: <T, U>(first: DataStream<T>, broadcast: BroadcastStream<U>) => BroadcastConnectedStream<T, U>;
  iterative?: <T>(stream: DataStream<T>, options: FeedbackLoopOptions) => IterativeStream<T>;
} = {};
