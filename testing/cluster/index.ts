// The simulated multi-process cluster of actorflow/testing: a SimulatedNetwork of in-memory hosts
// and TCP connections on virtual time, and a SimulatedCluster of JobManager candidates and
// TaskManagers (the real processes' code) on it, with the transactional collecting sink, the
// keyed-count job and the drivers its tests use. createSimulatedCluster takes the simulation
// kernel's clock, PRNG and trace (or a VirtualClock's in a test). A wiring file: no logic.
import { SimulatedCluster, type SimulatedClusterOptions } from './simulated-cluster.ts';

export { SimulatedCluster, type JobBuilder, type SimulatedClusterOptions } from './simulated-cluster.ts';
export { SimulatedNetwork, type SimulatedNetworkOptions } from './simulated-network.ts';
export { SimulatedKvStore, SimulatedKvView } from './simulated-kv-store.ts';
export { ProcessClock } from './process-clock.ts';
export { VirtualClock } from './virtual-clock.ts';
export { CollectingSink, CollectingStore, type CollectingTxn } from './collecting-sink.ts';
export { expectedKeyedCounts, keyedCountJob, multisetDifference, type KeyedCountOptions } from './keyed-count.ts';
export { advance, advanceUntil, settle, type DriveOptions, type SteppedClock } from './drive.ts';

/**
 * A simulated HA cluster on `options.clock` (the kernel's `clock`, with `random: () => kernel.random.next()`,
 * `trace: (e) => kernel.note(e)` and `turns: kernel.host`); call `start()` while the clock moves.
 */
export function createSimulatedCluster(options: SimulatedClusterOptions): SimulatedCluster {
  return new SimulatedCluster(options);
}
