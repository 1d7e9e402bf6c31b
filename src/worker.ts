import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createLogger, PinoNestLogger } from './common/logging';
import { loadConfigOrExit } from './config/app-config';
import { chooseStore } from './store/open-store';
import { Store } from './store/store';
import { StoreStartupError } from './store/store-startup-error';
import { createWorker } from './worker.factory';

/**
 * Why the worker process never runs on an in-memory store: its store would be private to it, yet
 * it takes jobs from the search-sync queue it shares with the API through Redis, so it would
 * consume the API's jobs and sync nothing (search falls behind until the API's needsSync sweeper
 * catches up) and expire none of the API's holds.
 */
const NEEDS_MONGODB =
  'stockhold worker cannot start: it needs the MongoDB the API uses (MONGODB_URI), not an ' +
  "in-memory store of its own, which would take the API's search-sync jobs from Redis and lose " +
  'them. With the in-memory store, run the workers inside the API (WORKERS=inline).';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('stockhold worker');
  if (config.store === 'memory') refuse(`${NEEDS_MONGODB} (STORE=memory)`);
  // One logger from the first line on, so the store's start-up lines have the worker's format.
  const processLogger = createLogger(config);
  Logger.overrideLogger(new PinoNestLogger(processLogger));
  const chosen = await chooseStore(config);
  if (chosen.source instanceof Store && chosen.source.kind === 'memory') {
    // The development fallback: no MONGODB_URI and no mongod binary to embed.
    await chosen.close();
    refuse(`${NEEDS_MONGODB} (no MongoDB could be reached or started)`);
  }
  await createWorker({
    config,
    store: chosen.source,
    closeStore: chosen.close,
    logger: processLogger,
  });
  new Logger('Bootstrap').log(
    `stockhold worker running (${config.nodeEnv}, store: ${chosen.description}): search sync, ` +
      'needsSync sweeper, expiry sweeper, daily search resync',
  );
}

function refuse(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

bootstrap().catch((error: unknown) => {
  // An operator's problem (database unreachable or not migrated) gets its one line; anything else
  // is a bug, whose stack is worth having.
  const detail =
    error instanceof StoreStartupError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`stockhold worker failed to start: ${detail}\n`);
  process.exit(1);
});
