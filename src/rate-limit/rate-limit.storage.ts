import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { RedisConnections } from '../common/redis/redis-connections';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { LocalRateLimiter, type RateLimitRecord } from './local-rate-limiter';

/** One counter to bump: `key` names the limiter and the caller (e.g. `reserve:alice`). */
export interface RateLimitCheck {
  key: string;
  /** Window length, ms. */
  ttlMs: number;
  /** Hits allowed per window. */
  limit: number;
  /** How long a caller over the limit stays refused, ms. */
  blockMs: number;
}

/**
 * Every limit of one request in one atomic script call: per limit, a fixed window counter plus a
 * block key, so every instance on the same Redis shares one limit. Keys come in pairs (hits,
 * block) and ARGV in triples (window ms, limit, block ms); the reply has four numbers per limit:
 * hits, ms to window end, blocked (0|1), ms to block end. A block of 0 ms (ThrottlerStorage's
 * "no block") refuses hits over the limit until the window ends, without a block key.
 *
 * All keys of a call must live on one Redis node: a single Redis, or a primary with replicas
 * (docs/architecture.md §6). Redis Cluster would refuse the call with CROSSSLOT.
 */
const INCREMENT_SCRIPT = `
local out = {}
for i = 1, #KEYS / 2 do
  local hitsKey, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  local ttl, limit, block = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), ARGV[3 * i]
  local blockedFor = redis.call('PTTL', blockKey)
  if blockedFor > 0 then
    local hits = tonumber(redis.call('GET', hitsKey) or '0')
    out[#out + 1] = hits
    out[#out + 1] = redis.call('PTTL', hitsKey)
    out[#out + 1] = 1
    out[#out + 1] = blockedFor
  else
    local hits = redis.call('INCR', hitsKey)
    local windowLeft = redis.call('PTTL', hitsKey)
    if windowLeft < 0 then
      redis.call('PEXPIRE', hitsKey, ttl)
      windowLeft = tonumber(ttl)
    end
    out[#out + 1] = hits
    out[#out + 1] = windowLeft
    if hits > limit and tonumber(block) > 0 then
      redis.call('SET', blockKey, '1', 'PX', block)
      out[#out + 1] = 1
      out[#out + 1] = tonumber(block)
    elseif hits > limit then
      out[#out + 1] = 1
      out[#out + 1] = windowLeft
    else
      out[#out + 1] = 0
      out[#out + 1] = 0
    end
  end
end
return out
`;

/** A batch is sent at once when it reaches this many checks (two keys each), not to hold Redis long. */
const MAX_BATCH_CHECKS = 256;

/** A request's checks waiting for the next batch, and who to hand the records to. */
interface Waiter {
  checks: readonly RateLimitCheck[];
  resolve: (records: RateLimitRecord[]) => void;
}

type RedisWithLimiter = Redis & {
  /** numberOfKeys first (the command is defined without a fixed count), then keys, then ARGV. */
  stockholdRateLimit(
    numberOfKeys: number,
    ...keysThenArgs: Array<string | number>
  ): Promise<number[]>;
};

/**
 * Rate-limit counters in Redis, with a per-process fallback: when Redis cannot answer, the
 * checks are made against local memory (logged once per outage, counted in metrics), so a Redis
 * outage never turns into 500s or into no limits at all. Shared limits resume when Redis returns.
 *
 * It is @nestjs/throttler's storage (ThrottlerModule's `storage` option, built in throttlers.ts):
 * `increment` is the library's one-limit contract; `incrementAll` counts every limit of a request
 * in one script call, which is what AccessGuard and the sold-out fast path use.
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new LocalRateLimiter();
  private readonly redis: RedisWithLimiter;
  private degraded = false;

  private readonly useRedis: boolean;
  private readonly batching: boolean;
  private pending: Waiter[] = [];
  private pendingChecks = 0;
  private flushScheduled = false;

  constructor(
    connections: RedisConnections,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.useRedis = config.rateLimitBackend === 'redis';
    this.batching = config.rateLimitBatching;
    this.redis = connections.commands as RedisWithLimiter;
    if (typeof this.redis.stockholdRateLimit !== 'function') {
      this.redis.defineCommand('stockholdRateLimit', { lua: INCREMENT_SCRIPT });
    }
  }

  /** True while checks are answered locally because Redis is unavailable. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /**
   * ThrottlerStorage#increment (@nestjs/throttler 6, throttler-storage.interface.d.ts): `ttl` and
   * `blockDuration` in ms, the record's times in whole seconds, as ThrottlerStorageService answers.
   * `key` is used as it is: the guard's generateKey already names the throttler in it.
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<RateLimitRecord> {
    const [record] = await this.incrementAll([{ key, ttlMs: ttl, limit, blockMs: blockDuration }]);
    return record;
  }

  /**
   * Counts one hit against each check; answers in the same order. With batching on (the default),
   * the checks of every request that arrives in the same event-loop turn go to Redis together in
   * one script call: one command for the client to build and parse and one script run for Redis,
   * instead of one per request. The script still takes each request's checks in order, atomically.
   */
  incrementAll(checks: readonly RateLimitCheck[]): Promise<RateLimitRecord[]> {
    if (!this.useRedis) return Promise.resolve(this.incrementLocally(checks));
    if (!this.batching) return this.evaluate([{ checks, resolve: () => undefined }]);
    return new Promise((resolve) => {
      this.pending.push({ checks, resolve });
      this.pendingChecks += checks.length;
      if (this.pendingChecks >= MAX_BATCH_CHECKS) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingChecks = 0;
    void this.evaluate(batch);
  }

  /** One script call for the whole batch; resolves each waiter, and returns the first's records. */
  private async evaluate(batch: readonly Waiter[]): Promise<RateLimitRecord[]> {
    const checks = batch.length === 1 ? batch[0].checks : batch.flatMap((waiter) => waiter.checks);
    let records: RateLimitRecord[] | undefined;
    if (this.redis.status === 'ready') {
      try {
        const keys: string[] = [];
        const args: number[] = [];
        for (const check of checks) {
          keys.push(`rl:${check.key}:hits`, `rl:${check.key}:block`);
          args.push(check.ttlMs, check.limit, check.blockMs);
        }
        const reply = await this.redis.stockholdRateLimit(keys.length, ...keys, ...args);
        this.markRecovered();
        records = checks.map((_check, i) => ({
          totalHits: reply[4 * i],
          timeToExpire: Math.ceil(reply[4 * i + 1] / 1000),
          isBlocked: reply[4 * i + 2] === 1,
          timeToBlockExpire: Math.ceil(reply[4 * i + 3] / 1000),
        }));
      } catch (error) {
        this.markDegraded(error);
      }
    } else {
      this.markDegraded(new Error(`connection ${this.redis.status}`));
    }
    if (!records) {
      this.metrics.redisFallbacks.inc(batch.length);
      records = this.incrementLocally(checks);
    }
    let offset = 0;
    for (const waiter of batch) {
      waiter.resolve(records.slice(offset, offset + waiter.checks.length));
      offset += waiter.checks.length;
    }
    return records.slice(0, batch[0].checks.length);
  }

  private incrementLocally(checks: readonly RateLimitCheck[]): RateLimitRecord[] {
    return checks.map((check) =>
      this.local.increment(check.key, check.ttlMs, check.limit, check.blockMs),
    );
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
