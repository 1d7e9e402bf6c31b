import { Module } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { TokenVerifier } from '../common/auth/token-verifier';
import { AppConfig } from '../config/app-config';
import { RESERVE_LIMITED } from './rate-limit.decorators';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class RateLimitStorageModule {}

/**
 * Two limits (DESIGN §6): `global` per client IP on every route, `reserve` per shopper on
 * reservation writes. Both live in Redis (shared by every instance) with a per-process fallback.
 */
export const RateLimitModule = ThrottlerModule.forRootAsync({
  imports: [RateLimitStorageModule],
  inject: [AppConfig, RedisThrottlerStorage, TokenVerifier, Reflector],
  useFactory: (
    config: AppConfig,
    storage: RedisThrottlerStorage,
    verifier: TokenVerifier,
    reflector: Reflector,
  ) => ({
    storage,
    // One counter per limit and caller, whatever the route.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'global',
        limit: config.globalRateLimit,
        ttl: config.globalRateWindowSeconds * 1000,
        // request.ip honours X-Forwarded-For only when TRUST_PROXY is set (Fastify's trustProxy).
        getTracker: (request) => (request as FastifyRequest).ip,
      },
      {
        name: 'reserve',
        limit: config.reserveRateLimit,
        ttl: config.reserveRateWindowSeconds * 1000,
        skipIf: (context) => !reflector.get<boolean>(RESERVE_LIMITED, context.getHandler()),
        // The guard runs before authentication; an invalid token is not counted here (auth answers 401).
        getTracker: (request) => {
          try {
            return verifier.principalFromHeader((request as FastifyRequest).headers.authorization)
              .userId;
          } catch {
            return '';
          }
        },
      },
    ],
  }),
});
