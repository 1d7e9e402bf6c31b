import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { openStore } from './store/open-store';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Config problems are the operator's to fix: print them all, no stack trace.
      process.stderr.write(`stockhold cannot start.\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new Logger('Bootstrap');
  const opened = await openStore(config);
  const app = await createApp({ config, store: opened.store, closeStore: opened.close });
  await app.listen({ port: config.port, host: config.host });
  logger.log(
    `stockhold listening on ${await app.getUrl()} (${config.nodeEnv}, store: ${opened.description}, workers: ${config.workers})`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`stockhold failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
