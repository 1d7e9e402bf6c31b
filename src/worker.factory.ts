import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { NestFactory } from '@nestjs/core';
import { Clock, SystemClock } from './common/clock';
import { createLogger, PinoNestLogger } from './common/logging';
import { SHUTDOWN_SIGNALS } from './common/runtime/shutdown-signals';
import type { AppConfig } from './config/app-config';
import { closeInstance, type StoreSource } from './store/store.module';
import { WorkerModule } from './worker.module';

export interface CreateWorkerOptions {
  config: AppConfig;
  store: StoreSource;
  clock?: Clock;
  closeStore?: () => Promise<void>;
  /** The process's logger, when worker.ts made it first (for the store's start-up lines). */
  logger?: Logger;
}

/**
 * Builds the worker process (docs/architecture.md §1): a Nest application context, no HTTP, whose workers start
 * as it initialises. Used by worker.ts and the tests. `close()` — also on SIGTERM/SIGINT — stops
 * taking jobs, lets running ones finish, then closes Redis and the store.
 */
export async function createWorker(options: CreateWorkerOptions): Promise<INestApplicationContext> {
  const { config, store } = options;
  const context = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      config,
      store,
      clock: options.clock ?? new SystemClock(),
      closeStore: options.closeStore ?? closeInstance(store),
    }),
    { logger: new PinoNestLogger(options.logger ?? createLogger(config)) },
  );
  context.enableShutdownHooks(SHUTDOWN_SIGNALS);
  return context;
}
