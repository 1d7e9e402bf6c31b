import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RateLimitExceededError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { RateLimitRecord } from './local-rate-limiter';
import { RateLimitStorage } from './rate-limit.storage';

/** The two limits of DESIGN §6: per client IP on every route, per shopper on reservation writes. */
export type LimiterName = 'global' | 'reserve';

/** One limit to count a request against, and whom it is counted for. */
export interface LimitHit {
  limiter: LimiterName;
  /** The client IP (global) or the shopper's id (reserve). */
  tracker: string;
}

interface Rule {
  limit: number;
  windowMs: number;
}

/**
 * Counts a request against its limits and refuses it with 429 RATE_LIMIT_EXCEEDED (and
 * Retry-After) when any is exceeded. Every limited response carries the standard RateLimit-Limit /
 * -Remaining / -Reset headers of the limit nearest to exhaustion.
 *
 * The limits of one request are counted in one Redis script call (one round trip).
 */
@Injectable()
export class RateLimits {
  private readonly rules: Record<LimiterName, Rule>;

  constructor(
    config: AppConfig,
    private readonly storage: RateLimitStorage,
    private readonly metrics: MetricsService,
  ) {
    this.rules = {
      global: { limit: config.globalRateLimit, windowMs: config.globalRateWindowSeconds * 1000 },
      reserve: { limit: config.reserveRateLimit, windowMs: config.reserveRateWindowSeconds * 1000 },
    };
  }

  async enforce(hits: readonly LimitHit[], reply: FastifyReply): Promise<void> {
    if (hits.length === 0) return;
    const rules = hits.map((hit) => this.rules[hit.limiter]);
    const records = await this.storage.incrementAll(
      // A blocked caller stays blocked for one window.
      hits.map((hit, i) => ({
        key: `${hit.limiter}:${hit.tracker}`,
        ttlMs: rules[i].windowMs,
        limit: rules[i].limit,
        blockMs: rules[i].windowMs,
      })),
    );
    const left = records.map((record, i) => remaining(record, rules[i]));
    const blocked = records.findIndex((record) => record.isBlocked);
    // The headers describe the refusing limit, else the one nearest to exhaustion.
    const shown = blocked >= 0 ? blocked : left.indexOf(Math.min(...left));
    const record = records[shown];
    void reply.header('RateLimit-Limit', rules[shown].limit);
    void reply.header('RateLimit-Remaining', left[shown]);
    void reply.header(
      'RateLimit-Reset',
      record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    );
    if (blocked >= 0) {
      this.metrics.rateLimited.inc({ limiter: hits[blocked].limiter });
      throw new RateLimitExceededError(Math.max(1, record.timeToBlockExpire));
    }
  }
}

function remaining(record: RateLimitRecord, rule: Rule): number {
  return record.isBlocked ? 0 : Math.max(0, rule.limit - record.totalHits);
}
