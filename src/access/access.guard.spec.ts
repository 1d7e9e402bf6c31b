import { Reflector } from '@nestjs/core';
import { Throttle, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import { Public } from '../common/auth/auth.decorators';
import type { TokenVerifier } from '../common/auth/token-verifier';
import { UnauthorizedError } from '../common/errors/domain-errors';
import type { LimitCheck, RateLimits } from '../rate-limit/rate-limits';
import { stockholdThrottlers } from '../rate-limit/throttlers';
import type { AppConfig } from '../config/app-config';
import { AccessGuard } from './access.guard';
import { HttpRouteContext } from './http-route-context';

const throttlers = () =>
  stockholdThrottlers({
    globalRateLimit: 100,
    globalRateWindowSeconds: 60,
    reserveRateLimit: 10,
    reserveRateWindowSeconds: 60,
  } as AppConfig);

/** A guard whose token check and limits are stand-ins that record what they were asked. */
function guardWith(options: ThrottlerModuleOptions, refuse: string[] = []) {
  const counted: LimitCheck[][] = [];
  const verifier = {
    principalFromHeader: (header?: string) => {
      if (header !== 'Bearer good') throw new UnauthorizedError('bad token');
      return { userId: 'alice', isAdmin: false };
    },
  } as TokenVerifier;
  const limits = {
    count: async (checks: LimitCheck[]) => {
      counted.push(checks);
      const refused = checks.find((check) => refuse.includes(check.throttler));
      return (
        refused && {
          ...refused,
          totalHits: 0,
          timeToExpire: 1,
          isBlocked: true,
          timeToBlockExpire: 9,
        }
      );
    },
  } as unknown as RateLimits;
  const guard = new AccessGuard(options, {} as ThrottlerStorage, new Reflector(), verifier, limits);
  return { guard, counted };
}

class ShopController {
  @Throttle({ reserve: {} })
  reserve() {}
  @Public()
  @Throttle({ global: { limit: () => 7 } })
  open() {}
}

const request = (authorization?: string) => ({ headers: { authorization }, ip: '10.0.0.1' });
const admit = (guard: AccessGuard, method: 'reserve' | 'open', req: object) =>
  guard.canActivate(
    new HttpRouteContext(
      req,
      { header: () => undefined },
      ShopController,
      ShopController.prototype[method],
    ),
  );

describe('AccessGuard', () => {
  it('refuses throttler options whose effect it would silently drop', async () => {
    const base = throttlers();
    await expect(
      guardWith({ throttlers: base, ignoreUserAgents: [/bot/] }).guard.onModuleInit(),
    ).rejects.toThrow('does not support the throttler option "ignoreUserAgents"');
    await expect(
      guardWith({ throttlers: [{ ...base[0], setHeaders: false }] }).guard.onModuleInit(),
    ).rejects.toThrow('"setHeaders"');
  });

  it('counts the IP and the verified shopper in one call, keyed `<throttler>:<tracker>`', async () => {
    const { guard, counted } = guardWith({ throttlers: throttlers() });
    await guard.onModuleInit();
    const req = request('Bearer good');
    await expect(admit(guard, 'reserve', req)).resolves.toBe(true);
    expect(counted).toEqual([
      [
        {
          throttler: 'global',
          tracker: '10.0.0.1',
          key: 'global:10.0.0.1',
          limit: 100,
          ttl: 60_000,
          blockDuration: 60_000,
        },
        {
          throttler: 'reserve',
          tracker: 'alice',
          key: 'reserve:alice',
          limit: 10,
          ttl: 60_000,
          blockDuration: 60_000,
        },
      ],
    ]);
    // Admitted once: a second run (Nest's, after the fast path's) counts nothing more.
    await admit(guard, 'reserve', req);
    expect(counted).toHaveLength(1);
  });

  it('with a bad token counts the IP only, and answers 401 unless the IP is over its limit (429 first)', async () => {
    const open = guardWith({ throttlers: throttlers() });
    await open.guard.onModuleInit();
    await expect(admit(open.guard, 'reserve', request('Bearer forged'))).rejects.toThrow(
      'bad token',
    );
    expect(open.counted[0].map((check) => check.throttler)).toEqual(['global']);

    const flooded = guardWith({ throttlers: throttlers() }, ['global']);
    await flooded.guard.onModuleInit();
    await expect(admit(flooded.guard, 'reserve', request('Bearer forged'))).rejects.toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      headers: { 'Retry-After': '9' },
    });
  });

  it('resolves a limit given as a function of the context on each request', async () => {
    const { guard, counted } = guardWith({ throttlers: throttlers() });
    await guard.onModuleInit();
    await admit(guard, 'open', request());
    expect(counted[0]).toMatchObject([{ throttler: 'global', limit: 7, ttl: 60_000 }]);
  });
});
