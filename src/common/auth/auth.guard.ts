import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '../errors/domain-errors';
import { ADMIN_ROUTE, AuthenticatedRequest, PUBLIC_ROUTE } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

/** Global guard: every route needs a valid bearer token unless marked @Public(); @AdminOnly() also needs the admin role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.verifier.principalFromHeader(request.headers.authorization);
    request.principal = principal;
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, targets) && !principal.isAdmin) {
      throw new ForbiddenError('This route needs the admin role');
    }
    return true;
  }
}
