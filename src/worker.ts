import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from './config/app-config';
import { openStore } from './store/open-store';
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
  const opened = await openStore(config);
  if (opened.store.kind === 'memory') {
    // The development fallback: no MONGODB_URI and no mongod binary to embed.
    await opened.close();
    refuse(`${NEEDS_MONGODB} (no MongoDB could be reached or started)`);
  }
  await createWorker({ config, store: opened.store, closeStore: opened.close });
  new Logger('Bootstrap').log(
    `stockhold worker running (${config.nodeEnv}, store: ${opened.description}): search sync, ` +
      'needsSync sweeper, expiry sweeper, daily search resync',
  );
}

function refuse(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `stockhold worker failed to start: ${(error as Error)?.stack ?? String(error)}\n`,
  );
  process.exit(1);
});
