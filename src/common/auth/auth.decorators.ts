import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

export const PUBLIC_ROUTE = 'stockhold:public';
export const ADMIN_ROUTE = 'stockhold:admin';

/** No token needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only tokens whose `roles` contain `admin`. */
export const AdminOnly = () => SetMetadata(ADMIN_ROUTE, true);

export type AuthenticatedRequest = FastifyRequest & {
  principal?: Principal;
  /** Set once the request passed its route's access checks (src/access). */
  admitted?: boolean;
};

/** The request's id (X-Request-Id, or the one generated for it), as logged and sent back. */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return String(context.switchToHttp().getRequest<FastifyRequest>().id);
});

/** The verified caller, set by AccessControl. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal as Principal;
});
