// KeySelector: extracts the key of an element (keyBy). Keys must be valid Flink-style keys so that
// their key group is the same on every runtime; a selector returning anything else fails the task
// with a message naming the operator. Imports state/key-groups only.
import { isValidKey, type Key } from '../../state/key-groups.ts';

/** Extracts the key of an element. */
export type KeySelector<T, K extends Key = Key> = (value: T) => K;

/** The error thrown when a key selector returns something that is not a Key. */
export function invalidKeyError(operatorName: string, key: unknown): Error {
  return new TypeError(
    `keyBy selector feeding "${operatorName}" returned ${describeValue(key)}, which is not a valid key ` +
    '(keys must be string, number (not NaN), bigint, boolean or arrays of them)');
}

/** Calls `selector` and checks that the result is a Key. */
export function selectKey<T>(selector: KeySelector<T>, value: T, operatorName: string): Key {
  const key = selector(value);
  // Strings and finite numbers are the common case: check them without the generic walk.
  if (typeof key === 'string' || (typeof key === 'number' && key === key)) return key;
  if (!isValidKey(key)) throw invalidKeyError(operatorName, key);
  return key;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return 'NaN';
  if (Array.isArray(value)) return 'an array containing a non-key value';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}
