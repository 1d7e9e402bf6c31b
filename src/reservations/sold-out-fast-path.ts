import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { AccessGuard } from '../access/access.guard';
import { HttpRouteContext } from '../access/http-route-context';
import type { AuthenticatedRequest } from '../common/auth/auth.decorators';
import { OutOfStockError } from '../common/errors/domain-errors';
import { toErrorBody } from '../common/errors/to-error-body';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { ReservationsController } from './reservations.controller';
import { SoldOutGate } from './sold-out-gate';
import { SOLD_OUT_FAST_PATH } from './sold-out-fast-path.route';

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

/**
 * The sold-out fast path: when 10,000 shoppers hit a variant that has just sold out, every one of
 * them gets 409 OUT_OF_STOCK from a Fastify preHandler hook, before Nest's guard, pipe and
 * exception layers run. Measured in docs/benchmarks.md, that pipeline cost more than the answer.
 *
 * It answers only what the full path would answer the same way:
 *   - the request is admitted first, by the global AccessGuard under the reserve route's own
 *     decorators (the same token check and the same throttlers, counted in the same storage call);
 *   - the body must be exactly what ReserveDto accepts, with a quantity within
 *     MAX_QUANTITY_PER_RESERVATION; anything else goes on to Nest for its validation error;
 *   - a request with an Idempotency-Key goes on, since a replay of a hold made before the
 *     sell-out must still return that hold;
 *   - the sold-out gate must block the variant (the same in-process gate the service consults).
 * Everything else continues to the controller, already admitted (the guard does not check twice).
 * SOLD_OUT_FAST_PATH=false leaves every request to the full path (the benchmark's A/B switch).
 */
export function installSoldOutFastPath(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  if (!config.soldOutFastPath) return;
  const guard = app.get(AccessGuard);
  // The route the flag is set on: the hook below refuses to sit in front of a second one.
  const controller = ReservationsController;
  // The method itself: its decorators and the guard's per-route cache are keyed by it.
  const handler = ReservationsController.prototype.reserve;
  const gate = app.get(SoldOutGate);
  const metrics = app.get(MetricsService);
  const maxQuantity = config.maxQuantityPerReservation;

  const answerIfSoldOut = async (request: AuthenticatedRequest, reply: FastifyReply) => {
    const startedAt = performance.now();
    // Marks the request admitted, so Nest's run of the same guard does not count it again.
    await guard.canActivate(new HttpRouteContext(request, reply, controller, handler));
    if (request.headers['idempotency-key'] !== undefined) return;
    const reserve = asPlainReserve(request.body, maxQuantity);
    if (!reserve || !gate.blocks(reserve.variantId, reserve.quantity)) return;
    metrics.recordReservation('OUT_OF_STOCK', startedAt);
    const { body, headers } = toErrorBody(new OutOfStockError(reserve.variantId), request.id);
    return reply.code(body.statusCode).headers(headers).send(body);
  };

  // Nest registers its routes when the app initialises, after this hook is in place.
  let installedOn: string | undefined;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route: RouteOptions) => {
      if (!(route.config as Record<string, unknown> | undefined)?.[SOLD_OUT_FAST_PATH]) return;
      const here = `${String(route.method)} ${route.url}`;
      if (installedOn) {
        throw new Error(
          `${SOLD_OUT_FAST_PATH} is set on ${installedOn} and ${here}; it admits requests as ` +
            'ReservationsController#reserve, so only that route may set it',
        );
      }
      installedOn = here;
      const existing = route.preHandler ?? [];
      route.preHandler = [
        ...(Array.isArray(existing) ? existing : [existing]),
        answerIfSoldOut as preHandlerAsyncHookHandler,
      ];
    });
}

interface Reserve {
  variantId: string;
  quantity: number;
}

/** A body ReserveDto would accept as it is, with the variant id lower-cased; else undefined. */
function asPlainReserve(body: unknown, maxQuantity: number): Reserve | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  let keys = 0;
  for (const key in body) {
    if (key !== 'variantId' && key !== 'quantity') return undefined;
    keys += 1;
  }
  if (keys !== 2) return undefined;
  const { variantId, quantity } = body as Reserve;
  if (typeof variantId !== 'string' || !OBJECT_ID.test(variantId)) return undefined;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity) return undefined;
  return { variantId: variantId.toLowerCase(), quantity };
}
