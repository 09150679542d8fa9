// The public simulation API ('actorflow/testing'): simulate() and the Simulation a scenario
// drives, the report, the checkers, the named scenarios with their runner and shrinker, and the
// trace helpers. A wiring file: no logic.

export { simulate, type SimulationReport } from './simulate.ts';
export { Simulation, SimulationTimeoutError, type CheckResult, type FaultRecord, type SimulationOptions } from './simulation.ts';
export { SimKernel, SimulationDeadlockError, SIM_EPOCH_MS } from './sim-kernel.ts';
export { SimRandom } from './sim-random.ts';
export { SimStorage, SimulatedStorageError, StorageFullError, simulatedStateBackend, type TornWriteDamage } from './sim-storage.ts';
export { auditDeterminism, type DeterminismAudit } from './audit.ts';
export { Trace, traceHash, firstDifference, describeDivergence } from './trace.ts';
export { compareMultisets, expectedRunningCounts, expectedWindowSums, SupervisionModel } from './checkers.ts';
export { describeFault, type Fault, type Scenario } from './scenario.ts';
export { scenarios, findScenario } from './scenarios/index.ts';
export {
  planFaults, runScenario, runSeeds, shrinkFaults, replayCommand, parseSeedRange, seedRange, type ScenarioRun, type SweepResult,
} from './runner.ts';
