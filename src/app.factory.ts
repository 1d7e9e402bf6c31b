import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { Clock, SystemClock } from './common/clock';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { handleClientError, handleFrameworkError } from './common/http/client-errors';
import { useJsonBodyParser } from './common/http/json-body';
import { createLogger, logRequests, PinoNestLogger } from './common/logging';
import { installLeanAsyncResourceBind } from './common/runtime/lean-async-resource-bind';
import { SHUTDOWN_SIGNALS } from './common/runtime/shutdown-signals';
import { createValidationPipe } from './common/validation';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { installSoldOutFastPath } from './reservations/sold-out-fast-path';
import type { AppConfig } from './config/app-config';
import { closeInstance, type StoreSource } from './store/store.module';

/** Bodies over 16 KiB are refused with 413 (docs/architecture.md §7). */
export const BODY_LIMIT_BYTES = 16 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  config: AppConfig;
  /** A store instance (tests, the in-memory store), or MongoDB settings (MongooseModule). */
  store: StoreSource;
  clock?: Clock;
  closeStore?: () => Promise<void>;
  /** Where log lines go; stdout unless given (tests collect them). */
  logDestination?: DestinationStream;
  /** The process's logger, when main.ts made it before the app (for the store's start-up lines). */
  logger?: Logger;
}

/** Builds the configured HTTP application (not yet listening). Used by main.ts and the e2e tests. */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const { config, store } = options;
  const logger = options.logger ?? createLogger(config, options.logDestination);
  // Fastify binds a callback per request body; Node 20–24's bind made that the costliest step.
  if (config.leanAsyncBind && installLeanAsyncResourceBind()) {
    logger.debug('AsyncResource#bind replaced by the lean one (this Node adds DEP0172 accessors)');
  }
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // false, a hop count or proxy addresses (never "trust all"): request.ip is then the address
    // the outermost trusted proxy saw, not what the client wrote into X-Forwarded-For.
    trustProxy: config.trustProxy,
    // A socket that sent half a request is closed with 408 after requestTimeout; an idle one
    // after connectionTimeout. Node checks request deadlines every connectionsCheckingInterval.
    // requestTimeout must also reach the server's constructor: set only afterwards (as Fastify
    // does), Node 24 enforces it on headers but not on a body that stalls.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
    },
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
    // A caller's X-Request-Id is kept when it is a sane token, so logs line up across services.
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      config,
      store,
      clock: options.clock ?? new SystemClock(),
      closeStore: options.closeStore ?? closeInstance(store),
    }),
    adapter,
    // Nest's JSON and form parsers are replaced by useJsonBodyParser below.
    { logger: new PinoNestLogger(logger), bodyParser: false },
  );

  const fastify = app.getHttpAdapter().getInstance();
  useJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  logRequests(fastify, logger);
  installSoldOutFastPath(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);

  // Off by default in production (DOCS_ENABLED): the contract is public knowledge, but an
  // operator decides whether the service itself hands it out.
  if (config.docsEnabled) SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config));
  return app;
}
