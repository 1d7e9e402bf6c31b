import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access/access.guard';
import { TokenVerifier } from './common/auth/token-verifier';
import { RedisModule } from './common/redis/redis.module';
import { Clock } from './common/clock';
import { AppConfig } from './config/app-config';
import { StockBus } from './bus/stock-bus';
import { StockBusMetrics } from './bus/stock-bus.metrics';
import { StockEvents } from './events/stock-events';
import { WaitlistBus } from './waitlist/waitlist-bus';
import { WaitlistMetrics } from './waitlist/waitlist.metrics';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { Store } from './store/store';
import { StoreModule, type StoreSource } from './store/store.module';

export interface CoreOptions {
  config: AppConfig;
  /** A store instance, or MongoDB settings from which MongooseModule builds one (StoreModule). */
  store: StoreSource;
  clock: Clock;
  /**
   * Called once on shutdown, after the app stops taking requests: closes the store, or what was
   * started for it (MongooseModule closes the connection it owns).
   */
  closeStore: () => Promise<void>;
}

class StoreCloser implements OnApplicationShutdown {
  constructor(private readonly close: () => Promise<void>) {}
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** The shared, global providers: config, store, clock, events, Redis, metrics, rate limits, auth. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [StoreModule.forRoot(options.store), RedisModule, MetricsModule, RateLimitModule],
      providers: [
        { provide: AppConfig, useValue: options.config },
        { provide: Clock, useValue: options.clock },
        {
          provide: StoreCloser,
          // Shutdown hooks run from the root module down, so this one runs before MongooseModule's:
          // the connection it owns is closed here first (closing it again there is a no-op), and
          // what was started for the store (an embedded mongod) stops after it.
          useFactory: (store: Store) =>
            new StoreCloser(async () => {
              if (!(options.store instanceof Store)) await store.close();
              await options.closeStore();
            }),
          inject: [Store],
        },
        StockEvents,
        // Publishes every stock change on Redis pub/sub, from the API and the worker alike.
        StockBus,
        StockBusMetrics,
        // Gives the store its hand-over policy and carries waitlist notices between instances.
        WaitlistBus,
        WaitlistMetrics,
        TokenVerifier,
        // Rate limits (@nestjs/throttler) and authentication for every route, in one guard
        // (src/access); also a provider of its own, so the sold-out fast path admits with it.
        AccessGuard,
        { provide: APP_GUARD, useExisting: AccessGuard },
      ],
      exports: [
        AppConfig,
        StoreModule,
        Clock,
        StockEvents,
        StockBus,
        WaitlistBus,
        WaitlistMetrics,
        TokenVerifier,
        AccessGuard,
      ],
    };
  }
}
