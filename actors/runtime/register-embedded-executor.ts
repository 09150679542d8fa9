// Registers the embedded mini cluster as the 'embedded' executor (the default of every
// environment). Imported by the package entry, api/index.ts.
import { registerExecutor } from '../../api/environment/executor-registry.ts';
import { embeddedExecutor } from './embedded-executor.ts';

registerExecutor('embedded', embeddedExecutor);

export { embeddedExecutor };
