import { ManualClock } from '../../src/common/clock';
import { DomainError } from '../../src/common/errors/domain-errors';
import type { Store } from '../../src/store/store';
import type { Outcome, ReservationSystem, Status } from './reservation-model';

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
  initialStock: number,
  runTag: string,
): Promise<ReservationSystem> {
  const clock = new ManualClock(new Date());
  const { variant } = await store.createVariant(
    { sku: `PROP-${runTag}`, title: 'property', price: 100, stock: initialStock, attributes: {} },
    clock.now(),
  );
  const variantId = variant.id;
  const user = (userId: string) => `${runTag}-${userId}`;
  return {
    kind: 'store',
    reserve: (userId, quantity, idempotencyKey) =>
      attempt(async () => {
        const now = clock.now();
        const { reservation } = await store.reserve({
          userId: user(userId),
          variantId,
          quantity,
          idempotencyKey,
          requestHash: idempotencyKey ? `${variantId}:${quantity}` : undefined,
          expiresAt: new Date(now.getTime() + TTL_MS),
          maxActiveReservations: 5,
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
    adjust: (delta, expectedVersion) =>
      attempt(async () => {
        await store.adjustStock({ variantId, delta, expectedVersion, now: clock.now() });
        return { id: variantId };
      }),
    figures: async () => {
      const inventory = await store.getInventory(variantId);
      if (!inventory) throw new Error(`inventory of ${variantId} is gone`);
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
