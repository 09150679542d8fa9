// Barrel for windowing: assigners, windows, triggers, evictors, the window operator and the
// windowed/joined stream builders. Re-exported by the package entry.
export {};
