import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyWaitingError,
  OutOfStockError,
  StockAvailableError,
} from '../../src/common/errors/domain-errors';
import type { Store } from '../../src/store/store';
import type { Reservation } from '../../src/store/store.types';
import { shuffled, type WaitlistNotice } from '../../src/store/waitlist.types';
import type { StoreFixture } from './store.contract';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL_MS = 600_000;
const WAIT_MS = 3_600_000;
const OFFER_MS = 60_000;
const MAX = 5;

const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;

/** A small deterministic generator: the lottery is repeatable with its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * The waitlist (architecture §14) on every store: the line's order, the opening lottery, offers
 * made in the step that frees units, skips at a cap, and invariant I8.
 */
export function describeWaitlistContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Waitlist contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let notices: WaitlistNotice[];

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      store.configureWaitlist({
        offerTtlMs: OFFER_MS,
        maxActiveReservations: MAX,
        random: seeded(17),
      });
      notices = [];
      store.onWaitlistNotices((batch) => notices.push(...batch));
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const user = (label: string): string => unique(label);
    const newVariant = async (stock: number, saleStartsAt?: Date): Promise<string> =>
      (
        await store.createVariant(
          { sku: unique('SKU'), title: 'Tee', price: 1999, stock, saleStartsAt },
          T0,
        )
      ).variant.id;
    const hold = async (userId: string, variantId: string, quantity = 1): Promise<Reservation> =>
      (
        await store.reserve({
          userId,
          variantId,
          quantity,
          expiresAt: at(TTL_MS),
          maxActiveReservations: MAX,
          now: T0,
        })
      ).reservation;
    const join = (userId: string, variantId: string, quantity = 1, now = T0) =>
      store.joinWaitlist({ userId, variantId, quantity, now, expiresAt: at(WAIT_MS) });
    const release = (reservation: Reservation, now = T0) =>
      store.releaseReservation({
        reservationId: reservation.id,
        userId: reservation.userId,
        reason: 'released',
        now,
      });
    const entry = async (userId: string, variantId: string, now = T0) =>
      (await store.getWaitlistEntry(userId, variantId, now))!;
    const available = async (variantId: string) =>
      (await store.getInventory(variantId))!.availableStock;
    const expectReconciled = async () => {
      const report = await store.reconcile(MAX);
      expect(report.violations).toEqual([]);
    };

    it('admits only what cannot be served now, once per shopper, and tells each their place', async () => {
      const variantId = await newVariant(1);
      await expect(join(user('early'), variantId)).rejects.toBeInstanceOf(StockAvailableError);
      await hold(user('holder'), variantId);
      const [ann, ben, cat] = [user('ann'), user('ben'), user('cat')];
      expect((await join(ann, variantId)).position).toBe(1);
      expect((await join(ben, variantId)).position).toBe(2);
      const third = await join(cat, variantId);
      expect(third).toMatchObject({ status: 'waiting', quantity: 1, position: 3 });
      expect(third.expiresAt).toEqual(at(WAIT_MS));
      await expect(join(ben, variantId)).rejects.toBeInstanceOf(AlreadyWaitingError);

      expect(await store.leaveWaitlist(ann, variantId)).toBe(true);
      expect(await store.leaveWaitlist(ann, variantId)).toBe(false);
      expect(await store.getWaitlistEntry(ann, variantId, T0)).toBeNull();
      expect((await entry(ben, variantId)).position).toBe(1);
      expect((await entry(cat, variantId)).position).toBe(2);
      await expectReconciled();
    });

    it('hands freed units to waiters in join order, as offers, in the step that frees them', async () => {
      const variantId = await newVariant(2);
      const holds = [await hold(user('h'), variantId), await hold(user('h'), variantId)];
      const waiters = [user('w'), user('w'), user('w')];
      for (const waiter of waiters) await join(waiter, variantId);

      const change = await release(holds[0], at(1000));
      expect(change.inventory!.availableStock).toBe(0);
      const first = await entry(waiters[0], variantId, at(1000));
      expect(first).toMatchObject({ status: 'offered', position: null });
      const offer = (await store.findReservation(first.reservationId!))!;
      expect(offer).toMatchObject({
        userId: waiters[0],
        variantId,
        quantity: 1,
        status: 'active',
        source: 'waitlist',
      });
      expect(offer.expiresAt).toEqual(at(1000 + OFFER_MS));
      expect((await entry(waiters[1], variantId, at(1000))).position).toBe(1);
      expect(notices).toContainEqual({
        type: 'offer',
        userId: waiters[0],
        variantId,
        entryId: first.id,
        reservationId: offer.id,
        quantity: 1,
        expiresAt: at(1000 + OFFER_MS),
      });

      // A newcomer finds nothing: the unit went to the line, not to whoever asks first.
      await expect(hold(user('newcomer'), variantId)).rejects.toBeInstanceOf(OutOfStockError);
      await store.releaseReservation({
        reservationId: holds[1].id,
        reason: 'expired',
        now: at(TTL_MS),
      });
      expect((await entry(waiters[1], variantId, at(TTL_MS))).status).toBe('offered');
      expect((await entry(waiters[2], variantId, at(TTL_MS))).position).toBe(1);

      // The offer's movement is a hold made by the waitlist (I7 stays whole).
      const movements = await store.listMovements({ variantId, afterSeq: 0, limit: 100 });
      expect(movements.map((m) => [m.type, m.actor])).toContainEqual(['reserved', 'waitlist']);
      await expectReconciled();
    });

    it('gives units to the first waiter they fit; what fits no one stays available (I8)', async () => {
      const variantId = await newVariant(2);
      const [h1, h2] = [await hold(user('h'), variantId), await hold(user('h'), variantId)];
      const [big, small] = [user('big'), user('small')];
      await join(big, variantId, 2);
      await join(small, variantId, 1);

      await release(h1);
      expect((await entry(big, variantId)).status).toBe('waiting');
      expect((await entry(small, variantId)).status).toBe('offered');
      await release(h2);
      // One unit, and the only waiter wants two: it stays available, below the smallest wish.
      expect(await available(variantId)).toBe(1);
      expect((await entry(big, variantId)).position).toBe(1);
      await expectReconciled();

      await store.adjustStock({ variantId, delta: 1, now: T0 });
      expect((await entry(big, variantId)).status).toBe('offered');
      expect(await available(variantId)).toBe(0);
      await expectReconciled();
    });

    it('shuffles the entries made before saleStartsAt once, at the opening (seeded)', async () => {
      const opening = at(60_000);
      const variantId = await newVariant(0, opening);
      const early = Array.from({ length: 6 }, () => user('early'));
      for (const shopper of early) {
        const made = await join(shopper, variantId);
        expect(made).toMatchObject({ order: null, position: null });
      }
      const ids = await Promise.all(
        early.map(async (shopper) => (await entry(shopper, variantId)).id),
      );

      // The first join after the opening draws the lottery, then takes the next place.
      const late = user('late');
      expect((await join(late, variantId, 1, at(61_000))).position).toBe(7);
      const drawn = shuffled(
        [...ids].sort().map((id) => early[ids.indexOf(id)]),
        seeded(17),
      );
      expect(drawn).not.toEqual(early);
      for (const [i, shopper] of drawn.entries()) {
        expect((await entry(shopper, variantId, at(61_000))).position).toBe(i + 1);
      }

      // Drawn once: a restock serves the drawn order, then the late joiner.
      await store.adjustStock({ variantId, delta: 3, now: at(62_000) });
      const statuses = await Promise.all(
        [...drawn, late].map(
          async (shopper) => (await entry(shopper, variantId, at(62_000))).status,
        ),
      );
      expect(statuses).toEqual([
        'offered',
        'offered',
        'offered',
        'waiting',
        'waiting',
        'waiting',
        'waiting',
      ]);
      await expectReconciled();
    });

    it('skips a waiter at a cap or over a purchase limit, and says why', async () => {
      const variantId = await newVariant(2);
      const busy = user('busy');
      for (let i = 0; i < MAX; i++) await hold(busy, await newVariant(1));
      const buyer = user('buyer');
      const bought = await hold(buyer, variantId);
      await store.commitReservation({ reservationId: bought.id, userId: buyer, now: T0 });
      const holder = await hold(user('holder'), variantId);
      const patient = user('patient');
      await join(busy, variantId);
      await join(buyer, variantId);
      await join(patient, variantId);
      await store.setPurchaseLimit(variantId, 1, T0);

      await release(holder);
      expect(await entry(busy, variantId)).toMatchObject({
        status: 'skipped',
        skipReason: 'MAX_RESERVATIONS_EXCEEDED',
      });
      expect(await entry(buyer, variantId)).toMatchObject({
        status: 'skipped',
        skipReason: 'PURCHASE_LIMIT_EXCEEDED',
      });
      expect((await entry(patient, variantId)).status).toBe('offered');
      expect(notices.filter((n) => n.type === 'skipped').map((n) => n.userId)).toEqual([
        busy,
        buyer,
      ]);
      await expectReconciled();
    });

    it('passes an offer that expires or is released on to the next waiter', async () => {
      const variantId = await newVariant(1);
      const holder = await hold(user('holder'), variantId);
      const [first, second, third] = [user('w'), user('w'), user('w')];
      for (const waiter of [first, second, third]) await join(waiter, variantId);

      await release(holder);
      const offer = (await entry(first, variantId)).reservationId!;
      const expiry = at(OFFER_MS);
      const expired = await store.releaseReservation({
        reservationId: offer,
        reason: 'expired',
        now: expiry,
      });
      expect(expired.reservation.status).toBe('expired');
      const next = await entry(second, variantId, expiry);
      expect(next.status).toBe('offered');
      await store.releaseReservation({
        reservationId: next.reservationId!,
        userId: second,
        reason: 'released',
        now: expiry,
      });
      expect((await entry(third, variantId, expiry)).status).toBe('offered');
      expect(await available(variantId)).toBe(0);
      await expectReconciled();
    });

    it('expires entries after their time: the sweep reports them, hand-over passes them by', async () => {
      const variantId = await newVariant(1);
      const holder = await hold(user('holder'), variantId);
      const stale = user('stale');
      await join(stale, variantId);
      const fresh = user('fresh');
      await store.joinWaitlist({
        userId: fresh,
        variantId,
        quantity: 1,
        now: T0,
        expiresAt: at(WAIT_MS * 2),
      });
      const later = at(WAIT_MS);
      expect((await entry(stale, variantId, later)).status).toBe('expired');
      await release(holder, later);
      expect((await entry(fresh, variantId, later)).status).toBe('offered');
      expect(notices).toContainEqual({
        type: 'expired',
        userId: stale,
        variantId,
        entryId: (await entry(stale, variantId, later)).id,
      });

      const other = await newVariant(0);
      const sleeper = user('sleeper');
      await join(sleeper, other);
      expect(await store.expireWaitlistEntries(at(WAIT_MS - 1), 10)).toEqual([]);
      const swept = await store.expireWaitlistEntries(later, 10);
      expect(swept.map((e) => [e.userId, e.status])).toEqual([[sleeper, 'expired']]);
      // An expired entry is no obstacle to joining again.
      const again = await store.joinWaitlist({
        userId: sleeper,
        variantId: other,
        quantity: 1,
        now: later,
        expiresAt: at(WAIT_MS * 2),
      });
      expect(again).toMatchObject({ status: 'waiting', position: 1 });
      await expectReconciled();
    });

    it('keeps I7 and I8 under 200 concurrent releases and joins', async () => {
      const variantId = await newVariant(100);
      const holds: Reservation[] = [];
      for (let i = 0; i < 100; i++) holds.push(await hold(user('holder'), variantId));
      const waiters = Array.from({ length: 100 }, () => user('waiter'));
      const settled = await Promise.allSettled(
        waiters.flatMap((waiter, i) => [
          release(holds[i], at(1)),
          join(waiter, variantId, 1, at(1)),
        ]),
      );
      for (const outcome of settled) {
        if (outcome.status === 'rejected') {
          expect(['STOCK_AVAILABLE', 'SERVICE_UNAVAILABLE']).toContain(
            (outcome.reason as { code?: string }).code,
          );
        }
      }
      await expectReconciled();
      const entries = (
        await Promise.all(waiters.map((waiter) => store.getWaitlistEntry(waiter, variantId, at(1))))
      ).filter((e) => e !== null);
      const offered = entries.filter((e) => e.status === 'offered');
      const waiting = entries.filter((e) => e.status === 'waiting');
      if (waiting.length > 0) expect(await available(variantId)).toBe(0);
      // Every unit went to the line in its order: no waiting entry is ahead of an offered one.
      const lastOffered = Math.max(...offered.map((e) => e.order!));
      for (const e of waiting) expect(e.order!).toBeGreaterThan(lastOffered);
      const inventory = (await store.getInventory(variantId))!;
      expect(inventory.reservedStock).toBe(
        offered.length + settled.filter((o, i) => i % 2 === 0 && o.status === 'rejected').length,
      );
    });
  });
}
