import type { Reflector } from '@nestjs/core';
import type {
  Resolvable,
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
  ThrottlerOptions,
} from '@nestjs/throttler';
// Not re-exported by the package index; the version is pinned exactly, so a move fails the build.
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import { ADMIN_ROUTE, PUBLIC_ROUTE } from '../common/auth/auth.decorators';
import type { StockholdThrottler } from '../rate-limit/throttlers';

/** A throttler's numbers for one request: hits per window, window ms, block ms. */
export interface ThrottlerValues {
  limit: number;
  ttl: number;
  blockDuration: number;
}

/** One throttler as it applies to one route: module options with the route's @Throttle() on top. */
export interface RouteThrottler {
  name: string;
  /** The three numbers, when none is a function of the request (so they are read once per route). */
  values?: ThrottlerValues;
  limit: Resolvable<number>;
  ttl: Resolvable<number>;
  blockDuration: Resolvable<number>;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
  skipIf?: ThrottlerOptions['skipIf'];
}

/** What a route asks of its callers, read once per route from its decorators. */
export interface AccessPolicy {
  /** `public`: no token; `shopper`: any valid token; `admin`: a valid token with the admin role. */
  auth: 'public' | 'shopper' | 'admin';
  /** The throttlers the route counts against, in ThrottlerGuard's order. */
  throttlers: RouteThrottler[];
}

/** The guard-wide defaults ThrottlerGuard#onModuleInit fills in (its `commonOptions`). */
export interface ThrottlerDefaults {
  getTracker?: ThrottlerGetTrackerFunction;
  generateKey?: ThrottlerGenerateKeyFunction;
  skipIf?: ThrottlerOptions['skipIf'];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

/**
 * Reads a route's policy from @Public() / @AdminOnly() and @nestjs/throttler's decorators, with the
 * library's precedence (ThrottlerGuard#canActivate in @nestjs/throttler 6.7: handler over class,
 * route override over the throttler's option over the guard default; `blockDuration` defaults to
 * `ttl`). A throttler marked `optIn` counts only where @Throttle() names it: @Throttle() defines
 * its metadata keys for every throttler it names, even with an empty override, so
 * `Reflect.hasMetadata` tells whether a route named it.
 */
export function policyOf(
  reflector: Reflector,
  throttlers: readonly ThrottlerOptions[],
  defaults: ThrottlerDefaults,
  handler: Target,
  controller: Target,
): AccessPolicy {
  const targets = [handler, controller];
  const read = <T>(key: string, name: string) =>
    reflector.getAllAndOverride<T | undefined>(key + name, targets);
  const flag = (key: string) => reflector.getAllAndOverride<boolean>(key, targets) === true;
  const applying: RouteThrottler[] = [];
  for (const throttler of throttlers as readonly StockholdThrottler[]) {
    const name = throttler.name;
    if (read<boolean>(THROTTLER_SKIP, name) === true) continue;
    const named = targets.some((target) => Reflect.hasMetadata(THROTTLER_LIMIT + name, target));
    if (throttler.optIn && !named) continue;
    const ttl = read<Resolvable<number>>(THROTTLER_TTL, name) ?? throttler.ttl;
    const getTracker =
      read<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, name) ??
      throttler.getTracker ??
      defaults.getTracker;
    const generateKey =
      read<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, name) ??
      throttler.generateKey ??
      defaults.generateKey;
    if (!getTracker || !generateKey) {
      throw new Error(`Throttler "${name}" has no getTracker or generateKey`);
    }
    const limit = read<Resolvable<number>>(THROTTLER_LIMIT, name) ?? throttler.limit;
    const blockDuration =
      read<Resolvable<number>>(THROTTLER_BLOCK_DURATION, name) ?? throttler.blockDuration ?? ttl;
    applying.push({
      name,
      values:
        typeof limit === 'number' && typeof ttl === 'number' && typeof blockDuration === 'number'
          ? { limit, ttl, blockDuration }
          : undefined,
      limit,
      ttl,
      blockDuration,
      getTracker,
      generateKey,
      skipIf: throttler.skipIf ?? defaults.skipIf,
    });
  }
  return {
    auth: flag(PUBLIC_ROUTE) ? 'public' : flag(ADMIN_ROUTE) ? 'admin' : 'shopper',
    throttlers: applying,
  };
}
