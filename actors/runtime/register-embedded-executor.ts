// Registers the embedded mini cluster as the 'embedded' executor (the default of every
// environment) and the embedded batch runner as its batch executor. Imported by the package
// entry, api/index.ts.
import { registerBatchExecutor, registerExecutor } from '../../api/environment/executor-registry.ts';
import { embeddedBatchExecutor } from './batch/batch-job-runner.ts';
import { embeddedExecutor } from './embedded-executor.ts';

registerExecutor('embedded', embeddedExecutor);
registerBatchExecutor('embedded', embeddedBatchExecutor);

export { embeddedBatchExecutor, embeddedExecutor };
