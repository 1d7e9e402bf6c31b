import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  type Resolvable,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { TokenVerifier } from '../common/auth/token-verifier';
import { ForbiddenError, RateLimitExceededError } from '../common/errors/domain-errors';
import { type LimitCheck, RateLimits } from '../rate-limit/rate-limits';
import { verifiedShopper } from '../rate-limit/throttlers';
import {
  type AccessPolicy,
  policyOf,
  type RouteThrottler,
  type ThrottlerValues,
} from './access-policy';

/**
 * The one global guard: @nestjs/throttler's ThrottlerGuard, extended to authenticate too, so the
 * token is verified once and every limit of a request is counted in one Redis script call.
 * Every route needs a valid bearer token unless marked @Public(). The order of refusals:
 *   1. over the per-IP limit → 429, whatever the token (floods are refused as floods);
 *   2. no valid token → 401;
 *   3. over the per-shopper limit → 429;
 *   4. an admin route without the admin role → 403.
 * A request with a bad token counts against its IP's limit but not against any shopper's (its
 * shopper tracker is empty). Both limits are counted in the same call, so a request the per-IP
 * limit refuses still uses one of its shopper's reservation attempts.
 *
 * What it keeps of ThrottlerGuard (@nestjs/throttler 6.7, dist/throttler.guard.js): the module
 * options and storage it is constructed with, onModuleInit (named, ordered throttlers and the
 * guard-wide getTracker/generateKey defaults), the decorators and their precedence (access-policy.ts),
 * getTracker / generateKey / throwThrottlingException as the points to override. What it replaces:
 * canActivate, which there reads six metadata keys per throttler per request and calls
 * `storage.increment` (one Redis round trip) per throttler. Here a route's policy is read once and
 * cached, and RateLimits counts all of its throttlers in one storage call. handleRequest and
 * shouldSkip are not called; ignoreUserAgents, setHeaders and errorMessage are refused at boot, since
 * the headers and the 429 body are this service's own (RateLimits, the one error shape).
 */
@Injectable()
export class AccessGuard extends ThrottlerGuard {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private readonly policies = new WeakMap<Function, AccessPolicy>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly limits: RateLimits,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    const unsupported = ['ignoreUserAgents', 'setHeaders', 'errorMessage'] as const;
    for (const source of [this.options, ...this.throttlers] as Array<Record<string, unknown>>) {
      for (const option of unsupported) {
        if (source[option] !== undefined) {
          throw new Error(`AccessGuard does not support the throttler option "${option}"`);
        }
      }
    }
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    // Already admitted by a hook that answers before Nest (the sold-out fast path).
    if (request.admitted) return true;
    const policy = this.policyFor(context);
    let principal: Principal | undefined;
    let authError: unknown;
    if (policy.auth !== 'public') {
      try {
        principal = this.verifier.principalFromHeader(request.headers.authorization);
      } catch (error) {
        authError = error;
      }
    }
    // Before the trackers run: the shopper tracker reads it.
    request.principal = principal;
    const checks: LimitCheck[] = [];
    // Inline, with an await only where a value is not at hand (the hot path awaits storage alone).
    for (const throttler of policy.throttlers) {
      if (throttler.skipIf?.(context)) continue;
      const tracked = throttler.getTracker(request, context);
      const tracker = typeof tracked === 'string' ? tracked : await tracked;
      // No one to count it for, e.g. a shopper limit on a request without a verified shopper.
      if (!tracker) continue;
      const values = throttler.values ?? (await resolveValues(throttler, context));
      checks.push({
        throttler: throttler.name,
        tracker,
        key: throttler.generateKey(context, tracker, throttler.name),
        ...values,
      });
    }
    const refusal = await this.limits.count(checks, http.getResponse<FastifyReply>());
    if (refusal) await this.throwThrottlingException(context, refusal);
    if (authError) throw authError;
    if (policy.auth === 'admin' && !principal!.isAdmin) {
      throw new ForbiddenError('This route needs the admin role');
    }
    request.admitted = true;
    return true;
  }

  /** The verified shopper (see verifiedShopper): the default for throttlers with no tracker of their own. */
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return verifiedShopper(request);
  }

  /**
   * `<throttler>:<tracker>`, not the library's per-route hash: a caller's limit covers every route
   * it applies to, and the Redis keys stay those of earlier releases (`rl:global:<ip>:hits`).
   */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return `${throttlerName}:${tracker}`;
  }

  /** 429 RATE_LIMIT_EXCEEDED in the one error shape, with Retry-After (never below 1 s). */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitExceededError(Math.max(1, detail.timeToBlockExpire));
  }

  private policyFor(context: ExecutionContext): AccessPolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      policy = policyOf(
        this.reflector,
        this.throttlers,
        this.commonOptions,
        handler,
        context.getClass(),
      );
      this.policies.set(handler, policy);
    }
    return policy;
  }
}

/** Limits given as functions of the request's context (@Throttle() allows them), resolved per request. */
async function resolveValues(
  throttler: RouteThrottler,
  context: ExecutionContext,
): Promise<ThrottlerValues> {
  const valueOf = async (value: Resolvable<number>) =>
    typeof value === 'function' ? value(context) : value;
  return {
    limit: await valueOf(throttler.limit),
    ttl: await valueOf(throttler.ttl),
    blockDuration: await valueOf(throttler.blockDuration),
  };
}
