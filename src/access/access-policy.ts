import type { Reflector } from '@nestjs/core';
import { ADMIN_ROUTE, PUBLIC_ROUTE } from '../common/auth/auth.decorators';
import { NOT_RATE_LIMITED, RESERVE_LIMITED } from '../rate-limit/rate-limit.decorators';

/** What a route asks of its callers, read once per route from its decorators. */
export interface AccessPolicy {
  /** `public`: no token; `shopper`: any valid token; `admin`: a valid token with the admin role. */
  auth: 'public' | 'shopper' | 'admin';
  /** Counted against the per-IP limit (every route but health and metrics). */
  globalLimit: boolean;
  /** Counted against the per-shopper reservation limit. */
  reserveLimit: boolean;
}

/** The reservation write route's policy, also applied by the sold-out fast path. */
export const RESERVE_POLICY: AccessPolicy = {
  auth: 'shopper',
  globalLimit: true,
  reserveLimit: true,
};

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

/** Reads a route's policy from @Public(), @AdminOnly(), @NoRateLimit() and @ReserveRateLimited(). */
export function policyOf(reflector: Reflector, handler: Target, controller: Target): AccessPolicy {
  const targets = [handler, controller];
  const flag = (key: string) => reflector.getAllAndOverride<boolean>(key, targets) === true;
  return {
    auth: flag(PUBLIC_ROUTE) ? 'public' : flag(ADMIN_ROUTE) ? 'admin' : 'shopper',
    globalLimit: !flag(NOT_RATE_LIMITED),
    reserveLimit: !flag(NOT_RATE_LIMITED) && flag(RESERVE_LIMITED),
  };
}
