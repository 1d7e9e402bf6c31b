import { ManualClock } from '../../src/common/clock';
import { ReservationsService } from '../../src/reservations/reservations.service';
import { createVariant, type TestApp, type TestResponse } from '../helpers/test-app';
import type { Outcome, ReservationSystem, Status } from './reservation-model';

function outcomeOf(response: TestResponse, id: () => string): Outcome {
  if (response.status >= 500) {
    throw new Error(`server error ${response.status}: ${JSON.stringify(response.body)}`);
  }
  if (response.status < 300) {
    return response.headers.get('idempotent-replayed') === 'true'
      ? { ok: true, id: id(), replayed: true }
      : { ok: true, id: id() };
  }
  if (typeof response.body?.code !== 'string') {
    throw new Error(`error without a code: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { ok: false, code: response.body.code };
}

/** The commands through the HTTP app (an app started with a manual clock), on a fresh variant. */
export async function httpSystem(
  t: TestApp,
  initialStocks: number[],
  runTag: string,
): Promise<ReservationSystem> {
  const variantIds: string[] = [];
  for (const stock of initialStocks) variantIds.push(await createVariant(t, stock));
  const admin = t.token('property-admin', { admin: true });
  const tokens = new Map<string, string>();
  const token = (userId: string) => {
    if (!tokens.has(userId)) tokens.set(userId, t.token(`${runTag}-${userId}`));
    return tokens.get(userId)!;
  };
  const clock = t.clock as ManualClock;
  // What the expiry sweeper does each tick (the test app runs no workers): expire every due hold.
  const reservations = t.app.get(ReservationsService);
  return {
    kind: 'http',
    reserve: async (userId, variant, quantity, idempotencyKey) => {
      const response = await t.request('POST', '/v1/reservations', {
        token: token(userId),
        body: { variantId: variantIds[variant], quantity },
        headers: idempotencyKey ? { 'idempotency-key': `${runTag}-${idempotencyKey}` } : {},
      });
      return outcomeOf(response, () => response.body.id);
    },
    commit: async (userId, reservationId) => {
      const response = await t.request('POST', `/v1/reservations/${reservationId}/commit`, {
        token: token(userId),
      });
      return outcomeOf(response, () => response.body.id);
    },
    release: async (userId, reservationId) => {
      const response = await t.request('DELETE', `/v1/reservations/${reservationId}`, {
        token: token(userId),
      });
      return outcomeOf(response, () => response.body.id);
    },
    expireAll: async () => {
      clock.advance(t.config.reservationTtlSeconds * 1000 + 1000);
      for (const due of await t.store.findDueReservations(clock.now(), 1000)) {
        await reservations.expire(due.id);
      }
    },
    adjust: async (variant, delta, expectedVersion) => {
      const variantId = variantIds[variant];
      const response = await t.request('PATCH', `/v1/admin/variants/${variantId}/stock`, {
        token: admin,
        body: expectedVersion === undefined ? { delta } : { delta, expectedVersion },
      });
      return outcomeOf(response, () => variantId);
    },
    figures: async (variant) => {
      const response = await t.request('GET', `/v1/inventory/${variantIds[variant]}`, {
        token: admin,
      });
      const { totalStock, reservedStock, availableStock, version } = response.body;
      return { totalStock, reservedStock, availableStock, version };
    },
    reservations: async () => {
      const found = new Map<string, { status: Status; quantity: number }>();
      for (const userId of tokens.keys()) {
        const response = await t.request('GET', '/v1/reservations?limit=100', {
          token: token(userId),
        });
        for (const item of response.body.items) {
          found.set(item.id, { status: item.status, quantity: item.quantity });
        }
      }
      return found;
    },
  };
}
