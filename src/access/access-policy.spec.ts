import { Reflector } from '@nestjs/core';
import { SkipThrottle, Throttle, type ThrottlerOptions } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import { AdminOnly, Public } from '../common/auth/auth.decorators';
import { clientIp, type StockholdThrottler, verifiedShopper } from '../rate-limit/throttlers';
import { policyOf } from './access-policy';

const throttlers: StockholdThrottler[] = [
  { name: 'global', limit: 100, ttl: 60_000, getTracker: clientIp },
  { name: 'reserve', limit: 10, ttl: 30_000, getTracker: verifiedShopper, optIn: true },
];
const defaults = { getTracker: () => 'default-tracker', generateKey: () => 'default-key' };

@Public()
@SkipThrottle({ global: true })
class ProbesController {
  live() {}
  @SkipThrottle({ global: false })
  counted() {}
}

class ShopController {
  read() {}
  @Throttle({ reserve: {} })
  reserve() {}
  @Throttle({ reserve: { limit: 3 }, global: { ttl: () => 5_000 } })
  tight() {}
  @AdminOnly()
  admin() {}
}

function policy(controller: new () => object, method: string) {
  const handler = (controller.prototype as Record<string, () => void>)[method];
  return policyOf(new Reflector(), throttlers as ThrottlerOptions[], defaults, handler, controller);
}

const summary = (controller: new () => object, method: string) =>
  policy(controller, method).throttlers.map((throttler) => [throttler.name, throttler.values]);

describe('policyOf (a route’s auth and throttlers, read once from its decorators)', () => {
  it('counts every route against `global`, and `reserve` only where @Throttle() names it', () => {
    expect(summary(ShopController, 'read')).toEqual([
      ['global', { limit: 100, ttl: 60_000, blockDuration: 60_000 }],
    ]);
    expect(summary(ShopController, 'reserve')).toEqual([
      ['global', { limit: 100, ttl: 60_000, blockDuration: 60_000 }],
      ['reserve', { limit: 10, ttl: 30_000, blockDuration: 30_000 }],
    ]);
  });

  it('honours @SkipThrottle() on the class, overridden by the handler', () => {
    expect(summary(ProbesController, 'live')).toEqual([]);
    expect(summary(ProbesController, 'counted').map(([name]) => name)).toEqual(['global']);
  });

  it('takes @Throttle() overrides over the module’s values, and leaves functions for each request', () => {
    const tight = policy(ShopController, 'tight').throttlers;
    expect(tight.map((throttler) => throttler.name)).toEqual(['global', 'reserve']);
    expect(tight[0].values).toBeUndefined();
    expect(typeof tight[0].ttl).toBe('function');
    expect(tight[1].values).toEqual({ limit: 3, ttl: 30_000, blockDuration: 30_000 });
  });

  it('uses each throttler’s own tracker, and reads the auth mode', () => {
    const reserve = policy(ShopController, 'reserve');
    expect(reserve.auth).toBe('shopper');
    expect(reserve.throttlers.map((throttler) => throttler.getTracker)).toEqual([
      clientIp,
      verifiedShopper,
    ]);
    expect(reserve.throttlers[0].generateKey).toBe(defaults.generateKey);
    expect(policy(ProbesController, 'live').auth).toBe('public');
    expect(policy(ShopController, 'admin').auth).toBe('admin');
  });
});
