import { Reflector } from '@nestjs/core';
import { Throttle } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../common/auth/token-verifier';
import type { RedisConnections } from '../common/redis/redis-connections';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import { RateLimitStorage } from '../rate-limit/rate-limit.storage';
import { RateLimits } from '../rate-limit/rate-limits';
import { stockholdThrottlers } from '../rate-limit/throttlers';
import { AccessGuard } from './access.guard';
import { HttpRouteContext } from './http-route-context';

const config = {
  rateLimitBackend: 'redis',
  rateLimitBatching: true,
  globalRateLimit: 1_000,
  globalRateWindowSeconds: 60,
  reserveRateLimit: 1_000,
  reserveRateWindowSeconds: 60,
} as AppConfig;

/**
 * A Redis stand-in that records each call of the limit script (its keys) and answers "hit 1, not
 * blocked" for every limit in it, a turn later, as a reply from the socket would come.
 */
function recordingRedis() {
  const calls: string[][] = [];
  const redis = {
    status: 'ready',
    defineCommand: () => undefined,
    stockholdRateLimit: (numberOfKeys: number, ...keysThenArgs: Array<string | number>) => {
      const keys = keysThenArgs.slice(0, numberOfKeys) as string[];
      calls.push(keys);
      const reply = keys.filter((_key, i) => i % 2 === 0).flatMap(() => [1, 60_000, 0, 0]);
      return new Promise<number[]>((resolve) => setImmediate(() => resolve(reply)));
    },
  };
  return { connections: { commands: redis } as unknown as RedisConnections, calls };
}

class ReservationsLike {
  @Throttle({ reserve: {} })
  reserve() {}
}

describe('AccessGuard with the Redis storage', () => {
  it('sends the limits of every request admitted in one event-loop turn in one script call', async () => {
    const { connections, calls } = recordingRedis();
    const metrics = {} as MetricsService;
    const storage = new RateLimitStorage(connections, metrics, config);
    const verifier = {
      principalFromHeader: (header?: string) => ({ userId: header!.slice(7), isAdmin: false }),
    } as TokenVerifier;
    const guard = new AccessGuard(
      { throttlers: stockholdThrottlers(config) },
      storage,
      new Reflector(),
      verifier,
      new RateLimits(storage, metrics),
    );
    await guard.onModuleInit();

    // What the sold-out fast path does for each request that arrives in the same turn.
    const shoppers = Array.from({ length: 50 }, (_, i) => `shopper-${i}`);
    const requests = shoppers.map((shopper) => ({
      headers: { authorization: `Bearer ${shopper}` },
      ip: '10.0.0.1',
    }));
    const admitted = await Promise.all(
      requests.map((request) =>
        guard.canActivate(
          new HttpRouteContext(
            request,
            { header: () => undefined },
            ReservationsLike,
            ReservationsLike.prototype.reserve,
          ),
        ),
      ),
    );

    expect(admitted.every(Boolean)).toBe(true);
    // One call for the turn, with both limits of each request in it, in order. Counting a request's
    // throttlers one after another (ThrottlerGuard#canActivate's way: an awaited `increment` per
    // throttler) would take one call per throttler, each waiting for the previous one's reply.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(
      shoppers.flatMap((shopper) => [
        'rl:global:10.0.0.1:hits',
        'rl:global:10.0.0.1:block',
        `rl:reserve:${shopper}:hits`,
        `rl:reserve:${shopper}:block`,
      ]),
    );
  });
});
