import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InsufficientStockError,
  OutOfStockError,
  VersionConflictError,
} from '../../src/common/errors/domain-errors';
import type { StockFigures, StockMovement } from '../../src/store/ledger';
import type { Store } from '../../src/store/store';
import type { Inventory, Reservation } from '../../src/store/store.types';
import type { StoreFixture } from './store.contract';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL_MS = 600_000;
const MAX = 5;

const runId = randomUUID().slice(0, 8);
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${runId}-${++sequence}`;

/** A small deterministic generator, so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const EXPECTED_REFUSALS = [
  'OUT_OF_STOCK',
  'DUPLICATE_RESERVATION',
  'MAX_RESERVATIONS_EXCEEDED',
  'RESERVATION_NOT_ACTIVE',
  'RESERVATION_EXPIRED',
  'INSUFFICIENT_STOCK',
  // A transaction that ran out of its deadline under the storm (MongoDB): nothing was changed.
  'SERVICE_UNAVAILABLE',
];

const figures = (inventory: Inventory): StockFigures => ({
  total: inventory.totalStock,
  reserved: inventory.reservedStock,
  available: inventory.availableStock,
});

/**
 * The stock ledger (invariant I7) on every store: each change of a variant's figures leaves one
 * movement, numbered by the inventory version it produced, whose deltas sum to the figures.
 */
export function describeLedgerContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Ledger contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const newVariantId = async (stock: number, actor = 'admin-1'): Promise<string> => {
      const created = await store.createVariant(
        { sku: unique('SKU'), title: 'Tee', price: 1999, stock },
        T0,
        { actor },
      );
      return created.variant.id;
    };
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
    const ledgerOf = async (variantId: string): Promise<StockMovement[]> => {
      const all: StockMovement[] = [];
      for (let after = 0; ;) {
        const page = await store.listMovements({ variantId, afterSeq: after, limit: 7 });
        all.push(...page);
        if (page.length < 7) return all;
        after = page[page.length - 1].seq;
      }
    };

    /** I7 from the outside: seq 1…version, deltas chain into each after, the last after = figures. */
    async function expectLedgerExplains(variantId: string): Promise<StockMovement[]> {
      const inventory = (await store.getInventory(variantId))!;
      const ledger = await ledgerOf(variantId);
      expect(ledger.map((m) => m.seq)).toEqual(
        Array.from({ length: inventory.version }, (_, i) => i + 1),
      );
      let running: StockFigures = { total: 0, reserved: 0, available: 0 };
      for (const movement of ledger) {
        running = {
          total: running.total + movement.delta.total,
          reserved: running.reserved + movement.delta.reserved,
          available: running.available + movement.delta.available,
        };
        expect(movement.after).toEqual(running);
        expect(movement.after.available).toBe(movement.after.total - movement.after.reserved);
      }
      expect(running).toEqual(figures(inventory));
      return ledger;
    }

    it('records creation, hold, commit, release, expiry and adjustment, with who did them', async () => {
      const variantId = await newVariantId(5);
      const committed = await hold('alice', variantId, 2);
      await store.commitReservation({ reservationId: committed.id, userId: 'alice', now: T0 });
      const released = await hold('bob', variantId, 1);
      await store.releaseReservation({
        reservationId: released.id,
        userId: 'bob',
        reason: 'released',
        now: T0,
      });
      const expired = await hold('carol', variantId, 1);
      await store.releaseReservation({
        reservationId: expired.id,
        reason: 'expired',
        now: at(TTL_MS + 1),
      });
      await store.adjustStock({ variantId, delta: 4, now: T0, actor: 'admin-2' });

      const ledger = await expectLedgerExplains(variantId);
      expect(ledger.map((m) => [m.type, m.actor, m.delta])).toEqual([
        ['created', 'admin-1', { total: 5, reserved: 0, available: 5 }],
        ['reserved', 'alice', { total: 0, reserved: 2, available: -2 }],
        ['committed', 'alice', { total: -2, reserved: -2, available: 0 }],
        ['reserved', 'bob', { total: 0, reserved: 1, available: -1 }],
        ['released', 'bob', { total: 0, reserved: -1, available: 1 }],
        ['reserved', 'carol', { total: 0, reserved: 1, available: -1 }],
        ['expired', 'sweeper', { total: 0, reserved: -1, available: 1 }],
        ['adjusted', 'admin-2', { total: 4, reserved: 0, available: 4 }],
      ]);
      expect(ledger[1]).toMatchObject({ reservationId: committed.id, userId: 'alice' });
      expect(ledger[6]).toMatchObject({ reservationId: expired.id, userId: 'carol' });
      expect(ledger[7].reservationId).toBeUndefined();
      expect(ledger.at(-1)!.after).toEqual({ total: 7, reserved: 0, available: 7 });
      expect(ledger.every((m) => m.at instanceof Date)).toBe(true);
    });

    it('records each line of a cart hold, group commit and group release with the group id', async () => {
      const [a, b] = [await newVariantId(3), await newVariantId(3)];
      const held = await store.reserveCart({
        userId: 'dana',
        lines: [
          { variantId: a, quantity: 1 },
          { variantId: b, quantity: 2 },
        ],
        policy: 'all_or_nothing',
        expiresAt: at(TTL_MS),
        maxActiveReservations: MAX,
        now: T0,
      });
      const { groupId } = held.group;
      await store.commitGroup({ groupId, userId: 'dana', now: T0 });
      const second = await store.reserveCart({
        userId: 'dana',
        lines: [{ variantId: a, quantity: 1 }],
        policy: 'best_effort',
        expiresAt: at(TTL_MS),
        maxActiveReservations: MAX,
        now: T0,
      });
      await store.releaseGroup({ groupId: second.group.groupId, userId: 'dana', now: T0 });

      const ledgerA = await expectLedgerExplains(a);
      const ledgerB = await expectLedgerExplains(b);
      expect(ledgerA.map((m) => [m.type, m.groupId])).toEqual([
        ['created', undefined],
        ['reserved', groupId],
        ['committed', groupId],
        ['reserved', second.group.groupId],
        ['released', second.group.groupId],
      ]);
      expect(ledgerB.map((m) => m.type)).toEqual(['created', 'reserved', 'committed']);
      expect(ledgerB[1]).toMatchObject({ actor: 'dana', userId: 'dana', delta: { reserved: 2 } });
    });

    it('writes nothing for a refused change or an idempotent repeat', async () => {
      const variantId = await newVariantId(1);
      const alice = await hold('alice', variantId);
      await expect(hold('bob', variantId)).rejects.toBeInstanceOf(OutOfStockError);
      await expect(store.adjustStock({ variantId, delta: -1, now: T0 })).rejects.toBeInstanceOf(
        InsufficientStockError,
      );
      await expect(
        store.adjustStock({ variantId, delta: 1, expectedVersion: 1, now: T0 }),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const release = {
        reservationId: alice.id,
        userId: 'alice',
        reason: 'released' as const,
        now: T0,
      };
      await store.releaseReservation(release);
      await store.releaseReservation(release);
      const ledger = await expectLedgerExplains(variantId);
      expect(ledger.map((m) => m.type)).toEqual(['created', 'reserved', 'released']);
    });

    it('pages by seq and answers nothing for an unknown variant', async () => {
      const variantId = await newVariantId(10);
      for (let i = 0; i < 4; i++) await store.adjustStock({ variantId, delta: 1, now: T0 });
      const page = await store.listMovements({ variantId, afterSeq: 2, limit: 2 });
      expect(page.map((m) => m.seq)).toEqual([3, 4]);
      expect(await store.listMovements({ variantId, afterSeq: 5, limit: 10 })).toEqual([]);
      expect(await store.listMovements({ variantId, afterSeq: 0, limit: 0 })).toEqual([]);
      expect(
        await store.listMovements({ variantId: 'a'.repeat(24), afterSeq: 0, limit: 10 }),
      ).toEqual([]);
    });

    it('keeps every ledger contiguous and I7 true under 200 concurrent mixed operations', async () => {
      const next = random(16);
      const variants = [await newVariantId(30), await newVariantId(20), await newVariantId(40)];
      const users = Array.from({ length: 40 }, (_, i) => `shopper-${runId}-${i}`);
      const holds: Reservation[] = [];
      const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];

      // Four waves of 50: each acts on the holds made before it, all concurrent within a wave.
      for (let wave = 0; wave < 4; wave++) {
        const operations: Array<Promise<unknown>> = [];
        for (let i = 0; i < 50; i++) {
          const variantId = pick(variants);
          const roll = next();
          if (roll < 0.5 || holds.length === 0) {
            operations.push(
              hold(pick(users), variantId, 1 + Math.floor(next() * 2)).then((r) => holds.push(r)),
            );
          } else if (roll < 0.65) {
            const r = pick(holds);
            operations.push(
              store.commitReservation({ reservationId: r.id, userId: r.userId, now: T0 }),
            );
          } else if (roll < 0.8) {
            const r = pick(holds);
            operations.push(
              store.releaseReservation({
                reservationId: r.id,
                userId: r.userId,
                reason: 'released',
                now: T0,
              }),
            );
          } else if (roll < 0.9) {
            const r = pick(holds);
            operations.push(
              store.releaseReservation({
                reservationId: r.id,
                reason: 'expired',
                now: at(TTL_MS + 1),
              }),
            );
          } else {
            const delta = next() < 0.5 ? 2 : -1;
            operations.push(store.adjustStock({ variantId, delta, now: T0, actor: 'admin-9' }));
          }
        }
        const results = await Promise.allSettled(operations);
        // Refusals (out of stock, caps, a hold already ended) are expected; nothing else is.
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(EXPECTED_REFUSALS).toContain((result.reason as { code?: string }).code);
          }
        }
      }

      let changes = 0;
      for (const variantId of variants) changes += (await expectLedgerExplains(variantId)).length;
      expect(changes).toBeGreaterThan(variants.length + 80);
      const report = await store.reconcile(MAX);
      expect(report.violations.filter((v) => v.invariant === 'I7')).toEqual([]);
      expect(report.ok).toBe(true);
    });

    it('reconcile reports figures the ledger does not explain (I7)', async () => {
      const corrupt = fixture.corrupt!;
      expect(corrupt).toBeTypeOf('function');
      const variantId = await newVariantId(4);
      await hold('erin', variantId, 1);
      const good = (await store.getInventory(variantId))!;
      await corrupt(variantId, { version: good.version + 1 });
      try {
        const report = await store.reconcile(MAX);
        expect(report.ok).toBe(false);
        expect(report.violations).toContainEqual(
          expect.objectContaining({ invariant: 'I7', subject: variantId }),
        );
      } finally {
        // Put it back, so a shared database stays healthy for the other reconcile checks.
        await corrupt(variantId, good);
      }
      expect((await store.reconcile(MAX)).ok).toBe(true);
    });
  });
}
