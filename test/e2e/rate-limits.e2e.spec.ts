import { getStorageToken } from '@nestjs/throttler';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenVerifier } from '../../src/common/auth/token-verifier';
import { RedisConnections } from '../../src/common/redis/redis-connections';
import type { RateLimitStorage } from '../../src/rate-limit/rate-limit.storage';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';
import { TestRedisServer } from '../helpers/redis-server';

/** Rate limits against a real redis-server of this file's own (docs/architecture.md §6). */
describe('rate limits', () => {
  let redis: TestRedisServer;
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({ env: { REDIS_URL: redis.url, ...env } });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis.restart();
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const reserve = (
    t: TestApp,
    token: string,
    variantId: string,
    headers: Record<string, string> = {},
  ) => t.request('POST', '/v1/reservations', { token, body: { variantId, quantity: 1 }, headers });

  it("refuses a shopper's 6th reservation request in the window with 429, Retry-After and RateLimit headers", async () => {
    const t = await start({ RESERVE_RATE_LIMIT: '5', RESERVE_RATE_WINDOW_SECONDS: '60' });
    const shopper = t.token('rate-alice');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      // Different variants would be capped at 5 holds; the same one answers DUPLICATE after the first.
      const response = await reserve(t, shopper, await createVariant(t, 10));
      statuses.push(response.status);
      expect(response.headers.get('ratelimit-limit')).toBe('5');
      expect(response.headers.get('ratelimit-remaining')).toBe(String(4 - i));
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    const sixth = await reserve(t, shopper, await createVariant(t, 10));
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMIT_EXCEEDED' });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers.get('ratelimit-remaining')).toBe('0');

    // Another shopper has a budget of their own, and reads are not counted against reservations.
    expect((await reserve(t, t.token('rate-bob'), await createVariant(t, 10))).status).toBe(201);
    expect((await t.request('GET', '/v1/reservations', { token: shopper })).status).toBe(200);
  });

  it('limits every route per client IP, but never health or metrics', async () => {
    const t = await start({ GLOBAL_RATE_LIMIT: '5' });
    const token = t.token('ip-carol');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1)
      statuses.push((await t.request('GET', '/v1/reservations', { token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Unauthenticated floods are counted too (the limit runs before the token check).
    expect((await t.request('GET', '/v1/reservations')).status).toBe(429);
    for (let i = 0; i < 10; i += 1) {
      expect((await t.request('GET', '/health/live')).status).toBe(200);
      expect((await t.request('GET', '/metrics')).status).toBe(200);
    }
  });

  it('shares one limit between two instances on the same Redis', async () => {
    const [a, b] = [
      await start({ GLOBAL_RATE_LIMIT: '6' }),
      await start({ GLOBAL_RATE_LIMIT: '6' }),
    ];
    const token = a.token('shared-dave');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await a.request('GET', '/v1/reservations', { token })).status);
      statuses.push((await b.request('GET', '/v1/reservations', { token })).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('ignores a forged X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const strict = await start({ GLOBAL_RATE_LIMIT: '3' });
    const token = strict.token('xff-erin');
    const forged = [];
    for (let i = 0; i < 5; i += 1) {
      forged.push(
        (
          await strict.request('GET', '/v1/reservations', {
            token,
            headers: { 'x-forwarded-for': `10.0.0.${i}` },
          })
        ).status,
      );
    }
    expect(forged).toEqual([200, 200, 200, 429, 429]);
    await strict.close();
    apps.splice(apps.indexOf(strict), 1);
    await redis.flushAll();

    const proxied = await start({ GLOBAL_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    const perClient = [];
    for (let i = 0; i < 5; i += 1) {
      perClient.push(
        (
          await proxied.request('GET', '/v1/reservations', {
            token,
            headers: { 'x-forwarded-for': `10.0.0.${i}` },
          })
        ).status,
      );
    }
    expect(perClient).toEqual([200, 200, 200, 200, 200]);
  });

  for (const batching of ['true', 'false']) {
    it(`counts concurrent attempts exactly (RATE_LIMIT_BATCHING=${batching})`, async () => {
      const t = await start({ RESERVE_RATE_LIMIT: '5', RATE_LIMIT_BATCHING: batching });
      const variantId = await createVariant(t, 0);
      const shopper = t.token(`burst-${batching}`);
      // 30 attempts at once: with batching most share one script call, with the same keys
      // repeated in it; each is still counted once, in order.
      const responses = await Promise.all(
        Array.from({ length: 30 }, () => reserve(t, shopper, variantId)),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 409)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(25);
      const remaining = responses
        .filter((response) => response.status === 409)
        .map((response) => response.headers.get('ratelimit-remaining'))
        .sort();
      expect(remaining).toEqual(['0', '1', '2', '3', '4']);
    });
  }

  it('verifies the token once and counts every limit of a request in one script call, on the full path and the fast path', async () => {
    const t = await start({ RESERVE_RATE_LIMIT: '5' });
    const inStock = await createVariant(t, 10);
    const soldOut = await createVariant(t, 0);
    const shopper = t.token('once-hana');
    // Teach the sold-out gate that the second variant has nothing left.
    expect((await reserve(t, t.token('once-ivan'), soldOut)).body.code).toBe('OUT_OF_STOCK');

    const storage = t.app.get<RateLimitStorage>(getStorageToken());
    // The script command the storage defines on the shared client (rate-limit.storage.ts).
    const redisClient = t.app.get(RedisConnections).commands as unknown as {
      stockholdRateLimit: () => Promise<number[]>;
    };
    const verifies = vi.spyOn(t.app.get(TokenVerifier), 'principalFromHeader');
    const counts = vi.spyOn(storage, 'incrementAll');
    const scripts = vi.spyOn(redisClient, 'stockholdRateLimit');
    try {
      for (const variantId of [inStock, soldOut]) {
        verifies.mockClear();
        counts.mockClear();
        scripts.mockClear();
        const response = await reserve(t, shopper, variantId);
        expect(response.status).toBe(variantId === inStock ? 201 : 409);
        expect(verifies).toHaveBeenCalledTimes(1);
        expect(counts).toHaveBeenCalledTimes(1);
        expect(counts.mock.calls[0][0].map((check) => check.key)).toEqual([
          'global:127.0.0.1',
          'reserve:once-hana',
        ]);
        expect(scripts).toHaveBeenCalledTimes(1);
      }
      // Both requests were counted once each against the shopper's 5.
      expect((await reserve(t, shopper, soldOut)).headers.get('ratelimit-remaining')).toBe('2');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("serves @nestjs/throttler's ThrottlerStorage#increment on its own, from the same Redis counters", async () => {
    const t = await start({});
    const storage = t.app.get<RateLimitStorage>(getStorageToken());
    const commands = t.app.get(RedisConnections).commands;
    const first = await storage.increment('standalone', 60_000, 2, 30_000, 'custom');
    expect(first).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    await storage.increment('standalone', 60_000, 2, 30_000, 'custom');
    expect(await storage.increment('standalone', 60_000, 2, 30_000, 'custom')).toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    expect(await commands.pttl('rl:standalone:block')).toBeGreaterThan(29_000);

    // blockDuration 0 (no block): refused until the window ends, and no block key is written.
    await storage.increment('no-block', 10_000, 1, 0, 'custom');
    expect(await storage.increment('no-block', 10_000, 1, 0, 'custom')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    expect(await commands.exists('rl:no-block:block')).toBe(0);
  });

  it('keeps answering and limiting with Redis killed mid-run, and recovers when it returns', async () => {
    const t = await start({ GLOBAL_RATE_LIMIT: '1000', RESERVE_RATE_LIMIT: '3' });
    const variantIds = await Promise.all(Array.from({ length: 6 }, () => createVariant(t, 100)));
    expect((await t.request('GET', '/health/ready')).body.checks.redis).toMatchObject({ ok: true });

    await redis.kill();
    const shopper = t.token('outage-frank');
    const statuses: number[] = [];
    for (const variantId of variantIds)
      statuses.push((await reserve(t, shopper, variantId)).status);
    expect(statuses.some((s) => s >= 500)).toBe(false);
    // The per-process limiter takes over: 3 allowed, the rest refused.
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.redis).toMatchObject({ ok: false, degraded: true });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/stockhold_rate_limit_redis_fallbacks_total [1-9]/);

    await redis.restart();
    await expect
      .poll(async () => (await t.request('GET', '/health/ready')).body.checks.redis.ok, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
    // Shared limits again: a fresh shopper gets exactly the Redis-counted budget.
    const grace = t.token('outage-gina');
    const after: number[] = [];
    for (const variantId of variantIds.slice(0, 4))
      after.push((await reserve(t, grace, variantId)).status);
    expect(after).toEqual([201, 201, 201, 429]);
  });
});
