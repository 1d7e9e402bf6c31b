import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { RateLimitExceededError } from '../common/errors/domain-errors';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The rate-limit guard (DESIGN §6), registered before authentication so floods are refused before
 * any token is checked. Over the limit: 429 RATE_LIMIT_EXCEEDED with Retry-After; every limited
 * response carries the standard RateLimit-Limit / -Remaining / -Reset headers.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // Property injection: ThrottlerGuard owns the constructor signature.
  @Inject(MetricsService) private readonly metrics!: MetricsService;

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const http = context.switchToHttp();
    const req = http.getRequest<Record<string, unknown>>();
    const reply = http.getResponse<FastifyReply>();
    const tracker = await getTracker(req, context);
    if (!tracker) return true; // no one to count (e.g. an unauthenticated reserve call: auth answers 401)
    const name = throttler.name ?? 'default';
    const key = generateKey(context, tracker, name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    void reply.header('RateLimit-Limit', limit);
    void reply.header('RateLimit-Remaining', Math.max(0, limit - record.totalHits));
    void reply.header(
      'RateLimit-Reset',
      record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    );
    if (record.isBlocked) {
      this.metrics.rateLimited.inc({ limiter: name });
      throw new RateLimitExceededError(Math.max(1, record.timeToBlockExpire));
    }
    return true;
  }

  protected override async throwThrottlingException(_context: ExecutionContext): Promise<void> {
    throw new RateLimitExceededError(1);
  }
}
