// The value tables of the Nexmark generator: names, cities, states, credit-card groups, the pools
// that random strings and `extra` padding are sliced from, and the channel names and urls. All
// are built once per seed and shared, so generating an event allocates little beyond the event
// itself (a slice of a pool is a view, not a copy). Imports the event random only.
import { EventRandom } from './event-random.ts';
import { NUM_CHANNELS } from './nexmark-config.ts';

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
/** Every "first last" person name, first-name major. */
export const PERSON_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));
/** Cities and states, drawn independently of each other (as nexmark does). */
export const CITIES: readonly string[] = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
export const STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
/** The four hot channels. */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** 0000 .. 9999, the groups of a credit-card number. */
export const DIGIT_GROUPS: readonly string[] = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

/** Size of the padding pool (1 MiB of chars 'H'..'z'). */
export const EXTRA_POOL_SIZE = 1 << 20;
/** Size of the pool of random-string chars (a-z, a space 1 in 13). */
export const STRING_POOL_SIZE = 1 << 16;

/** The tables of one seed. */
export interface NexmarkValues {
  /** Padding chars; `extra` is a slice of it. */
  readonly extraPool: string;
  /** Random-string chars; itemName, description and e-mail parts are slices of it. */
  readonly stringPool: string;
  /** "channel-i" for i < NUM_CHANNELS. */
  readonly channelNames: readonly string[];
  /** The url of each channel-i (9 in 10 carry `&channel_id=`). */
  readonly channelUrls: readonly string[];
  /** The url of each hot channel (never with channel_id). */
  readonly hotUrls: readonly string[];
}

const cache = new Map<number, NexmarkValues>();

/** The tables for `seed` (built on first use, then shared). */
export function nexmarkValues(seed: number): NexmarkValues {
  let values = cache.get(seed);
  if (values === undefined) {
    values = buildValues(seed);
    cache.set(seed, values);
  }
  return values;
}

/** A string of `length` chars, each `code(random)`, built in chunks. */
function poolOf(random: EventRandom, length: number, code: (r: EventRandom) => number): string {
  const parts: string[] = [];
  const chunk: number[] = new Array<number>(4096);
  for (let done = 0; done < length; done += chunk.length) {
    const n = Math.min(chunk.length, length - done);
    chunk.length = n;
    for (let i = 0; i < n; i++) chunk[i] = code(random);
    parts.push(String.fromCharCode.apply(null, chunk));
  }
  return parts.join('');
}

/** nexmark's nextString(5, '_'): 3 or 4 chars of a-z, '_' 1 in 13. */
function urlPart(random: EventRandom): string {
  const length = 3 + random.nextInt(2);
  let s = '';
  for (let i = 0; i < length; i++) s += random.nextInt(13) === 0 ? '_' : String.fromCharCode(97 + random.nextInt(26));
  return s;
}

function baseUrl(random: EventRandom): string {
  return `https://www.nexmark.com/${urlPart(random)}/${urlPart(random)}/${urlPart(random)}/item.htm?query=1`;
}

/** Java's Math.abs(Integer.reverse(i)): the bits of i reversed as an int32, abs kept in int32. */
export function reversedChannelId(i: number): number {
  let x = i >>> 0;
  let r = 0;
  for (let b = 0; b < 32; b++) { r = (r << 1) | (x & 1); x >>>= 1; }
  r |= 0;
  return r === -2147483648 ? r : Math.abs(r);
}

function buildValues(seed: number): NexmarkValues {
  const random = new EventRandom();
  // Tables get their own seeds, far from any event id (event ids stay below 2^49).
  random.reseed(2 ** 52, seed);
  const extraPool = poolOf(random, EXTRA_POOL_SIZE, (r) => 72 + r.nextInt(51));
  random.reseed(2 ** 52 + 1, seed);
  const stringPool = poolOf(random, STRING_POOL_SIZE, (r) => (r.nextInt(13) === 0 ? 32 : 97 + r.nextInt(26)));
  const channelNames: string[] = [];
  const channelUrls: string[] = [];
  for (let i = 0; i < NUM_CHANNELS; i++) {
    random.reseed(2 ** 52 + 16 + i, seed);
    channelNames.push(`channel-${i}`);
    const url = baseUrl(random);
    channelUrls.push(random.nextInt(10) > 0 ? `${url}&channel_id=${reversedChannelId(i)}` : url);
  }
  const hotUrls = HOT_CHANNELS.map((_, j) => { random.reseed(2 ** 52 + 8 + j, seed); return baseUrl(random); });
  return { extraPool, stringPool, channelNames, channelUrls, hotUrls };
}
