// cloneFunction: gives every subtask its own instance of a user function object. Flink ships a
// serialized copy of each function to every subtask, so fields set in open() (state handles,
// counters) are per subtask; sharing one object between subtasks would let one subtask's open()
// overwrite another's state handles. The copy is shallow: fields holding outside objects (a
// results array a test shares on purpose) stay shared, as they would within one JVM.

/** A per-subtask copy of `fn` with the same prototype and own fields. */
export function cloneFunction<F extends object>(fn: F): F {
  return Object.assign(Object.create(Object.getPrototypeOf(fn)) as F, fn);
}
