import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainError,
  DuplicateReservationError,
  InsufficientStockError,
  MaxReservationsExceededError,
  OutOfStockError,
  ReservationExpiredError,
  ReservationNotActiveError,
  ReservationNotFoundError,
  SkuExistsError,
  VariantNotFoundError,
  VersionConflictError,
} from '../../src/common/errors/domain-errors';
import { isObjectId, newObjectId } from '../../src/store/object-id';
import type { Store } from '../../src/store/store';
import type {
  CommitCommand,
  Inventory,
  NewVariant,
  ReleaseCommand,
  Reservation,
  ReserveCommand,
  SearchDocument,
} from '../../src/store/store.types';

export interface StoreFixture {
  store: Store;
  cleanup: () => Promise<void>;
  /** Writes inventory fields bypassing every invariant; lets the suite show reconcile finds damage. */
  corrupt?: (variantId: string, patch: Partial<Inventory>) => Promise<void>;
}

/** Every test works in 2030; only the due-reservation test uses 2020, so its window stays its own. */
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL_MS = 600_000;
const MAX = 5;

// SKUs and user ids unique across runs, so a shared (even uncleaned) database also works.
const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;
/** One searchable token no other test's document contains (no delimiter inside, so one token). */
const uniqueWord = (): string => `w${runId}x${++sequence}`;
const newUser = (): string => unique('user');

async function expectRejection<E extends DomainError>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  code: E['code'],
): Promise<E> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as E).code).toBe(code);
  return caught as E;
}

