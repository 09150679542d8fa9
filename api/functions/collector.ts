// Collector: what user functions emit into (Flink's Collector). Imports nothing.

/** Receives the records a user function emits. */
export interface Collector<T> {
  collect(value: T): void;
}
