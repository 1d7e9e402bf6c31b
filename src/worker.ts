import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from './config/app-config';
import { chooseStore } from './store/open-store';
import { Store } from './store/store';
import { StoreStartupError } from './store/store-startup-error';
import { createWorker } from './worker.factory';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('stockhold worker');
  const logger = new Logger('Bootstrap');
  const chosen = await chooseStore(config);
  await createWorker({ config, store: chosen.source, closeStore: chosen.close });
  if (chosen.source instanceof Store && chosen.source.kind === 'memory') {
    logger.warn(
      "The worker process has an in-memory store of its own: it sees none of the API's data. " +
        'Use WORKERS=inline with the in-memory store, or point both at MongoDB.',
    );
  }
  logger.log(
    `stockhold worker running (${config.nodeEnv}, store: ${chosen.description}): search sync, ` +
      'needsSync sweeper, expiry sweeper, daily search resync',
  );
}

bootstrap().catch((error: unknown) => {
  // An operator's problem (database unreachable or not migrated) gets its one line; anything else
  // is a bug, whose stack is worth having.
  const detail =
    error instanceof StoreStartupError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`stockhold worker failed to start: ${detail}\n`);
  process.exit(1);
});