/** Counts outcomes of concurrent calls by error code, checking each rejection's class. */
function tally(
  results: PromiseSettledResult<unknown>[],
  expected: Record<string, new (...args: never[]) => DomainError>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    let key = 'ok';
    if (result.status === 'rejected') {
      const error: unknown = result.reason;
      key = error instanceof DomainError ? error.code : String(error);
      if (key in expected) expect(error).toBeInstanceOf(expected[key]);
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function describeStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const newVariant = (stock: number, extra: Partial<NewVariant> = {}) =>
      store.createVariant({ sku: unique('SKU'), title: 'Tee', price: 1999, stock, ...extra }, T0);
    const newVariantId = async (stock: number): Promise<string> =>
      (await newVariant(stock)).variant.id;

    const reserve = (userId: string, variantId: string, options: Partial<ReserveCommand> = {}) =>
      store.reserve({
        userId,
        variantId,
        quantity: 1,
        expiresAt: at(TTL_MS),
        maxActiveReservations: MAX,
        now: T0,
        ...options,
      });

    const hold = async (userId: string, variantId: string, options: Partial<ReserveCommand> = {}) =>
      (await reserve(userId, variantId, options)).reservation;

    // Defaults: the owner releases now; omit userId to act as the expiry sweeper does.
    const release = (r: Reservation, options: Partial<ReleaseCommand> = {}) =>
      store.releaseReservation({
        reservationId: r.id,
        userId: r.userId,
        reason: 'released',
        now: T0,
        ...options,
      });
    const expire = (r: Reservation, now: Date) =>
      store.releaseReservation({ reservationId: r.id, reason: 'expired', now });
    const commit = (r: Reservation, options: Partial<CommitCommand> = {}) =>
      store.commitReservation({ reservationId: r.id, userId: r.userId, now: T0, ...options });

    async function inventoryOf(variantId: string): Promise<Inventory> {
      const inventory = await store.getInventory(variantId);
      if (!inventory) throw new Error(`no inventory for ${variantId}`);
      return inventory;
    }

    async function reservationOf(reservationId: string): Promise<Reservation> {
      const reservation = await store.findReservation(reservationId);
      if (!reservation) throw new Error(`no reservation ${reservationId}`);
      return reservation;
    }

    describe('variants', () => {
      it('creates a variant with all its stock available, at version 1, needing a sync', async () => {
        const input = {
          sku: unique('SKU'),
          title: 'Red tee',
          price: 2500,
          productId: 'product-1',
          attributes: { colour: 'red', size: 'M' },
          salePrice: 1500,
          saleStartsAt: at(1000),
          saleEndsAt: at(2000),
        };
        const { variant, inventory } = await store.createVariant({ ...input, stock: 7 }, T0);

        expect(isObjectId(variant.id)).toBe(true);
        expect(variant).toMatchObject({ ...input, createdAt: T0, updatedAt: T0 });
        expect(inventory).toEqual({
          variantId: variant.id,
          totalStock: 7,
          reservedStock: 0,
          availableStock: 7,
          version: 1,
          needsSync: true,
          updatedAt: T0,
        });
        expect(await store.getVariant(variant.id)).toEqual(variant);
        expect(await store.getInventory(variant.id)).toEqual(inventory);
      });

      it('refuses a taken SKU with SKU_EXISTS', async () => {
        const { variant } = await newVariant(1);
        const again = store.createVariant({ sku: variant.sku, title: 'x', price: 1, stock: 1 }, T0);
        await expectRejection(again, SkuExistsError, 'SKU_EXISTS');
      });

      it('answers null for an unknown variant, inventory or reservation', async () => {
        expect(await store.getVariant(newObjectId())).toBeNull();
        expect(await store.getInventory(newObjectId())).toBeNull();
        expect(await store.findReservation(newObjectId())).toBeNull();
      });

      it('hands out copies: changing a returned record or a passed Date changes nothing stored', async () => {
        const { variant } = await newVariant(3, { attributes: { colour: 'blue' } });
        const fetched = await store.getVariant(variant.id);
        if (!fetched) throw new Error('variant missing');
        fetched.createdAt.setTime(0);
        fetched.attributes.colour = 'green';

        const userId = newUser();
        const expiresAt = at(TTL_MS);
        const { reservation, inventory } = await reserve(userId, variant.id, { expiresAt });
        expiresAt.setTime(0);
        inventory.availableStock = 999;
        reservation.status = 'committed';
        (await reservationOf(reservation.id)).expiresAt.setTime(0);
        const [listed] = await store.listReservations({ userId, limit: 1 });
        listed.status = 'released';

        expect(await store.getVariant(variant.id)).toMatchObject({
          attributes: { colour: 'blue' },
          createdAt: T0,
        });
        expect((await inventoryOf(variant.id)).availableStock).toBe(2);
        expect(await reservationOf(reservation.id)).toMatchObject({
          status: 'active',
          expiresAt: at(TTL_MS),
        });
      });
    });

    describe('reserve', () => {
      it('places a hold: an active reservation, available −q, reserved +q, version +1', async () => {
        const variantId = await newVariantId(10);
        const userId = newUser();
        const now = at(5000);
        const expiresAt = at(5000 + TTL_MS);
        const { reservation, inventory } = await reserve(userId, variantId, {
          quantity: 3,
          now,
          expiresAt,
        });

        expect(isObjectId(reservation.id)).toBe(true);
        expect(reservation).toMatchObject({ userId, variantId, quantity: 3, status: 'active' });
        expect(reservation).toMatchObject({ expiresAt, createdAt: now, updatedAt: now });
        expect(reservation.idempotencyKey).toBeUndefined();
        expect(reservation.endedAt).toBeUndefined();
        expect(inventory).toEqual({
          variantId,
          totalStock: 10,
          reservedStock: 3,
          availableStock: 7,
          version: 2,
          needsSync: true,
          updatedAt: now,
        });
        expect(await store.findReservation(reservation.id)).toEqual(reservation);
        expect(await store.getInventory(variantId)).toEqual(inventory);
      });

      it('can take the last units, then answers OUT_OF_STOCK', async () => {
        const variantId = await newVariantId(2);
        const { inventory } = await reserve(newUser(), variantId, { quantity: 2 });
        expect(inventory.availableStock).toBe(0);
        await expectRejection(reserve(newUser(), variantId), OutOfStockError, 'OUT_OF_STOCK');
      });

      it('OUT_OF_STOCK changes nothing: no reservation, no hold, same version', async () => {
        const variantId = await newVariantId(2);
        const userId = newUser();
        const before = await inventoryOf(variantId);
        const capOfOne = { maxActiveReservations: 1 };

        const tooMany = reserve(userId, variantId, { ...capOfOne, quantity: 3 });
        await expectRejection(tooMany, OutOfStockError, 'OUT_OF_STOCK');

        expect(await store.getInventory(variantId)).toEqual(before);
        expect(await store.listReservations({ userId, limit: 10 })).toEqual([]);
        // No hold was left behind: with a cap of 1 the same shopper can still reserve it.
        await reserve(userId, variantId, { ...capOfOne, quantity: 2 });
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('refuses an unknown variant with VARIANT_NOT_FOUND', async () => {
        const unknown = reserve(newUser(), newObjectId());
        await expectRejection(unknown, VariantNotFoundError, 'VARIANT_NOT_FOUND');
      });

      it('refuses a second hold on the same variant with DUPLICATE_RESERVATION', async () => {
        const variantId = await newVariantId(10);
        const userId = newUser();
        await reserve(userId, variantId);
        const afterFirst = await inventoryOf(variantId);

        const second = reserve(userId, variantId);
        await expectRejection(second, DuplicateReservationError, 'DUPLICATE_RESERVATION');
        expect(await store.getInventory(variantId)).toEqual(afterFirst);
        expect(await store.listReservations({ userId, limit: 10 })).toHaveLength(1);
        await reserve(newUser(), variantId); // another shopper is not affected
      });

      it.each([5, 2])(
        'refuses a hold beyond a cap of %i with MAX_RESERVATIONS_EXCEEDED',
        async (max) => {
          const userId = newUser();
          const cap = { maxActiveReservations: max };
          for (let i = 0; i < max; i++) await reserve(userId, await newVariantId(3), cap);
          const extra = await newVariantId(3);
          const before = await inventoryOf(extra);

          const overCap = reserve(userId, extra, cap);
          await expectRejection(overCap, MaxReservationsExceededError, 'MAX_RESERVATIONS_EXCEEDED');
          expect(await store.getInventory(extra)).toEqual(before);
          const active = await store.listReservations({ userId, status: 'active', limit: 10 });
          expect(active).toHaveLength(max);
        },
      );

      it('a released or committed hold frees its cap slot and its variant', async () => {
        const userId = newUser();
        const cap = { maxActiveReservations: 2 };
        const [a, b, c] = [await newVariantId(5), await newVariantId(5), await newVariantId(5)];
        const holdA = await hold(userId, a, cap);
        const holdB = await hold(userId, b, cap);
        const overCap = () => reserve(userId, c, cap);
        await expectRejection(overCap(), MaxReservationsExceededError, 'MAX_RESERVATIONS_EXCEEDED');

        await release(holdA);
        await reserve(userId, a, cap);
        await expectRejection(overCap(), MaxReservationsExceededError, 'MAX_RESERVATIONS_EXCEEDED');

        await commit(holdB);
        await overCap();
        await reserve(userId, b, { maxActiveReservations: 3 });
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });
    });

    describe('idempotency keys', () => {
      it('stores key and request hash, finds the reservation by key, refuses the key again', async () => {
        const userId = newUser();
        const key = unique('key');
        const options = { idempotencyKey: key, requestHash: 'hash-1' };
        const reservation = await hold(userId, await newVariantId(5), options);
        expect(reservation).toMatchObject(options);
        expect(await store.findReservationByIdempotencyKey(userId, key)).toEqual(reservation);
        expect(await store.findReservationByIdempotencyKey(userId, unique('key'))).toBeNull();

        const other = await newVariantId(5);
        const before = await inventoryOf(other);
        const reused = () => reserve(userId, other, { idempotencyKey: key, requestHash: 'hash-2' });
        await expectRejection(reused(), DuplicateReservationError, 'DUPLICATE_RESERVATION');
        expect(await store.getInventory(other)).toEqual(before);

        // The key stays taken after the hold ends.
        await release(reservation);
        await expectRejection(reused(), DuplicateReservationError, 'DUPLICATE_RESERVATION');
      });

      it('scopes keys to the shopper', async () => {
        const key = unique('key');
        const variantId = await newVariantId(5);
        const first = await hold(newUser(), variantId, { idempotencyKey: key });
        const secondUser = newUser();
        expect(await store.findReservationByIdempotencyKey(secondUser, key)).toBeNull();
        const second = await hold(secondUser, variantId, { idempotencyKey: key });
        expect(second.id).not.toBe(first.id);
        expect(await store.findReservationByIdempotencyKey(secondUser, key)).toEqual(second);
      });
    });

    describe('commit', () => {
      it('active → committed: total −q, reserved −q, available unchanged; a repeat changes nothing', async () => {
        const variantId = await newVariantId(10);
        const reservation = await hold(newUser(), variantId, { quantity: 4 });
        const now = at(60_000);

        const change = await commit(reservation, { now });
        expect(change.changed).toBe(true);
        expect(change.reservation).toMatchObject({
          id: reservation.id,
          status: 'committed',
          updatedAt: now,
          endedAt: now,
        });
        expect(change.inventory).toEqual({
          variantId,
          totalStock: 6,
          reservedStock: 0,
          availableStock: 6,
          version: 3,
          needsSync: true,
          updatedAt: now,
        });
        expect(await store.findReservation(reservation.id)).toEqual(change.reservation);

        const again = await commit(reservation, { now: at(70_000) });
        expect(again).toEqual({ reservation: change.reservation, inventory: null, changed: false });
        expect((await inventoryOf(variantId)).version).toBe(3);
      });

      it('refuses an active hold at or past its expiresAt with RESERVATION_EXPIRED, changing nothing', async () => {
        const variantId = await newVariantId(10);
        const { reservation, inventory } = await reserve(newUser(), variantId, {
          expiresAt: at(1000),
        });

        const late = commit(reservation, { now: at(1000) });
        await expectRejection(late, ReservationExpiredError, 'RESERVATION_EXPIRED');
        expect(await store.findReservation(reservation.id)).toEqual(reservation);
        expect(await store.getInventory(variantId)).toEqual(inventory);
      });

      it('refuses an expired hold (RESERVATION_EXPIRED) and a released one (RESERVATION_NOT_ACTIVE)', async () => {
        const variantId = await newVariantId(10);
        const userId = newUser();
        const expiring = await hold(userId, variantId, { expiresAt: at(1000) });
        await expire(expiring, at(1000));
        const expired = commit(expiring, { now: at(500) });
        await expectRejection(expired, ReservationExpiredError, 'RESERVATION_EXPIRED');

        const released = await hold(userId, variantId);
        await release(released);
        const error = await expectRejection(
          commit(released),
          ReservationNotActiveError,
          'RESERVATION_NOT_ACTIVE',
        );
        expect(error.statusCode).toBe(409);
      });

      it("answers RESERVATION_NOT_FOUND for another shopper's or an unknown reservation", async () => {
        const reservation = await hold(newUser(), await newVariantId(10));
        const byOther = commit(reservation, { userId: newUser() });
        await expectRejection(byOther, ReservationNotFoundError, 'RESERVATION_NOT_FOUND');
        const unknown = commit({ ...reservation, id: newObjectId() });
        await expectRejection(unknown, ReservationNotFoundError, 'RESERVATION_NOT_FOUND');
        expect(await store.findReservation(reservation.id)).toEqual(reservation);
      });
    });

    describe('release and expiry', () => {
      it('active → released gives the stock back; releasing twice answers the same, changing nothing', async () => {
        const variantId = await newVariantId(10);
        const reservation = await hold(newUser(), variantId, { quantity: 2 });
        const now = at(30_000);

        const change = await release(reservation, { now });
        expect(change.changed).toBe(true);
        expect(change.reservation).toMatchObject({
          status: 'released',
          updatedAt: now,
          endedAt: now,
        });
        expect(change.inventory).toEqual({
          variantId,
          totalStock: 10,
          reservedStock: 0,
          availableStock: 10,
          version: 3,
          needsSync: true,
          updatedAt: now,
        });

        const again = await release(reservation, { now: at(40_000) });
        expect(again).toEqual({ reservation: change.reservation, inventory: null, changed: false });
        expect((await inventoryOf(variantId)).version).toBe(3);
      });

      it('refuses to end a committed hold with RESERVATION_NOT_ACTIVE (409)', async () => {
        const reservation = await hold(newUser(), await newVariantId(10));
        await commit(reservation);
        for (const end of [() => release(reservation), () => expire(reservation, at(TTL_MS))]) {
          const error = await expectRejection(
            end(),
            ReservationNotActiveError,
            'RESERVATION_NOT_ACTIVE',
          );
          expect(error.statusCode).toBe(409);
        }
      });

      it("answers RESERVATION_NOT_FOUND for another shopper's or an unknown reservation", async () => {
        const reservation = await hold(newUser(), await newVariantId(10));
        const byOther = release(reservation, { userId: newUser() });
        await expectRejection(byOther, ReservationNotFoundError, 'RESERVATION_NOT_FOUND');
        const unknown = expire({ ...reservation, id: newObjectId() }, at(TTL_MS));
        await expectRejection(unknown, ReservationNotFoundError, 'RESERVATION_NOT_FOUND');
        expect(await store.findReservation(reservation.id)).toEqual(reservation);
      });

      it('expires a hold only once its expiresAt has come, then treats it as ended', async () => {
        const variantId = await newVariantId(10);
        const userId = newUser();
        const { reservation, inventory } = await reserve(userId, variantId, {
          quantity: 3,
          expiresAt: at(1000),
        });

        const early = await expire(reservation, at(999));
        expect(early).toEqual({ reservation, inventory: null, changed: false });
        expect(await store.getInventory(variantId)).toEqual(inventory);

        const due = await expire(reservation, at(1000));
        expect(due.changed).toBe(true);
        expect(due.reservation).toMatchObject({ status: 'expired', endedAt: at(1000) });
        expect(due.inventory).toMatchObject({ reservedStock: 0, availableStock: 10, version: 3 });

        const byOwner = await release(reservation, { now: at(2000) });
        expect(byOwner).toEqual({ reservation: due.reservation, inventory: null, changed: false });
        // The variant and the cap slot are free again.
        await reserve(userId, variantId, { maxActiveReservations: 1 });
      });
    });

    describe('queries', () => {
      it('findDueReservations lists active holds past expiresAt, oldest expiry first, limited', async () => {
        const past = new Date('2020-06-01T00:00:00.000Z');
        const minutes = (n: number) => new Date(past.getTime() + n * 60_000);
        // Expire leftovers of earlier runs in this 2020 window, in case the database is shared.
        let leftovers = await store.findDueReservations(past, 100);
        while (leftovers.length > 0) {
          await Promise.all(leftovers.map((r) => expire(r, past)));
          leftovers = await store.findDueReservations(past, 100);
        }
        const variantId = await newVariantId(10);
        const holdUntil = (expiresAt: Date) =>
          hold(newUser(), variantId, { now: minutes(-60), expiresAt });
        const r10 = await holdUntil(minutes(-10));
        const r30 = await holdUntil(minutes(-30));
        const r20 = await holdUntil(minutes(-20));
        const rNow = await holdUntil(past);
        await holdUntil(minutes(10));

        const due = async (limit: number) =>
          (await store.findDueReservations(past, limit)).map((r) => r.id);
        expect(await due(10)).toEqual([r30.id, r20.id, r10.id, rNow.id]);
        expect(await due(2)).toEqual([r30.id, r20.id]);

        await release(r30, { now: minutes(-50) });
        await commit(r20, { now: minutes(-50) });
        await expire(r10, past);
        expect(await due(10)).toEqual([rNow.id]);
      });

      it('findDueReservations breaks ties on expiresAt by id, so every store sweeps in one order', async () => {
        const expiry = new Date('2020-07-01T00:00:00.000Z');
        const sweepAt = new Date(expiry.getTime() + 1_000);
        let leftovers = await store.findDueReservations(sweepAt, 100);
        while (leftovers.length > 0) {
          await Promise.all(leftovers.map((r) => expire(r, sweepAt)));
          leftovers = await store.findDueReservations(sweepAt, 100);
        }
        const variantId = await newVariantId(20);
        // Made concurrently, so the order they reach the store in need not be the order of their ids.
        const holds = await Promise.all(
          Array.from({ length: 12 }, () =>
            hold(newUser(), variantId, {
              now: new Date(expiry.getTime() - 60_000),
              expiresAt: expiry,
            }),
          ),
        );
        const byId = holds.map((r) => r.id).sort();
        const due = (await store.findDueReservations(sweepAt, 100)).map((r) => r.id);
        expect(due).toEqual(byId);
        expect((await store.findDueReservations(sweepAt, 5)).map((r) => r.id)).toEqual(
          byId.slice(0, 5),
        );
        await Promise.all(holds.map((r) => expire(r, sweepAt)));
      });

      it("listReservations shows only the shopper's own, newest first, filtered by status, limited", async () => {
        const userId = newUser();
        const [a, b, c] = [await newVariantId(5), await newVariantId(5), await newVariantId(5)];
        const r1 = await hold(userId, a, { now: at(1000) });
        const r3 = await hold(userId, c, { now: at(3000) });
        const r2 = await hold(userId, b, { now: at(2000) });
        await hold(newUser(), a, { now: at(4000) });
        await release(r2, { now: at(5000) });

        const ids = async (status: Reservation['status'] | undefined, limit = 10) =>
          (await store.listReservations({ userId, status, limit })).map((r) => r.id);
        expect(await ids(undefined)).toEqual([r3.id, r2.id, r1.id]);
        expect(await ids(undefined, 2)).toEqual([r3.id, r2.id]);
        expect(await ids('active')).toEqual([r3.id, r1.id]);
        expect(await ids('released')).toEqual([r2.id]);
        expect(await ids('committed')).toEqual([]);
        expect(await store.listReservations({ userId, status: 'released', limit: 10 })).toEqual([
          expect.objectContaining({ id: r2.id, status: 'released', endedAt: at(5000) }),
        ]);
      });

      it('listReservations breaks createdAt ties by id, newest id first', async () => {
        const userId = newUser();
        for (let i = 0; i < 3; i++) await reserve(userId, await newVariantId(5));
        const ids = (await store.listReservations({ userId, limit: 10 })).map((r) => r.id);
        expect(ids).toHaveLength(3);
        expect(ids).toEqual([...ids].sort().reverse());
      });
    });

    describe('adjustStock', () => {
      it('adds and removes stock, bumping the version each time', async () => {
        const variantId = await newVariantId(10);
        const restocked = await store.adjustStock({ variantId, delta: 5, now: at(1000) });
        expect(restocked).toEqual({
          variantId,
          totalStock: 15,
          reservedStock: 0,
          availableStock: 15,
          version: 2,
          needsSync: true,
          updatedAt: at(1000),
        });
        const reduced = await store.adjustStock({ variantId, delta: -3, now: at(2000) });
        expect(reduced).toMatchObject({ totalStock: 12, availableStock: 12, version: 3 });
        expect(reduced.updatedAt).toEqual(at(2000));
        expect(await store.getInventory(variantId)).toEqual(reduced);
      });

      it('compare-and-swap: applies at the expected version, VERSION_CONFLICT at a stale one', async () => {
        const variantId = await newVariantId(10);
        await reserve(newUser(), variantId, { quantity: 4 });
        const adjust = (delta: number) =>
          store.adjustStock({ variantId, delta, expectedVersion: 2, now: T0 });

        const applied = await adjust(-1);
        expect(applied).toMatchObject({ totalStock: 9, reservedStock: 4, availableStock: 5 });
        expect(applied.version).toBe(3);
        await expectRejection(adjust(1), VersionConflictError, 'VERSION_CONFLICT');
        expect(await store.getInventory(variantId)).toEqual(applied);
      });

      it('refuses to go below zero or below what is reserved with INSUFFICIENT_STOCK', async () => {
        const variantId = await newVariantId(10);
        await reserve(newUser(), variantId, { quantity: 4 });
        const before = await inventoryOf(variantId);
        const adjust = (id: string, delta: number) =>
          store.adjustStock({ variantId: id, delta, now: T0 });

        await expectRejection(adjust(variantId, -7), InsufficientStockError, 'INSUFFICIENT_STOCK');
        expect(await store.getInventory(variantId)).toEqual(before);
        expect(await adjust(variantId, -6)).toMatchObject({
          totalStock: 4,
          reservedStock: 4,
          availableStock: 0,
        });

        const small = await newVariantId(3);
        await expectRejection(adjust(small, -4), InsufficientStockError, 'INSUFFICIENT_STOCK');
        expect(await adjust(small, -3)).toMatchObject({ totalStock: 0, availableStock: 0 });
      });

      it('refuses an unknown variant with VARIANT_NOT_FOUND', async () => {
        const unknown = store.adjustStock({ variantId: newObjectId(), delta: 1, now: T0 });
        await expectRejection(unknown, VariantNotFoundError, 'VARIANT_NOT_FOUND');
      });
    });

    describe('concurrency', () => {
      it('200 shoppers racing for 20 units: exactly 20 holds, 180 OUT_OF_STOCK, nothing oversold', async () => {
        const variantId = await newVariantId(20);
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, () => reserve(newUser(), variantId)),
        );
        const counts = tally(results, { OUT_OF_STOCK: OutOfStockError });
        expect(counts).toEqual({ ok: 20, OUT_OF_STOCK: 180 });
        expect(await inventoryOf(variantId)).toMatchObject({
          totalStock: 20,
          reservedStock: 20,
          availableStock: 0,
          version: 21,
        });
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });
      });

      it('one shopper firing 30 times at one variant gets exactly one hold', async () => {
        const variantId = await newVariantId(100);
        const userId = newUser();
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, () => reserve(userId, variantId)),
        );
        const counts = tally(results, { DUPLICATE_RESERVATION: DuplicateReservationError });
        expect(counts).toEqual({ ok: 1, DUPLICATE_RESERVATION: 29 });
        expect((await inventoryOf(variantId)).reservedStock).toBe(1);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('one shopper firing at 6 variants at once gets exactly the cap of 5', async () => {
        const variantIds = await Promise.all(Array.from({ length: 6 }, () => newVariantId(10)));
        const userId = newUser();
        const results = await Promise.allSettled(variantIds.map((id) => reserve(userId, id)));
        const counts = tally(results, { MAX_RESERVATIONS_EXCEEDED: MaxReservationsExceededError });
        expect(counts).toEqual({ ok: 5, MAX_RESERVATIONS_EXCEEDED: 1 });
        const active = await store.listReservations({ userId, status: 'active', limit: 10 });
        expect(active).toHaveLength(5);
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('a storm of reserves, releases, commits and expiries keeps every invariant', async () => {
        const stock = 15;
        const variantIds = await Promise.all(Array.from({ length: 4 }, () => newVariantId(stock)));
        const shopper = (i: number) =>
          reserve(newUser(), variantIds[i % 4], { quantity: 1 + (i % 3) });
        const first = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => shopper(i)));
        const held = fulfilled(first).map((r) => r.reservation);
        expect(held.length).toBeGreaterThan(8);

        // Each hold gets two racing end transitions; exactly one of them may change it.
        const releaseLater = (r: Reservation) => release(r, { now: at(1000) });
        const commitLater = (r: Reservation) => commit(r, { now: at(1000) });
        const expireDue = (r: Reservation) => expire(r, at(TTL_MS));
        const races = [
          [commitLater, releaseLater],
          [releaseLater, commitLater],
          [releaseLater, releaseLater],
          [expireDue, releaseLater],
          [commitLater, commitLater],
        ];
        const [raceResults, lateResults] = await Promise.all([
          Promise.all(held.map((r, i) => Promise.allSettled(races[i % 5].map((end) => end(r))))),
          Promise.allSettled(Array.from({ length: 20 }, (_, i) => shopper(i))),
        ]);

        for (const results of raceResults) {
          expect(fulfilled(results).filter((change) => change.changed)).toHaveLength(1);
          for (const error of rejected(results)) {
            expect(error).toBeInstanceOf(ReservationNotActiveError);
          }
        }
        for (const error of rejected(lateResults)) expect(error).toBeInstanceOf(OutOfStockError);

        const everyHold = [...held, ...fulfilled(lateResults).map((r) => r.reservation)];
        const final = await Promise.all(everyHold.map((r) => reservationOf(r.id)));
        for (const variantId of variantIds) {
          const inventory = await inventoryOf(variantId);
          const sum = (status: Reservation['status']) =>
            final
              .filter((r) => r.variantId === variantId && r.status === status)
              .reduce((total, r) => total + r.quantity, 0);
          expect(inventory.availableStock).toBe(inventory.totalStock - inventory.reservedStock);
          expect(inventory.availableStock).toBeGreaterThanOrEqual(0);
          expect(inventory.totalStock).toBe(stock - sum('committed'));
          expect(inventory.reservedStock).toBe(sum('active'));
        }
        expect(await store.reconcile(MAX)).toMatchObject({ ok: true, violations: [] });
      });
    });

    describe('search sync', () => {
      const searchDocument = (
        variantId: string,
        syncedVersion: number,
        extra: Partial<SearchDocument> = {},
      ): SearchDocument => ({
        variantId,
        sku: unique('SKU'),
        productId: 'product-1',
        title: 'Tee',
        attributes: {},
        price: 1999,
        inStock: true,
        availableStock: 5,
        syncedVersion,
        syncedAt: at(syncedVersion * 1000),
        ...extra,
      });

      it('listVariants walks variants by id ascending, strictly after afterId, with their inventory', async () => {
        const created = [await newVariant(3), await newVariant(4), await newVariant(5)];
        const ids = created.map((each) => each.variant.id);
        expect([...ids].sort()).toEqual(ids);
        await reserve(newUser(), ids[1], { quantity: 2 });

        const page = await store.listVariants(ids[0], 2);
        expect(page.map((each) => each.variant.id)).toEqual([ids[1], ids[2]]);
        expect(page[0].variant).toEqual(created[1].variant);
        expect(page[0].inventory).toMatchObject({
          variantId: ids[1],
          availableStock: 2,
          version: 2,
        });
        expect(await store.listVariants(ids[2], 10)).toEqual([]);
        expect(await store.listVariants(ids[0], 0)).toEqual([]);

        // A whole walk in pages of two sees every variant once, in order.
        const walked: string[] = [];
        let after: string | null = null;
        for (;;) {
          const batch: Awaited<ReturnType<Store['listVariants']>> = await store.listVariants(
            after,
            2,
          );
          if (batch.length === 0) break;
          walked.push(...batch.map((each) => each.variant.id));
          after = batch[batch.length - 1].variant.id;
        }
        expect(walked).toEqual([...new Set(walked)].sort());
        expect(walked).toEqual(expect.arrayContaining(ids));
        // The count is for progress bars; it sees at least every variant walked.
        expect(await store.countVariants()).toBeGreaterThanOrEqual(walked.length);
      });

      it('findPendingSyncs lists flagged inventory, oldest change first; clearNeedsSync only at the synced version', async () => {
        const year2001 = (day: number) => new Date(Date.UTC(2001, 0, day));
        // Leftovers of earlier runs in this window, in case the database is shared.
        for (const leftover of await store.findPendingSyncs(1000)) {
          if (leftover.changedAt < year2001(31)) {
            await store.clearNeedsSync(leftover.variantId, leftover.version);
          }
        }
        const create = (day: number) =>
          store.createVariant(
            { sku: unique('SKU'), title: 'Tee', price: 100, stock: 5 },
            year2001(day),
          );
        const third = await create(3);
        const first = await create(1);
        const second = await create(2);
        const idOf = (each: { variant: { id: string } }) => each.variant.id;

        const oldest = await store.findPendingSyncs(2);
        expect(oldest).toEqual([
          { variantId: idOf(first), version: 1, changedAt: year2001(1) },
          { variantId: idOf(second), version: 1, changedAt: year2001(2) },
        ]);

        // A stale version leaves the flag; the current one clears it, without touching the rest.
        await store.adjustStock({ variantId: idOf(first), delta: 1, now: year2001(4) });
        expect(await store.clearNeedsSync(idOf(first), 1)).toBe(false);
        expect((await inventoryOf(idOf(first))).needsSync).toBe(true);
        expect(await store.clearNeedsSync(idOf(second), 1)).toBe(true);
        expect(await inventoryOf(idOf(second))).toMatchObject({
          needsSync: false,
          version: 1,
          updatedAt: year2001(2),
        });
        expect(await store.clearNeedsSync(newObjectId(), 1)).toBe(false);

        const pending = (await store.findPendingSyncs(1000)).map((each) => each.variantId);
        expect(pending).not.toContain(idOf(second));
        expect(pending.indexOf(idOf(third))).toBeLessThan(pending.indexOf(idOf(first)));
        expect(await store.findPendingSyncs(0)).toEqual([]);

        // The next change flags it again.
        await store.adjustStock({ variantId: idOf(second), delta: 1, now: year2001(5) });
        expect(await store.findPendingSyncs(1000)).toContainEqual({
          variantId: idOf(second),
          version: 2,
          changedAt: year2001(5),
        });
      });

      it('upsertSearchDocuments writes a document only over an older one and counts what it wrote', async () => {
        const variantId = newObjectId();
        const onSale = searchDocument(variantId, 3, {
          attributes: { colour: 'red' },
          salePrice: 1500,
          saleStartsAt: at(1000),
          saleEndsAt: at(2000),
        });
        expect(await store.getSearchDocument(variantId)).toBeNull();
        expect(await store.upsertSearchDocuments([onSale])).toBe(1);
        expect(await store.getSearchDocument(variantId)).toEqual(onSale);

        const same = searchDocument(variantId, 3, { title: 'Same version' });
        const older = searchDocument(variantId, 2, { title: 'Older' });
        expect(await store.upsertSearchDocuments([same, older])).toBe(0);
        expect(await store.getSearchDocument(variantId)).toEqual(onSale);

        // A newer one replaces the whole document: the ended sale's fields go.
        const newer = searchDocument(variantId, 4, { inStock: false, availableStock: 0 });
        const other = searchDocument(newObjectId(), 1);
        expect(await store.upsertSearchDocuments([newer, other, older])).toBe(2);
        expect(await store.getSearchDocument(variantId)).toEqual(newer);
        expect(await store.getSearchDocument(other.variantId)).toEqual(other);
        expect(await store.upsertSearchDocuments([])).toBe(0);
      });

      it('racing upserts of a new document end with the newest version', async () => {
        for (let round = 0; round < 5; round++) {
          const variantId = newObjectId();
          const versions = [3, 7, 5, 6, 4];
          const results = await Promise.all(
            versions.map((version) =>
              store.upsertSearchDocuments([searchDocument(variantId, version)]),
            ),
          );
          expect((await store.getSearchDocument(variantId))?.syncedVersion).toBe(7);
          expect(results.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1);
        }
      });

      it('searchDocuments matches every word in title or sku, any case, filters stock and pages by variantId', async () => {
        const [red, blue, shirt] = [uniqueWord(), uniqueWord(), uniqueWord()];
        const docs = [
          searchDocument(newObjectId(), 1, { title: `${red.toUpperCase()} ${shirt} tee` }),
          searchDocument(newObjectId(), 1, { title: `${blue} ${shirt}`, inStock: false }),
          searchDocument(newObjectId(), 1, { title: `Plain ${shirt}`, sku: `${red}-XL` }),
          searchDocument(newObjectId(), 1, { title: `${red} mug` }),
          searchDocument(newObjectId(), 1, { title: `Grey ${shirt}`, sku: 'GREY-1' }),
        ];
        await store.upsertSearchDocuments(docs);
        const ids = (list: SearchDocument[]) => list.map((each) => each.variantId).sort();
        const search = async (q: string, extra: { inStock?: boolean } = {}) =>
          (await store.searchDocuments({ q, limit: 100, ...extra })).items;

        expect(ids(await search(`${red} ${shirt}`))).toEqual(ids([docs[0], docs[2]]));
        expect(ids(await search(`${shirt.toUpperCase()}  ${red}`))).toEqual(
          ids([docs[0], docs[2]]),
        );
        expect(ids(await search(red))).toEqual(ids([docs[0], docs[2], docs[3]]));
        expect(ids(await search(`${blue} ${red}`))).toEqual([]);
        expect(ids(await search(shirt, { inStock: false }))).toEqual(ids([docs[1]]));
        expect(ids(await search(shirt, { inStock: true }))).toHaveLength(3);
        expect(ids(await search(`grey-1 ${shirt}`))).toEqual(ids([docs[4]]));
        expect(await search('-- !!')).toEqual([]);
        expect(await search(uniqueWord())).toEqual([]);
        expect((await search(blue))[0]).toEqual(docs[1]);

        // Pages of two, in variantId order, the cursor being the last id of a page.
        const all = ids([docs[0], docs[1], docs[2], docs[4]]);
        const seen: string[] = [];
        let cursor: string | undefined;
        const cursors: Array<string | null> = [];
        for (let page = 0; page < 5; page++) {
          const result = await store.searchDocuments({ q: shirt, limit: 2, cursor });
          seen.push(...result.items.map((each) => each.variantId));
          cursors.push(result.nextCursor);
          if (result.nextCursor === null) break;
          expect(result.nextCursor).toBe(result.items[result.items.length - 1].variantId);
          cursor = result.nextCursor;
        }
        expect(seen).toEqual(all);
        expect(cursors).toHaveLength(2);
        expect(cursors[1]).toBeNull();
        expect(await store.searchDocuments({ q: shirt, limit: 0 })).toEqual({
          items: [],
          nextCursor: null,
        });
      });

      it('a synced variant: its document shows the inventory version and needsSync is cleared', async () => {
        const { variant } = await newVariant(1, { title: `Sync ${uniqueWord()}` });
        await reserve(newUser(), variant.id);
        const inventory = await inventoryOf(variant.id);
        const document = searchDocument(variant.id, inventory.version, {
          sku: variant.sku,
          title: variant.title,
          inStock: inventory.availableStock > 0,
          availableStock: inventory.availableStock,
        });
        expect(await store.upsertSearchDocuments([document])).toBe(1);
        expect(await store.clearNeedsSync(variant.id, inventory.version)).toBe(true);
        expect(await store.getSearchDocument(variant.id)).toMatchObject({
          inStock: false,
          syncedVersion: 2,
        });
        const pending = await store.findPendingSyncs(1000);
        expect(pending.map((each) => each.variantId)).not.toContain(variant.id);
      });
    });

    describe('reconcile', () => {
      it('reports healthy data as ok, having checked every inventory', async () => {
        const variantIds = await Promise.all([newVariantId(5), newVariantId(0), newVariantId(9)]);
        const userId = newUser();
        await reserve(userId, variantIds[0], { quantity: 2 });
        await reserve(userId, variantIds[2], { quantity: 3 });
        const report = await store.reconcile(MAX);
        expect(report).toMatchObject({ ok: true, violations: [] });
        expect(report.checked).toBeGreaterThanOrEqual(variantIds.length);
      });

      it('reports I3 for a shopper holding more than the cap it is given', async () => {
        const userId = newUser();
        for (let i = 0; i < 3; i++) await reserve(userId, await newVariantId(5));
        expect((await store.reconcile(3)).violations).not.toContainEqual(
          expect.objectContaining({ subject: userId }),
        );
        const report = await store.reconcile(2);
        expect(report.ok).toBe(false);
        expect(report.violations).toContainEqual(
          expect.objectContaining({ invariant: 'I3', subject: userId }),
        );
      });

      it('detects corrupted inventory (I1, I2)', async (context) => {
        const corrupt = fixture.corrupt;
        if (!corrupt) return context.skip('this store offers no corrupt hook');
        const variantId = await newVariantId(10);
        await reserve(newUser(), variantId, { quantity: 2 });
        const healthy = await inventoryOf(variantId);
        const about = (invariant: string) =>
          expect.objectContaining({ invariant, subject: variantId });
        try {
          await corrupt(variantId, { availableStock: 9 });
          const oversold = await store.reconcile(MAX);
          expect(oversold.ok).toBe(false);
          expect(oversold.violations).toContainEqual(about('I1'));

          // Figures that agree with each other but not with the active reservations.
          await corrupt(variantId, { reservedStock: 3, availableStock: 7 });
          const drifted = await store.reconcile(MAX);
          expect(drifted.ok).toBe(false);
          expect(drifted.violations).toContainEqual(about('I2'));
          expect(drifted.violations).not.toContainEqual(about('I1'));
        } finally {
          // Put it back, so a shared database stays healthy for the other reconcile checks.
          await corrupt(variantId, healthy);
        }
        expect((await store.reconcile(MAX)).ok).toBe(true);
      });

      it('every stock change flags the inventory for search sync again (I5)', async (context) => {
        const corrupt = fixture.corrupt;
        if (!corrupt) return context.skip('this store offers no corrupt hook');
        const variantId = await newVariantId(10);
        // Stands in for the search sync worker, which clears the flag once a version is indexed.
        const synced = async () => {
          await corrupt(variantId, { needsSync: false });
          expect((await inventoryOf(variantId)).needsSync).toBe(false);
        };
        const changes: (() => Promise<unknown>)[] = [
          () => store.adjustStock({ variantId, delta: 2, now: T0 }),
          () => hold(newUser(), variantId).then((r) => commit(r)),
          () => hold(newUser(), variantId).then((r) => release(r)),
          () => hold(newUser(), variantId, { expiresAt: at(1) }).then((r) => expire(r, at(1))),
        ];
        for (const change of changes) {
          await synced();
          await change();
          expect((await inventoryOf(variantId)).needsSync).toBe(true);
        }
      });
    });
  });
}

function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

function rejected(results: PromiseSettledResult<unknown>[]): unknown[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
}
