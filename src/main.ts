import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { createLogger, PinoNestLogger } from './common/logging';
import { loadConfigOrExit } from './config/app-config';
import { chooseStore } from './store/open-store';
import { StoreStartupError } from './store/store-startup-error';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('stockhold');
  // One logger from the first line on, so the store's start-up lines have the app's format.
  const processLogger = createLogger(config);
  Logger.overrideLogger(new PinoNestLogger(processLogger));
  const logger = new Logger('Bootstrap');
  const chosen = await chooseStore(config);
  const app = await createApp({
    config,
    store: chosen.source,
    closeStore: chosen.close,
    logger: processLogger,
  });
  await app.listen({ port: config.port, host: config.host });
  logger.log(
    `stockhold listening on ${boundAddress(app.getHttpServer().address() as AddressInfo)} ` +
      `(${config.nodeEnv}, store: ${chosen.description}, workers: ${config.workers}, ` +
      `docs: ${config.docsEnabled ? '/docs' : 'off'})`,
  );
}

/** The address the socket really bound (0.0.0.0 or :: means every interface), as a URL. */
function boundAddress(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

bootstrap().catch((error: unknown) => {
  // An operator's problem (database unreachable or not migrated) gets its one line; anything else
  // is a bug, whose stack is worth having.
  const detail =
    error instanceof StoreStartupError ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`stockhold failed to start: ${detail}\n`);
  process.exit(1);
});
