// The taskmanager-kill scenario over a CI sample of seeds (see sweep.ts; SIM_SEEDS sets how many).
// Regression seeds: 1008 and 1151 (a TaskManager restarted under its old id just before the job
// redeployed: the job deployed onto the old incarnation's slots and hung when it was killed again).
import { sweepTest } from './sweep.ts';

sweepTest('taskmanager-kill', 30, [1008, 1151]);
