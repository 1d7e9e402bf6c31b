import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { LocalRateLimiter, type RateLimitRecord } from './local-rate-limiter';

/**
 * One atomic round trip per check: a fixed window counter plus a block key, so every instance on
 * the same Redis shares one limit. Both keys share a hash tag so the script also runs on a cluster.
 * Returns [hits, msToWindowEnd, blocked (0|1), msToBlockEnd].
 */
const INCREMENT_SCRIPT = `
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, redis.call('PTTL', KEYS[1]), 1, blockedFor}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, windowLeft, 1, tonumber(ARGV[3])}
end
return {hits, windowLeft, 0, 0}
`;

type RedisWithLimiter = Redis & {
  stockholdRateLimit(
    hitsKey: string,
    blockKey: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<number[]>;
};

/**
 * Rate-limit counters in Redis, with a per-process fallback: when Redis cannot answer, the
 * check is made against local memory (logged once per outage, counted in metrics), so a Redis
 * outage never turns into 500s or into no limits at all. Shared limits resume when Redis returns.
 */
@Injectable()
export class RateLimitStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new LocalRateLimiter();
  private readonly redis: RedisWithLimiter;
  private degraded = false;

  private readonly useRedis: boolean;

  constructor(
    connections: RedisConnections,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.useRedis = config.rateLimitBackend === 'redis';
    this.redis = connections.commands as RedisWithLimiter;
    if (typeof this.redis.stockholdRateLimit !== 'function') {
      this.redis.defineCommand('stockholdRateLimit', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    }
  }

  /** True while checks are answered locally because Redis is unavailable. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /**
   * Counts one hit of `key` (limiter name and caller, e.g. `reserve:alice`) in a window of `ttl` ms
   * allowing `limit` hits; past it the key is blocked for `blockDuration` ms.
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<RateLimitRecord> {
    if (!this.useRedis) return this.local.increment(key, ttl, limit, blockDuration);
    if (this.redis.status === 'ready') {
      try {
        const tag = `{rl:${key}}`;
        const [hits, windowLeftMs, blocked, blockLeftMs] = await this.redis.stockholdRateLimit(
          `${tag}:hits`,
          `${tag}:block`,
          ttl,
          limit,
          blockDuration,
        );
        this.markRecovered();
        return {
          totalHits: hits,
          timeToExpire: Math.ceil(windowLeftMs / 1000),
          isBlocked: blocked === 1,
          timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
        };
      } catch (error) {
        this.markDegraded(error);
      }
    } else {
      this.markDegraded(new Error(`connection ${this.redis.status}`));
    }
    this.metrics.redisFallbacks.inc();
    return this.local.increment(key, ttl, limit, blockDuration);
  }

  private markDegraded(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis unavailable for rate limits (${(error as Error).message}); limiting per process`,
    );
  }

  private markRecovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis is back: rate limits are shared again');
  }
}
