import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { TokenVerifier } from '../common/auth/token-verifier';
import { ForbiddenError } from '../common/errors/domain-errors';
import { type LimitHit, RateLimits } from '../rate-limit/rate-limits';
import type { AccessPolicy } from './access-policy';

/**
 * Admits a request under its route's policy: the token is verified once, then every limit the
 * request counts against is counted in one Redis round trip. The order of refusals:
 *   1. over the per-IP limit → 429, whatever the token (floods are refused as floods);
 *   2. no valid token → 401;
 *   3. over the per-shopper limit → 429;
 *   4. an admin route without the admin role → 403.
 * A request with a bad token counts against its IP's limit but not against any shopper's. Both
 * limits are counted in the same call, so a request the per-IP limit refuses still uses one of
 * its shopper's reservation attempts (a shopper behind a flooding IP is refused either way).
 */
@Injectable()
export class AccessControl {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly limits: RateLimits,
  ) {}

  async admit(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    policy: AccessPolicy,
  ): Promise<void> {
    let principal: Principal | undefined;
    let authError: unknown;
    if (policy.auth !== 'public') {
      try {
        principal = this.verifier.principalFromHeader(request.headers.authorization);
      } catch (error) {
        authError = error;
      }
    }
    const hits: LimitHit[] = [];
    if (policy.globalLimit) hits.push({ limiter: 'global', tracker: request.ip });
    if (policy.reserveLimit && principal)
      hits.push({ limiter: 'reserve', tracker: principal.userId });
    // Throws for the per-IP limit before the per-shopper one; a bad token adds no shopper hit.
    await this.limits.enforce(hits, reply);
    if (authError) throw authError;
    if (policy.auth === 'admin' && !principal!.isAdmin) {
      throw new ForbiddenError('This route needs the admin role');
    }
    request.principal = principal;
    request.admitted = true;
  }
}
