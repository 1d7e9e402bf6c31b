import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimits } from './rate-limits';
import { throttlerModuleOptions } from './throttlers';

/**
 * The rate limits, on @nestjs/throttler: ThrottlerModule with the named throttlers `global` (per
 * client IP, every route) and `reserve` (per shopper, reservation writes), from the validated
 * config, and the Redis storage with its per-process fallback. Routes choose with @Throttle() and
 * @SkipThrottle(); AccessGuard (src/access) applies them. ThrottlerModule is global, so its options
 * and storage can be injected anywhere.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      // AppConfig, RedisConnections and MetricsService come from global modules.
      inject: [AppConfig, RedisConnections, MetricsService],
      useFactory: throttlerModuleOptions,
    }),
  ],
  providers: [RateLimits],
  exports: [RateLimits],
})
export class RateLimitModule {}
