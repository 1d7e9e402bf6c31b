import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access/access.guard';
import { TokenVerifier } from './common/auth/token-verifier';
import { RedisModule } from './common/redis/redis.module';
import { Clock } from './common/clock';
import { AppConfig } from './config/app-config';
import { StockEvents } from './events/stock-events';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { Store } from './store/store';

export interface CoreOptions {
  config: AppConfig;
  store: Store;
  clock: Clock;
  /** Called once on shutdown, after the app stops taking requests: closes the store. */
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
      imports: [RedisModule, MetricsModule, RateLimitModule],
      providers: [
        { provide: AppConfig, useValue: options.config },
        { provide: Store, useValue: options.store },
        { provide: Clock, useValue: options.clock },
        { provide: StoreCloser, useValue: new StoreCloser(options.closeStore) },
        StockEvents,
        TokenVerifier,
        // Rate limits (@nestjs/throttler) and authentication for every route, in one guard
        // (src/access); also a provider of its own, so the sold-out fast path admits with it.
        AccessGuard,
        { provide: APP_GUARD, useExisting: AccessGuard },
      ],
      exports: [AppConfig, Store, Clock, StockEvents, TokenVerifier, AccessGuard],
    };
  }
}
