import { Module } from '@nestjs/common';
import { RateLimitStorage } from './rate-limit.storage';
import { RateLimits } from './rate-limits';

/**
 * The limits of DESIGN §6, shared by every instance through Redis with a per-process fallback.
 * Routes choose theirs with the decorators in rate-limit.decorators.ts; AccessControl applies them.
 */
@Module({ providers: [RateLimitStorage, RateLimits], exports: [RateLimitStorage, RateLimits] })
export class RateLimitModule {}
