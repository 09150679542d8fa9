// The leader-kill scenario (an HA cluster on the simulated network) over a CI sample of seeds (see
// sweep.ts; SIM_SEEDS sets how many).
import { sweepTest } from './sweep.ts';

sweepTest('leader-kill', 15);
