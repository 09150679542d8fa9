// The storage-failure scenario over a CI sample of seeds (see sweep.ts; SIM_SEEDS sets how many).
import { sweepTest } from './sweep.ts';

sweepTest('storage-failure', 30);
