import { ManualClock } from '../../src/common/clock';
import { DomainError } from '../../src/common/errors/domain-errors';
import type { Store } from '../../src/store/store';
import { MAX_ACTIVE, type Outcome, type ReservationSystem, type Status } from './reservation-model';

const TTL_MS = 600_000;

async function attempt(action: () => Promise<{ id: string }>): Promise<Outcome> {
  try {
    return { ok: true, id: (await action()).id };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code };
    throw error;
  }
}

/** The commands against the Store port directly, with a manual clock (memory store or MongoDB). */
export async function storeSystem(
  store: Store,
  initialStocks: number[],
  runTag: string,
): Promise<ReservationSystem> {
  const clock = new ManualClock(new Date());
  const variantIds: string[] = [];
  for (const [index, stock] of initialStocks.entries()) {
    const { variant } = await store.createVariant(
      { sku: `PROP-${runTag}-${index}`, title: 'property', price: 100, stock, attributes: {} },
      clock.now(),
    );
    variantIds.push(variant.id);
  }
  const user = (userId: string) => `${runTag}-${userId}`;
  return {
    kind: 'store',
    reserve: (userId, variant, quantity, idempotencyKey) =>
      attempt(async () => {
        const now = clock.now();
        const variantId = variantIds[variant];
        const { reservation } = await store.reserve({
          userId: user(userId),
          variantId,
          quantity,
          idempotencyKey,
          requestHash: idempotencyKey ? `${variantId}:${quantity}` : undefined,
          expiresAt: new Date(now.getTime() + TTL_MS),
          maxActiveReservations: MAX_ACTIVE,
          now,
        });
        return reservation;
      }),
    commit: (userId, reservationId) =>
      attempt(async () => {
        const change = await store.commitReservation({
          reservationId,
          userId: user(userId),
          now: clock.now(),
        });
        return change.reservation;
      }),
    release: (userId, reservationId) =>
      attempt(async () => {
        const change = await store.releaseReservation({
          reservationId,
          userId: user(userId),
          reason: 'released',
          now: clock.now(),
        });
        return change.reservation;
      }),
    expireAll: async () => {
      clock.advance(TTL_MS + 1000);
      const due = await store.findDueReservations(clock.now(), 1000);
      for (const reservation of due) {
        await store.releaseReservation({
          reservationId: reservation.id,
          reason: 'expired',
          now: clock.now(),
        });
      }
    },
    adjust: (variant, delta, expectedVersion) =>
      attempt(async () => {
        const variantId = variantIds[variant];
        await store.adjustStock({ variantId, delta, expectedVersion, now: clock.now() });
        return { id: variantId };
      }),
    figures: async (variant) => {
      const inventory = await store.getInventory(variantIds[variant]);
      if (!inventory) throw new Error(`inventory of variant ${variant} is gone`);
      const { totalStock, reservedStock, availableStock, version } = inventory;
      return { totalStock, reservedStock, availableStock, version };
    },
    reservations: async (ids) => {
      const found = new Map<string, { status: Status; quantity: number }>();
      for (const id of ids) {
        const reservation = await store.findReservation(id);
        if (reservation) {
          found.set(id, { status: reservation.status, quantity: reservation.quantity });
        }
      }
      return found;
    },
  };
}
