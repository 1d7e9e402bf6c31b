import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators';
import { AccessControl } from './access-control';
import { type AccessPolicy, policyOf } from './access-policy';

/**
 * The one global guard: rate limits and authentication for every route (AccessControl), under the
 * policy its decorators declare. Every route needs a valid bearer token unless marked @Public().
 * Policies are read once per route, not per request.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private readonly policies = new WeakMap<Function, AccessPolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessControl,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    // Already admitted by a hook that answers before Nest (the sold-out fast path).
    if (request.admitted) return true;
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      policy = policyOf(this.reflector, handler, context.getClass());
      this.policies.set(handler, policy);
    }
    await this.access.admit(request, http.getResponse<FastifyReply>(), policy);
    return true;
  }
}
