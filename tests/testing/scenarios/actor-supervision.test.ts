// The actor-supervision scenario over a CI sample of seeds (see sweep.ts; SIM_SEEDS sets how many).
import { sweepTest } from './sweep.ts';

sweepTest('actor-supervision', 150);
