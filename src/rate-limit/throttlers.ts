import type { ThrottlerModuleOptions, ThrottlerOptions } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimitStorage } from './rate-limit.storage';

/** The two limits: per client IP on every route, per shopper on reservation writes. */
export type ThrottlerName = 'global' | 'reserve';

/**
 * A named throttler as ThrottlerModule takes it, plus `optIn`: an opt-in throttler counts only on
 * routes that name it with `@Throttle({ reserve: {} })` (an empty override keeps the configured
 * limit), instead of on every route not marked `@SkipThrottle()`. AccessGuard reads the flag; the
 * library copies each throttler object as it is (`{ ...opt, name }` in ThrottlerGuard#onModuleInit),
 * so the extra property survives.
 */
export interface StockholdThrottler extends ThrottlerOptions {
  name: ThrottlerName;
  optIn?: boolean;
}

/**
 * The client's IP: Fastify's `request.ip`, which follows X-Forwarded-For only when TRUST_PROXY is
 * set. Kept as it is (the library's default tracker folds IPv6 addresses into their /64).
 */
export function clientIp(request: Record<string, unknown>): string {
  return (request as unknown as AuthenticatedRequest).ip;
}

/**
 * The shopper AccessGuard verified from the bearer token, earlier in the same request (the token is
 * verified once). Empty when there is none, e.g. a bad token: such a request is counted against its
 * IP but against no shopper.
 */
export function verifiedShopper(request: Record<string, unknown>): string {
  return (request as unknown as AuthenticatedRequest).principal?.userId ?? '';
}

export function stockholdThrottlers(config: AppConfig): StockholdThrottler[] {
  return [
    {
      name: 'global',
      limit: config.globalRateLimit,
      ttl: config.globalRateWindowSeconds * 1000,
      getTracker: clientIp,
    },
    {
      name: 'reserve',
      limit: config.reserveRateLimit,
      ttl: config.reserveRateWindowSeconds * 1000,
      getTracker: verifiedShopper,
      optIn: true,
    },
  ];
}

/**
 * ThrottlerModule.forRootAsync's factory: the throttlers from the validated config, and the one
 * storage (the Redis script with its per-process fallback) that AccessGuard, the sold-out fast path
 * and anyone injecting ThrottlerStorage share. A blocked caller stays blocked for one window (the
 * library's default when `blockDuration` is left out).
 */
export function throttlerModuleOptions(
  config: AppConfig,
  connections: RedisConnections,
  metrics: MetricsService,
): ThrottlerModuleOptions {
  return {
    throttlers: stockholdThrottlers(config),
    storage: new RateLimitStorage(connections, metrics, config),
  };
}
