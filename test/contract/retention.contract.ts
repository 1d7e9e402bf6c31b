import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store';
import type { Reservation } from '../../src/store/store.types';
import type { StoreFixture } from './store.contract';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const DAY_MS = 86_400_000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const MAX = 5;
const RETENTION_DAYS = 30;

const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;

/**
 * Retention of ended reservations, on a store that applies it itself (purgeEndedReservations; in
 * MongoDB the TTL index `ended_retention` applies the same rule): released and expired holds older
 * than the retention are gone and their Idempotency-Keys reusable; committed ones stay, so
 * purchase limits (I6) still count them and reconcile still agrees.
 */
export function describeRetentionContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Retention contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let purge: (endedBefore: Date) => Promise<number>;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      if (!store.purgeEndedReservations) throw new Error(`${name} has no purgeEndedReservations`);
      purge = store.purgeEndedReservations.bind(store);
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const newVariantId = async (purchaseLimit?: number): Promise<string> => {
      const { variant } = await store.createVariant(
        { sku: unique('SKU'), title: 'Tee', price: 1999, stock: 10 },
        T0,
      );
      if (purchaseLimit !== undefined) await store.setPurchaseLimit(variant.id, purchaseLimit, T0);
      return variant.id;
    };
    const hold = async (
      userId: string,
      variantId: string,
      idempotencyKey: string,
      now = T0,
      quantity = 1,
    ): Promise<Reservation> =>
      (
        await store.reserve({
          userId,
          variantId,
          quantity,
          expiresAt: new Date(now.getTime() + 600_000),
          maxActiveReservations: MAX,
          idempotencyKey,
          requestHash: `hash-${idempotencyKey}`,
          now,
        })
      ).reservation;
    const cutoff = (now: Date) => new Date(now.getTime() - RETENTION_DAYS * DAY_MS);

    it('deletes released and expired holds older than the retention and frees their keys', async () => {
      const userId = unique('shopper');
      const [first, second, recent] = [
        await newVariantId(),
        await newVariantId(),
        await newVariantId(),
      ];
      const released = await hold(userId, first, 'key-released');
      await store.releaseReservation({
        reservationId: released.id,
        userId,
        reason: 'released',
        now: at(1_000),
      });
      const expired = await hold(userId, second, 'key-expired');
      await store.releaseReservation({
        reservationId: expired.id,
        reason: 'expired',
        now: at(600_000),
      });
      // Ended a day before the purge: younger than the retention, kept.
      const later = at((RETENTION_DAYS + 1) * DAY_MS);
      const young = await hold(userId, recent, 'key-young', at(RETENTION_DAYS * DAY_MS));
      await store.releaseReservation({
        reservationId: young.id,
        userId,
        reason: 'released',
        now: at(RETENTION_DAYS * DAY_MS),
      });

      // Not yet: the retention counts from endedAt, to the millisecond.
      expect(await purge(cutoff(at(RETENTION_DAYS * DAY_MS + 999)))).toBe(0);
      expect(await purge(cutoff(later))).toBe(2);
      expect(await store.findReservation(released.id)).toBeNull();
      expect(await store.findReservation(expired.id)).toBeNull();
      expect(await store.findReservationByIdempotencyKey(userId, 'key-released')).toBeNull();
      expect((await store.findReservation(young.id))?.status).toBe('released');
      expect((await store.listReservations({ userId, limit: 10 })).map((r) => r.id)).toEqual([
        young.id,
      ]);

      // The key may name a new hold now; the kept one's key is still taken.
      const reused = await hold(userId, first, 'key-released', later);
      expect(reused.id).not.toBe(released.id);
      expect((await store.findReservationByIdempotencyKey(userId, 'key-released'))?.id).toBe(
        reused.id,
      );
      expect((await store.findReservationByIdempotencyKey(userId, 'key-young'))?.id).toBe(young.id);
      expect((await store.reconcile(MAX)).ok).toBe(true);
    });

    it('keeps committed holds: they count toward the purchase limit and keep their key', async () => {
      const userId = unique('shopper');
      const variantId = await newVariantId(2);
      const bought = await hold(userId, variantId, 'key-bought', T0, 2);
      await store.commitReservation({ reservationId: bought.id, userId, now: at(1_000) });

      expect(await purge(cutoff(at(10 * RETENTION_DAYS * DAY_MS)))).toBe(0);
      expect((await store.findReservation(bought.id))?.status).toBe('committed');
      expect((await store.findReservationByIdempotencyKey(userId, 'key-bought'))?.id).toBe(
        bought.id,
      );
      await expect(hold(userId, variantId, 'key-more', at(2_000))).rejects.toMatchObject({
        code: 'PURCHASE_LIMIT_EXCEEDED',
      });
      expect((await store.reconcile(MAX)).ok).toBe(true);
    });
  });
}
