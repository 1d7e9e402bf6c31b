import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfigOrExit } from './config/app-config';
import { chooseStore } from './store/open-store';
import { StoreStartupError } from './store/store-startup-error';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('stockhold');
  const logger = new Logger('Bootstrap');
  const chosen = await chooseStore(config);
  const app = await createApp({ config, store: chosen.source, closeStore: chosen.close });
  await app.listen({ port: config.port, host: config.host });
  logger.log(
    `stockhold listening on ${await app.getUrl()} (${config.nodeEnv}, store: ${chosen.description}, workers: ${config.workers})`,
  );
}

bootstrap().catch((error: unknown) => {
  // An operator's problem (database unreachable or not migrated) gets its one line; anything else
  // is a bug, whose stack is worth having.
  const detail =
    error instanceof StoreStartupError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`stockhold failed to start: ${detail}\n`);
  process.exit(1);
});
