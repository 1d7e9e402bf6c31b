import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { withTimeout } from '../with-timeout';

export type RedisPurpose =
  /** Request-path commands (rate limits, locks): fail fast instead of queueing while Redis is away. */
  | 'commands'
  /** BullMQ queues and workers: BullMQ needs maxRetriesPerRequest null and an offline queue. */
  | 'queue'
  /** The stock bus subscriber: a connection in subscriber mode, resubscribed after reconnects. */
  | 'bus';

const BOOT_WAIT_MS = 1500;
const QUIT_TIMEOUT_MS = 1000;

/**
 * The one Redis connection factory (ioredis, REDIS_URL). Nothing else constructs clients. Every
 * client reconnects forever with capped backoff; outages are logged once, not once per retry.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients: Redis[] = [];
  private commandsClient?: Redis;
  private outageLogged = false;

  constructor(private readonly config: AppConfig) {}

  /**
   * Gives Redis a moment to connect at boot, so the first requests already share limits and the
   * first stock changes are already queued. Every client created so far (providers create theirs
   * when constructed, before any module init) waits together. A Redis that is down does not hold
   * the boot up: the service starts degraded and recovers later.
   */
  async onModuleInit(): Promise<void> {
    void this.commands;
    await Promise.all(this.clients.map((client) => waitUntilReady(client, BOOT_WAIT_MS)));
  }

  /** The shared request-path client. */
  get commands(): Redis {
    this.commandsClient ??= this.create('commands');
    return this.commandsClient;
  }

  /** True while the shared request-path client is connected and ready. */
  get ready(): boolean {
    return this.commands.status === 'ready';
  }

  /** A new client for the given purpose, closed with the application. */
  create(purpose: RedisPurpose): Redis {
    const common: RedisOptions = {
      connectTimeout: 2000,
      // Reconnect forever, backing off to 2 s between attempts.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      connectionName: `stockhold-${purpose}`,
    };
    const options: RedisOptions =
      purpose === 'commands'
        ? {
            ...common,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: 500,
          }
        : { ...common, maxRetriesPerRequest: null };
    const client = new Redis(this.config.redisUrl, options);
    client.on('error', (error: Error) => {
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.logger.warn(`Redis unreachable (${error.message}); running degraded until it returns`);
      }
    });
    client.on('ready', () => {
      if (this.outageLogged) {
        this.outageLogged = false;
        this.logger.log('Redis is back');
      }
    });
    this.clients.push(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.clients.map(async (client) => {
        try {
          // A queue client holds commands for a Redis that is away, and QUIT would wait behind
          // them until Redis returns: give it a moment, then just drop the connection.
          await withTimeout(client.quit(), QUIT_TIMEOUT_MS, 'Redis QUIT');
        } catch {
          client.disconnect();
        }
      }),
    );
  }
}

function waitUntilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
