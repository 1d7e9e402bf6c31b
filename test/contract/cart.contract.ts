import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CartGroupNotFoundError,
  CartRefusedError,
  DomainError,
  DuplicateReservationError,
  HoldLifetimeExceededError,
  MaxReservationsExceededError,
  PurchaseLimitExceededError,
  ReservationExpiredError,
  ReservationNotActiveError,
  ReservationNotFoundError,
  VariantNotFoundError,
} from '../../src/common/errors/domain-errors';
import { newObjectId } from '../../src/store/object-id';
import type { CartLine, CartPolicy, ReserveCartCommand } from '../../src/store/cart.types';
import type { Store } from '../../src/store/store';
import type { Inventory, NewVariant, Reservation } from '../../src/store/store.types';
import type { StoreFixture } from './store.contract';

const T0 = new Date('2031-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL_MS = 600_000;
const LIFETIME_MS = 1_800_000;
const MAX_EXTENSIONS = 2;
const MAX = 5;

const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;
const newUser = (): string => unique('cart-user');

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * The store contract for cart holds, group commit/release/read, hold extension and purchase
 * limits (invariant I6). Run against every store that is available, like store.contract.ts.
 */
export function describeCartContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Store contract, carts and limits: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const newVariantId = async (stock: number, extra: Partial<NewVariant> = {}) =>
      (
        await store.createVariant(
          { sku: unique('CART'), title: 'Cart tee', price: 999, stock, ...extra },
          T0,
        )
      ).variant.id;

    const cart = (
      userId: string,
      lines: CartLine[],
      policy: CartPolicy = 'all_or_nothing',
      options: Partial<ReserveCartCommand> = {},
    ) =>
      store.reserveCart({
        userId,
        lines,
        policy,
        expiresAt: at(TTL_MS),
        maxActiveReservations: MAX,
        now: T0,
        ...options,
      });

    const reserve = (userId: string, variantId: string, quantity = 1, now = T0) =>
      store.reserve({
        userId,
        variantId,
        quantity,
        expiresAt: new Date(now.getTime() + TTL_MS),
        maxActiveReservations: MAX,
        now,
      });

    const extend = (r: Reservation, now: Date, userId = r.userId) =>
      store.extendReservation({
        reservationId: r.id,
        userId,
        now,
        ttlMs: TTL_MS,
        maxLifetimeMs: LIFETIME_MS,
        maxExtensions: MAX_EXTENSIONS,
      });

    async function inventoryOf(variantId: string): Promise<Inventory> {
      const inventory = await store.getInventory(variantId);
      if (!inventory) throw new Error(`no inventory for ${variantId}`);
      return inventory;
    }

    async function expectNoTrace(userId: string, variantIds: string[], before: Inventory[]) {
      expect(await Promise.all(variantIds.map(inventoryOf))).toEqual(before);
      expect(await store.listReservations({ userId, limit: 10 })).toEqual([]);
      // Nothing counted against the shopper's hold cap either: a full cart still fits.
      const fresh = await Promise.all(Array.from({ length: MAX }, () => newVariantId(1)));
      await cart(
        userId,
        fresh.map((variantId) => ({ variantId, quantity: 1 })),
      );
      expect((await store.reconcile(MAX)).ok).toBe(true);
    }

    describe('cart holds', () => {
      it('all_or_nothing holds every line as an ordinary reservation carrying the groupId', async () => {
        const [a, b] = await Promise.all([newVariantId(5), newVariantId(5)]);
        const userId = newUser();
        const result = await cart(userId, [
          { variantId: b, quantity: 2 },
          { variantId: a, quantity: 1 },
        ]);
        const { groupId } = result.group;
        expect(result.group).toMatchObject({ userId, policy: 'all_or_nothing' });
        expect(result.group.lines.map((l) => [l.variantId, l.quantity, l.status])).toEqual([
          [b, 2, 'held'],
          [a, 1, 'held'],
        ]);
        expect(result.reservations).toHaveLength(2);
        for (const [i, r] of result.reservations.entries()) {
          expect(r).toMatchObject({ userId, status: 'active', groupId, extensions: 0 });
          expect(result.group.lines[i].reservationId).toBe(r.id);
          expect(await store.findReservation(r.id)).toEqual(r);
        }
        expect(await inventoryOf(b)).toMatchObject({ availableStock: 3, reservedStock: 2 });
        expect(await inventoryOf(a)).toMatchObject({ availableStock: 4, reservedStock: 1 });
        const view = await store.findCartGroup(groupId);
        expect(view?.group).toEqual(result.group);
        expect(view?.reservations).toEqual(result.reservations);
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });
      });

      it('sums two lines of one variant first: 2 + 2 with 3 left is refused as 4, never two holds of 2', async () => {
        const variantId = await newVariantId(3);
        const userId = newUser();
        const before = [await inventoryOf(variantId)];
        for (const policy of ['all_or_nothing', 'best_effort'] as const) {
          const error = await rejectionOf(
            cart(
              userId,
              [
                { variantId, quantity: 2 },
                { variantId, quantity: 2 },
              ],
              policy,
            ),
          );
          expect(error).toBeInstanceOf(CartRefusedError);
          expect((error as CartRefusedError).details).toEqual([
            { variantId, quantity: 4, status: 'refused', code: 'OUT_OF_STOCK' },
          ]);
        }
        await expectNoTrace(userId, [variantId], before);
      });

      it('summed lines that fit are held as one reservation', async () => {
        const variantId = await newVariantId(5);
        const result = await cart(newUser(), [
          { variantId, quantity: 2 },
          { variantId, quantity: 2 },
        ]);
        expect(result.reservations.map((r) => r.quantity)).toEqual([4]);
        expect(await inventoryOf(variantId)).toMatchObject({ availableStock: 1 });
      });

      it('all_or_nothing leaves no trace when one line is short, and says why per line', async () => {
        const [a, b, c] = await Promise.all([newVariantId(5), newVariantId(1), newVariantId(5)]);
        const userId = newUser();
        const before = await Promise.all([a, b, c].map(inventoryOf));
        const error = await rejectionOf(
          cart(userId, [
            { variantId: a, quantity: 2 },
            { variantId: b, quantity: 2 },
            { variantId: c, quantity: 1 },
          ]),
        );
        expect(error).toBeInstanceOf(CartRefusedError);
        expect((error as DomainError).code).toBe('OUT_OF_STOCK');
        expect((error as CartRefusedError).details.map((l) => [l.variantId, l.code])).toEqual([
          [a, 'NOT_ATTEMPTED'],
          [b, 'OUT_OF_STOCK'],
          [c, 'NOT_ATTEMPTED'],
        ]);
        await expectNoTrace(userId, [a, b, c], before);
      });

      it('best_effort holds exactly the lines with stock and refuses the others with OUT_OF_STOCK', async () => {
        const [a, b, c] = await Promise.all([newVariantId(5), newVariantId(1), newVariantId(0)]);
        const userId = newUser();
        const result = await cart(
          userId,
          [
            { variantId: a, quantity: 2 },
            { variantId: b, quantity: 2 },
            { variantId: c, quantity: 1 },
          ],
          'best_effort',
        );
        expect(result.group.lines.map((l) => [l.variantId, l.status, l.code])).toEqual([
          [a, 'held', undefined],
          [b, 'refused', 'OUT_OF_STOCK'],
          [c, 'refused', 'OUT_OF_STOCK'],
        ]);
        expect(result.reservations.map((r) => r.variantId)).toEqual([a]);
        expect(result.inventories.map((i) => i.availableStock)).toEqual([3]);
        expect(await inventoryOf(b)).toMatchObject({ availableStock: 1, reservedStock: 0 });
        expect(await store.listReservations({ userId, limit: 10 })).toHaveLength(1);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('best_effort with no line in stock holds nothing: OUT_OF_STOCK with every line', async () => {
        const [a, b] = await Promise.all([newVariantId(0), newVariantId(1)]);
        const userId = newUser();
        const before = await Promise.all([a, b].map(inventoryOf));
        const error = await rejectionOf(
          cart(
            userId,
            [
              { variantId: a, quantity: 1 },
              { variantId: b, quantity: 3 },
            ],
            'best_effort',
          ),
        );
        expect(error).toBeInstanceOf(CartRefusedError);
        expect((error as CartRefusedError).details.map((l) => l.code)).toEqual([
          'OUT_OF_STOCK',
          'OUT_OF_STOCK',
        ]);
        await expectNoTrace(userId, [a, b], before);
      });

      it('a duplicate or cap violation on any line refuses the whole cart under either policy', async () => {
        const variants = await Promise.all(Array.from({ length: 6 }, () => newVariantId(5)));
        const userId = newUser();
        await reserve(userId, variants[0]);
        for (const policy of ['all_or_nothing', 'best_effort'] as const) {
          const duplicate = await rejectionOf(
            cart(
              userId,
              [
                { variantId: variants[1], quantity: 1 },
                { variantId: variants[0], quantity: 1 },
              ],
              policy,
            ),
          );
          expect(duplicate).toBeInstanceOf(DuplicateReservationError);
          // 1 held + 5 lines > 5, even though one line has no stock to hold.
          const empty = await newVariantId(0);
          const cap = await rejectionOf(
            cart(
              userId,
              [...variants.slice(1, 5), empty].map((variantId) => ({ variantId, quantity: 1 })),
              policy,
            ),
          );
          expect(cap).toBeInstanceOf(MaxReservationsExceededError);
        }
        expect(await store.listReservations({ userId, limit: 10 })).toHaveLength(1);
        expect((await inventoryOf(variants[1])).reservedStock).toBe(0);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('an unknown variant on any line refuses the cart with VARIANT_NOT_FOUND', async () => {
        const variantId = await newVariantId(5);
        const userId = newUser();
        const error = await rejectionOf(
          cart(
            userId,
            [
              { variantId, quantity: 1 },
              { variantId: newObjectId(T0), quantity: 1 },
            ],
            'best_effort',
          ),
        );
        expect(error).toBeInstanceOf(VariantNotFoundError);
        expect((await inventoryOf(variantId)).reservedStock).toBe(0);
      });

      it('an idempotency key finds its group; using it again is refused for the caller to replay', async () => {
        const variantId = await newVariantId(5);
        const userId = newUser();
        const key = unique('key');
        const result = await cart(userId, [{ variantId, quantity: 1 }], 'best_effort', {
          idempotencyKey: key,
          requestHash: 'h1',
        });
        const found = await store.findCartGroupByIdempotencyKey(userId, key);
        expect(found?.group).toMatchObject({
          groupId: result.group.groupId,
          idempotencyKey: key,
          requestHash: 'h1',
        });
        expect(await store.findCartGroupByIdempotencyKey(newUser(), key)).toBeNull();
        const other = await newVariantId(5);
        const again = await rejectionOf(
          cart(userId, [{ variantId: other, quantity: 1 }], 'best_effort', {
            idempotencyKey: key,
          }),
        );
        expect(again).toBeInstanceOf(DuplicateReservationError);
        expect((await inventoryOf(other)).reservedStock).toBe(0);
      });
    });

    describe('group commit, release and read', () => {
      async function heldCart(userId = newUser()) {
        const variants = await Promise.all([newVariantId(5), newVariantId(5), newVariantId(5)]);
        const result = await cart(
          userId,
          variants.map((variantId) => ({ variantId, quantity: 2 })),
        );
        return { userId, variants, result, groupId: result.group.groupId };
      }

      it('commits every active line: reserved and total go down, the lines are committed', async () => {
        const { userId, variants, groupId } = await heldCart();
        const change = await store.commitGroup({ groupId, userId, now: at(1000) });
        expect(change.changed).toBe(true);
        expect(change.reservations.map((r) => r.status)).toEqual([
          'committed',
          'committed',
          'committed',
        ]);
        for (const variantId of variants) {
          expect(await inventoryOf(variantId)).toMatchObject({
            totalStock: 3,
            reservedStock: 0,
            availableStock: 3,
          });
        }
        const again = await store.commitGroup({ groupId, userId, now: at(2000) });
        expect(again.changed).toBe(false);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('a group commit with one expired line changes nothing: RESERVATION_EXPIRED', async () => {
        const { userId, variants, result, groupId } = await heldCart();
        // One line was extended, so only the other two are due at TTL.
        await extend(result.reservations[0], at(60_000));
        await store.releaseReservation({
          reservationId: result.reservations[1].id,
          reason: 'expired',
          now: at(TTL_MS),
        });
        const before = await Promise.all(variants.map(inventoryOf));
        const error = await rejectionOf(store.commitGroup({ groupId, userId, now: at(TTL_MS) }));
        expect(error).toBeInstanceOf(ReservationExpiredError);
        expect(await Promise.all(variants.map(inventoryOf))).toEqual(before);
        const view = await store.findCartGroup(groupId);
        expect(view?.reservations.map((r) => r.status)).toEqual(['active', 'expired', 'active']);
      });

      it('a line active past its expiresAt also refuses the commit, before the sweeper runs', async () => {
        const { userId, variants, groupId } = await heldCart();
        const before = await Promise.all(variants.map(inventoryOf));
        const error = await rejectionOf(store.commitGroup({ groupId, userId, now: at(TTL_MS) }));
        expect(error).toBeInstanceOf(ReservationExpiredError);
        expect(await Promise.all(variants.map(inventoryOf))).toEqual(before);
      });

      it('skips a line released on its own, and commits the rest', async () => {
        const { userId, result, groupId } = await heldCart();
        await store.releaseReservation({
          reservationId: result.reservations[2].id,
          userId,
          reason: 'released',
          now: at(500),
        });
        const change = await store.commitGroup({ groupId, userId, now: at(1000) });
        expect(change.reservations.map((r) => r.status)).toEqual([
          'committed',
          'committed',
          'released',
        ]);
      });

      it('releases every active line; a repeat changes nothing; a released group cannot be committed', async () => {
        const { userId, variants, groupId } = await heldCart();
        const change = await store.releaseGroup({ groupId, userId, now: at(1000) });
        expect(change.changed).toBe(true);
        expect(change.reservations.every((r) => r.status === 'released')).toBe(true);
        for (const variantId of variants) {
          expect(await inventoryOf(variantId)).toMatchObject({
            availableStock: 5,
            reservedStock: 0,
          });
        }
        expect((await store.releaseGroup({ groupId, userId, now: at(2000) })).changed).toBe(false);
        const error = await rejectionOf(store.commitGroup({ groupId, userId, now: at(3000) }));
        expect(error).toBeInstanceOf(ReservationNotActiveError);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('another shopper cannot see, commit, release or extend a group: RESERVATION_NOT_FOUND', async () => {
        const { groupId } = await heldCart();
        const stranger = newUser();
        for (const attempt of [
          store.commitGroup({ groupId, userId: stranger, now: at(1) }),
          store.releaseGroup({ groupId, userId: stranger, now: at(1) }),
          store.extendGroup({
            groupId,
            userId: stranger,
            now: at(1),
            ttlMs: TTL_MS,
            maxLifetimeMs: LIFETIME_MS,
            maxExtensions: MAX_EXTENSIONS,
          }),
          store.commitGroup({ groupId: newObjectId(T0), userId: stranger, now: at(1) }),
        ]) {
          const error = await rejectionOf(attempt);
          expect(error).toBeInstanceOf(CartGroupNotFoundError);
          expect((error as DomainError).code).toBe('RESERVATION_NOT_FOUND');
        }
        expect(await store.findCartGroup(newObjectId(T0))).toBeNull();
      });

      it('extends every active line of a group at once, all or none', async () => {
        const { userId, result, groupId } = await heldCart();
        const extendGroup = (now: Date) =>
          store.extendGroup({
            groupId,
            userId,
            now,
            ttlMs: TTL_MS,
            maxLifetimeMs: LIFETIME_MS,
            maxExtensions: MAX_EXTENSIONS,
          });
        const view = await extendGroup(at(100_000));
        expect(view.reservations.map((r) => [r.extensions, r.expiresAt.getTime()])).toEqual(
          result.reservations.map(() => [1, at(100_000 + TTL_MS).getTime()]),
        );
        // One line used its last extension alone: the group extension is refused for every line.
        await extend(view.reservations[0], at(200_000));
        const error = await rejectionOf(extendGroup(at(300_000)));
        expect(error).toBeInstanceOf(HoldLifetimeExceededError);
        const after = await store.findCartGroup(groupId);
        expect(after?.reservations.map((r) => r.extensions)).toEqual([2, 1, 1]);
      });
    });

    describe('extension', () => {
      it('moves expiresAt to now + TTL and counts the extension', async () => {
        const variantId = await newVariantId(5);
        const { reservation } = await reserve(newUser(), variantId);
        const extended = await extend(reservation, at(120_000));
        expect(extended).toMatchObject({ status: 'active', extensions: 1 });
        expect(extended.expiresAt).toEqual(at(120_000 + TTL_MS));
        expect(await store.findReservation(reservation.id)).toEqual(extended);
      });

      it('never past createdAt + the lifetime cap, and no extension once the cap leaves no time', async () => {
        const variantId = await newVariantId(5);
        const { reservation } = await reserve(newUser(), variantId);
        const extendCapped = (now: Date) =>
          store.extendReservation({
            reservationId: reservation.id,
            userId: reservation.userId,
            now,
            ttlMs: TTL_MS,
            maxLifetimeMs: 1_000_000,
            maxExtensions: MAX_EXTENSIONS,
          });
        // now + TTL would be 1 100 000 ms; the lifetime cap stops it at 1 000 000.
        const capped = await extendCapped(at(500_000));
        expect(capped.expiresAt).toEqual(at(1_000_000));
        expect(capped.extensions).toBe(1);
        const error = await rejectionOf(extendCapped(at(900_000)));
        expect(error).toBeInstanceOf(HoldLifetimeExceededError);
        expect(await store.findReservation(reservation.id)).toEqual(capped);
      });

      it('refuses a third extension with HOLD_LIFETIME_EXCEEDED and leaves the hold as it was', async () => {
        const variantId = await newVariantId(5);
        const { reservation } = await reserve(newUser(), variantId);
        await extend(reservation, at(1000));
        const second = await extend(reservation, at(2000));
        const error = await rejectionOf(extend(reservation, at(3000)));
        expect(error).toBeInstanceOf(HoldLifetimeExceededError);
        expect((error as DomainError).code).toBe('HOLD_LIFETIME_EXCEEDED');
        expect(await store.findReservation(reservation.id)).toEqual(second);
      });

      it('refuses when the lifetime cap leaves no later expiry', async () => {
        const variantId = await newVariantId(5);
        const { reservation } = await reserve(newUser(), variantId);
        // A TTL as long as the lifetime: the first hold already ends at the cap.
        const error = await rejectionOf(
          store.extendReservation({
            reservationId: reservation.id,
            userId: reservation.userId,
            now: at(1000),
            ttlMs: TTL_MS,
            maxLifetimeMs: TTL_MS,
            maxExtensions: MAX_EXTENSIONS,
          }),
        );
        expect(error).toBeInstanceOf(HoldLifetimeExceededError);
      });

      it('expired, committed, released and foreign holds are refused like commit refuses them', async () => {
        const variantId = await newVariantId(10);
        const due = (await reserve(newUser(), variantId)).reservation;
        expect(await rejectionOf(extend(due, at(TTL_MS)))).toBeInstanceOf(ReservationExpiredError);
        await store.releaseReservation({
          reservationId: due.id,
          reason: 'expired',
          now: at(TTL_MS),
        });
        expect(await rejectionOf(extend(due, at(TTL_MS)))).toBeInstanceOf(ReservationExpiredError);

        const committed = (await reserve(newUser(), variantId)).reservation;
        await store.commitReservation({
          reservationId: committed.id,
          userId: committed.userId,
          now: at(1),
        });
        expect(await rejectionOf(extend(committed, at(2)))).toBeInstanceOf(
          ReservationNotActiveError,
        );
        const released = (await reserve(newUser(), variantId)).reservation;
        await store.releaseReservation({
          reservationId: released.id,
          userId: released.userId,
          reason: 'released',
          now: at(1),
        });
        expect(await rejectionOf(extend(released, at(2)))).toBeInstanceOf(
          ReservationNotActiveError,
        );
        const mine = (await reserve(newUser(), variantId)).reservation;
        expect(await rejectionOf(extend(mine, at(2), newUser()))).toBeInstanceOf(
          ReservationNotFoundError,
        );
      });

      it('50 concurrent extends of one hold bump extensions by at most MAX_HOLD_EXTENSIONS', async () => {
        const variantId = await newVariantId(5);
        const { reservation } = await reserve(newUser(), variantId);
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => extend(reservation, at(1000 + i))),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        expect(ok).toBeGreaterThanOrEqual(1);
        expect(ok).toBeLessThanOrEqual(MAX_EXTENSIONS);
        for (const r of results) {
          if (r.status === 'rejected') {
            // A loser is either over the count or, on a store that re-reads, found it changed.
            expect(r.reason).toBeInstanceOf(DomainError);
            expect(['HOLD_LIFETIME_EXCEEDED', 'SERVICE_UNAVAILABLE']).toContain(
              (r.reason as DomainError).code,
            );
          }
        }
        const final = await store.findReservation(reservation.id);
        expect(final?.extensions).toBe(ok);
        expect(final?.extensions).toBeLessThanOrEqual(MAX_EXTENSIONS);
      });

      it('an extension racing the expiry sweeper either lands first or loses cleanly', async () => {
        const variantId = await newVariantId(40);
        const holds = await Promise.all(
          Array.from({ length: 20 }, async () => (await reserve(newUser(), variantId)).reservation),
        );
        // The extension's clock is just before expiry, the sweeper's just after.
        const outcomes = await Promise.all(
          holds.map((r) =>
            Promise.allSettled([
              extend(r, at(TTL_MS - 1)),
              store.releaseReservation({ reservationId: r.id, reason: 'expired', now: at(TTL_MS) }),
            ]),
          ),
        );
        for (const [i, [extended, expired]] of outcomes.entries()) {
          const final = await store.findReservation(holds[i].id);
          expect(expired.status).toBe('fulfilled');
          if (extended.status === 'fulfilled') {
            expect(final).toMatchObject({ status: 'active', extensions: 1 });
            expect(final?.expiresAt).toEqual(at(2 * TTL_MS - 1));
          } else {
            expect(extended.reason).toBeInstanceOf(ReservationExpiredError);
            expect(final).toMatchObject({ status: 'expired', extensions: 0 });
          }
        }
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });
    });

    describe('purchase limits (I6)', () => {
      it('is stored with the variant, and can be changed and removed', async () => {
        const variantId = await newVariantId(5, { purchaseLimit: 2 });
        expect((await store.getVariant(variantId))?.purchaseLimit).toBe(2);
        expect((await store.setPurchaseLimit(variantId, 4, at(1))).purchaseLimit).toBe(4);
        const removed = await store.setPurchaseLimit(variantId, null, at(2));
        expect(removed.purchaseLimit).toBeUndefined();
        expect(removed.updatedAt).toEqual(at(2));
        expect(await rejectionOf(store.setPurchaseLimit(newObjectId(T0), 1, at(3)))).toBeInstanceOf(
          VariantNotFoundError,
        );
      });

      it('refuses a hold past the limit with the units left in the message', async () => {
        const variantId = await newVariantId(20, { purchaseLimit: 3 });
        const userId = newUser();
        const error = await rejectionOf(reserve(userId, variantId, 4));
        expect(error).toBeInstanceOf(PurchaseLimitExceededError);
        expect((error as DomainError).code).toBe('PURCHASE_LIMIT_EXCEEDED');
        expect((error as DomainError).message).toContain('3 more');
        expect((await inventoryOf(variantId)).reservedStock).toBe(0);
        await reserve(userId, variantId, 3);
        // Another shopper has an allowance of their own.
        await reserve(newUser(), variantId, 3);
      });

      it('survives commit (bought units count) and is given back on release and expiry', async () => {
        const variantId = await newVariantId(20, { purchaseLimit: 3 });
        const userId = newUser();
        const first = (await reserve(userId, variantId, 2)).reservation;
        await store.commitReservation({ reservationId: first.id, userId, now: at(1) });
        const error = await rejectionOf(reserve(userId, variantId, 2, at(2)));
        expect(error).toBeInstanceOf(PurchaseLimitExceededError);
        expect((error as DomainError).message).toContain('1 more');

        const second = (await reserve(userId, variantId, 1, at(3))).reservation;
        await store.releaseReservation({
          reservationId: second.id,
          userId,
          reason: 'released',
          now: at(4),
        });
        const third = (await reserve(userId, variantId, 1, at(5))).reservation;
        await store.releaseReservation({
          reservationId: third.id,
          reason: 'expired',
          now: at(5 + TTL_MS),
        });
        await reserve(userId, variantId, 1, at(6 + TTL_MS));
        expect(await rejectionOf(reserve(newUser(), variantId, 4))).toBeInstanceOf(
          PurchaseLimitExceededError,
        );
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });
      });

      it('a cart line past the limit refuses the whole cart under either policy', async () => {
        const limited = await newVariantId(20, { purchaseLimit: 2 });
        const plain = await newVariantId(20);
        const userId = newUser();
        for (const policy of ['all_or_nothing', 'best_effort'] as const) {
          const error = await rejectionOf(
            cart(
              userId,
              [
                { variantId: plain, quantity: 1 },
                { variantId: limited, quantity: 2 },
                { variantId: limited, quantity: 1 },
              ],
              policy,
            ),
          );
          expect(error).toBeInstanceOf(PurchaseLimitExceededError);
        }
        expect((await inventoryOf(plain)).reservedStock).toBe(0);
        const result = await cart(userId, [{ variantId: limited, quantity: 2 }]);
        await store.commitGroup({ groupId: result.group.groupId, userId, now: at(1) });
        expect(
          await rejectionOf(cart(userId, [{ variantId: limited, quantity: 1 }], 'best_effort')),
        ).toBeInstanceOf(PurchaseLimitExceededError);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('a limit set later counts what the shopper already holds and bought', async () => {
        const variantId = await newVariantId(20);
        const userId = newUser();
        const first = (await reserve(userId, variantId, 3)).reservation;
        await store.commitReservation({ reservationId: first.id, userId, now: at(1) });
        await store.setPurchaseLimit(variantId, 4, at(2));
        expect(await rejectionOf(reserve(userId, variantId, 2, at(3)))).toBeInstanceOf(
          PurchaseLimitExceededError,
        );
        await reserve(userId, variantId, 1, at(3));
        expect((await store.reconcile(MAX)).ok).toBe(true);
        // Lowered below what the shopper has: reconcile names the shopper under I6.
        await store.setPurchaseLimit(variantId, 2, at(4));
        const report = await store.reconcile(MAX);
        expect(report.ok).toBe(false);
        expect(report.violations).toEqual([
          expect.objectContaining({ invariant: 'I6', subject: userId }),
        ]);
        await store.setPurchaseLimit(variantId, null, at(5));
      });
    });

    describe('concurrency', () => {
      it('200 concurrent carts over 3 variants with overlapping lines oversell nothing and keep I3 and I6', async () => {
        const stock = 40;
        const variants = await Promise.all([
          newVariantId(stock, { purchaseLimit: 3 }),
          newVariantId(stock),
          newVariantId(stock, { purchaseLimit: 2 }),
        ]);
        // 60 shoppers, several carts each, so caps, duplicates and limits are all contended.
        const users = Array.from({ length: 60 }, () => newUser());
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => {
            const lines = [
              { variantId: variants[i % 3], quantity: 1 + (i % 3) },
              { variantId: variants[(i + 1) % 3], quantity: 1 + ((i >> 1) % 2) },
            ];
            if (i % 4 === 0) lines.push({ variantId: variants[i % 3], quantity: 1 });
            return cart(users[i % 60], lines, i % 2 === 0 ? 'all_or_nothing' : 'best_effort');
          }),
        );
        const allowed = new Set([
          'OUT_OF_STOCK',
          'DUPLICATE_RESERVATION',
          'MAX_RESERVATIONS_EXCEEDED',
          'PURCHASE_LIMIT_EXCEEDED',
        ]);
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(result.reason).toBeInstanceOf(DomainError);
            expect(allowed).toContain((result.reason as DomainError).code);
          }
        }
        const held = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.reservations : []));
        expect(held.length).toBeGreaterThan(0);
        for (const variantId of variants) {
          const inventory = await inventoryOf(variantId);
          const reserved = held
            .filter((r) => r.variantId === variantId)
            .reduce((sum, r) => sum + r.quantity, 0);
          expect(inventory.reservedStock).toBe(reserved);
          expect(inventory.availableStock).toBe(stock - reserved);
          expect(inventory.availableStock).toBeGreaterThanOrEqual(0);
        }
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });

        // Then commits, releases and extends of those carts racing each other.
        const groups = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.group] : []));
        await Promise.allSettled(
          groups.flatMap((group, i) => {
            const command = { groupId: group.groupId, userId: group.userId, now: at(1000) };
            return i % 3 === 0
              ? [store.commitGroup(command), store.releaseGroup(command)]
              : [
                  store.releaseGroup(command),
                  store.extendGroup({
                    ...command,
                    ttlMs: TTL_MS,
                    maxLifetimeMs: LIFETIME_MS,
                    maxExtensions: MAX_EXTENSIONS,
                  }),
                ];
          }),
        );
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });

        // Finally the sweeper expires whatever is left, racing a last round of extensions.
        const late = at(LIFETIME_MS);
        const due = (await store.findDueReservations(late, 10_000)).filter((r) =>
          users.includes(r.userId),
        );
        await Promise.allSettled(
          due.flatMap((r) => [
            store.releaseReservation({ reservationId: r.id, reason: 'expired', now: late }),
            extend(r, late),
          ]),
        );
        for (const variantId of variants) {
          const inventory = await inventoryOf(variantId);
          expect(inventory.reservedStock).toBe(0);
          expect(inventory.availableStock).toBe(inventory.totalStock);
        }
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });
      });
    });
  });
}
