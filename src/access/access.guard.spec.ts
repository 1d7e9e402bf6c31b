import { Reflector } from '@nestjs/core';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../common/auth/token-verifier';
import type { RateLimits } from '../rate-limit/rate-limits';
import { AccessGuard } from './access.guard';

function guardWith(options: ThrottlerModuleOptions): AccessGuard {
  const unused = {} as never;
  return new AccessGuard(
    options,
    unused as ThrottlerStorage,
    new Reflector(),
    unused as TokenVerifier,
    unused as RateLimits,
  );
}

describe('AccessGuard at boot', () => {
  it('refuses throttler options whose effect it would silently drop', async () => {
    const throttlers = [{ name: 'global', limit: 1, ttl: 1_000 }];
    await expect(
      guardWith({ throttlers, ignoreUserAgents: [/bot/] }).onModuleInit(),
    ).rejects.toThrow('does not support the throttler option "ignoreUserAgents"');
    await expect(
      guardWith({ throttlers: [{ ...throttlers[0], setHeaders: false }] }).onModuleInit(),
    ).rejects.toThrow('"setHeaders"');
    await expect(guardWith({ throttlers }).onModuleInit()).resolves.toBeUndefined();
  });
});
