import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { MetricsService } from '../metrics/metrics.service';
import type { RateLimitRecord } from './local-rate-limiter';
import { RateLimitStorage } from './rate-limit.storage';

/** One limit a request counts against, resolved for this request by AccessGuard. */
export interface LimitCheck {
  /** The throttler's name (`global`, `reserve`): the metrics label. */
  throttler: string;
  /** Whom it is counted for: the client IP or the shopper's id. */
  tracker: string;
  /** The storage key (AccessGuard#generateKey: `<throttler>:<tracker>`). */
  key: string;
  limit: number;
  /** Window, ms. */
  ttl: number;
  /** How long a caller over the limit stays refused, ms. */
  blockDuration: number;
}

/**
 * Counts a request against its limits, all in one storage call (one Redis script run), and sets
 * the standard RateLimit-Limit / -Remaining / -Reset headers of the limit nearest to exhaustion
 * (of the refusing limit, when one refuses). Answers the refusing limit, if any; the caller turns it
 * into 429 RATE_LIMIT_EXCEEDED with Retry-After (AccessGuard#throwThrottlingException).
 *
 * These replace the library's per-throttler `X-RateLimit-*-<name>` headers, which this service never
 * sent: the headers clients already read stay as they were.
 */
@Injectable()
export class RateLimits {
  constructor(
    // The instance ThrottlerModule holds (the `storage` option, see throttlers.ts).
    @InjectThrottlerStorage() private readonly storage: RateLimitStorage,
    private readonly metrics: MetricsService,
  ) {}

  async count(
    checks: readonly LimitCheck[],
    reply: FastifyReply,
  ): Promise<ThrottlerLimitDetail | undefined> {
    if (checks.length === 0) return undefined;
    const records = await this.storage.incrementAll(
      checks.map((check) => ({
        key: check.key,
        ttlMs: check.ttl,
        limit: check.limit,
        blockMs: check.blockDuration,
      })),
    );
    const left = records.map((record, i) => remaining(record, checks[i].limit));
    const blocked = records.findIndex((record) => record.isBlocked);
    const shown = blocked >= 0 ? blocked : left.indexOf(Math.min(...left));
    const record = records[shown];
    const check = checks[shown];
    void reply.header('RateLimit-Limit', check.limit);
    void reply.header('RateLimit-Remaining', left[shown]);
    void reply.header(
      'RateLimit-Reset',
      record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    );
    if (blocked < 0) return undefined;
    this.metrics.rateLimited.inc({ limiter: check.throttler });
    return {
      ...record,
      limit: check.limit,
      ttl: check.ttl,
      key: check.key,
      tracker: check.tracker,
    };
  }
}

function remaining(record: RateLimitRecord, limit: number): number {
  return record.isBlocked ? 0 : Math.max(0, limit - record.totalHits);
}
