import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

export const PUBLIC_ROUTE = 'stockhold:public';
export const ADMIN_ROUTE = 'stockhold:admin';

/** No token needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only tokens whose `roles` contain `admin`. */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The verified caller, set by AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal as Principal;
});
