import type { Connection, Types } from 'mongoose';
import type { InvariantViolation, Inventory, ReconcileReport } from '../store.types';
import { holdDocKey, idToString } from './mongo.mappers';
import { errorCode, SNAPSHOT_TOO_OLD, SNAPSHOT_UNAVAILABLE } from './mongo.errors';
import { purchaseLimitViolations } from './mongo.purchase-limits';
import type { StoreModels } from './mongo.schemas';
import { ledgerSummaries } from './mongo.ledger';
import { ledgerViolations } from '../ledger';
import type { MongoWaitlist } from './mongo.waitlist';

/** Documents per cursor batch of the check's collection walks (the driver's default is 101, then 16 MiB). */
export const RECONCILE_BATCH_SIZE = 1000;
const RECONCILE_MIN_BATCH_SIZE = 50;
const RECONCILE_ROUNDS = 3;

/**
 * Whether a failed check runs again, and with what batch size; null to give up. Each round takes a
 * fresh snapshot.
 * - SnapshotUnavailable (246): the snapshot was taken just before a collection or index change and
 *   cannot read that collection. Transactions retry it as transient; a snapshot session must do so
 *   itself. Same batch size.
 * - SnapshotTooOld (239): the server no longer keeps the history the snapshot reads at — it outlived
 *   minSnapshotHistoryWindowInSeconds, or cache pressure made WiredTiger drop history early. Half
 *   the batch size: each getMore then returns sooner and the walk holds less in the server's cache.
 * Anything else, or a third failure, propagates.
 */
export function reconcileRetry(
  error: unknown,
  round: number,
  batchSize: number,
): { batchSize: number } | null {
  if (round >= RECONCILE_ROUNDS) return null;
  const code = errorCode(error);
  if (code === SNAPSHOT_UNAVAILABLE) return { batchSize };
  if (code === SNAPSHOT_TOO_OLD) {
    return { batchSize: Math.max(RECONCILE_MIN_BATCH_SIZE, Math.floor(batchSize / 2)) };
  }
  return null;
}

/** The invariant check behind `GET /v1/admin/reconcile`. */
export class MongoReconcile {
  constructor(
    private readonly connection: Connection,
    private readonly models: StoreModels,
    private readonly waitlist: MongoWaitlist,
  ) {}

  /**
   * Checks I1–I3, I6–I8 and the hold lists, with the same findings (and words) as the reference model.
   * Admin-only and off the hot path, so aggregations are fine here. All reads share one snapshot
   * (a snapshot session, no transaction: no 60 s transaction limit, no locks), so holds changing
   * during the check never show up as false violations.
   */
  async reconcile(maxActiveReservations: number): Promise<ReconcileReport> {
    let batchSize = RECONCILE_BATCH_SIZE;
    for (let round = 1; ; round++) {
      try {
        return await this.reconcileInSnapshot(maxActiveReservations, batchSize);
      } catch (error) {
        const retry = reconcileRetry(error, round, batchSize);
        if (retry === null) throw error;
        batchSize = retry.batchSize;
      }
    }
  }

  private async reconcileInSnapshot(
    maxActiveReservations: number,
    batchSize: number,
  ): Promise<ReconcileReport> {
    const session = await this.connection.startSession({ snapshot: true });
    try {
      const violations: InvariantViolation[] = [];
      const active = { status: 'active' };

      const reservedByVariant = new Map<string, number>();
      const byVariant = await this.models.reservations
        .aggregate<{ _id: Types.ObjectId; reserved: number }>([
          { $match: active },
          { $group: { _id: '$variantId', reserved: { $sum: '$quantity' } } },
        ])
        .session(session);
      for (const row of byVariant) reservedByVariant.set(idToString(row._id), row.reserved);

      // I7: each variant's ledger, summarised (sums, seq range, the latest movements).
      const ledgers = await ledgerSummaries(this.models, session);

      let checked = 0;
      const availableByVariant = new Map<string, number>();
      // batchSize reaches the driver's find: mongoose's QueryCursor copies the query options (lib/cursor/queryCursor.js).
      const inventoryCursor = this.models.inventory
        .find({})
        .session(session)
        .batchSize(batchSize)
        .lean()
        .cursor();
      for await (const doc of inventoryCursor) {
        checked += 1;
        // Raw figures, not the mapper: a damaged document must be reported, not crash the check.
        const variantId = idToString(doc.variantId);
        const figures = {
          variantId,
          totalStock: doc.totalStock,
          reservedStock: doc.reservedStock,
          availableStock: doc.availableStock,
        };
        violations.push(...stockViolations(figures, reservedByVariant.get(variantId) ?? 0));
        violations.push(
          ...ledgerViolations({ ...figures, version: doc.version }, ledgers.get(variantId)),
        );
        reservedByVariant.delete(variantId);
        availableByVariant.set(variantId, doc.availableStock);
      }
      for (const variantId of reservedByVariant.keys()) {
        violations.push({
          invariant: 'I2',
          subject: variantId,
          message: 'active reservations exist for a variant with no inventory',
        });
      }

      type ActiveHold = {
        reservationId: Types.ObjectId;
        variantId: Types.ObjectId;
        quantity: number;
      };
      const byUser = await this.models.reservations
        .aggregate<{ _id: string; holds: ActiveHold[] }>([
          { $match: active },
          {
            $group: {
              _id: '$userId',
              holds: {
                $push: { reservationId: '$_id', variantId: '$variantId', quantity: '$quantity' },
              },
            },
          },
        ])
        .session(session);
      const expectedHolds = new Map<string, string[]>();
      for (const { _id: userId, holds } of byUser) {
        violations.push(...capViolations(userId, holds, maxActiveReservations));
        expectedHolds.set(userId, holds.map(holdDocKey));
      }

      const holdsCursor = this.models.userholds
        .find({})
        .session(session)
        .batchSize(batchSize)
        .lean()
        .cursor();
      for await (const doc of holdsCursor) {
        const actual = (doc.holds ?? []).map(holdDocKey);
        const violation = holdsViolation(doc._id, expectedHolds.get(doc._id) ?? [], actual);
        if (violation) violations.push(violation);
        expectedHolds.delete(doc._id);
      }
      // Shoppers with active reservations but no hold list at all.
      for (const [userId, expected] of expectedHolds) {
        const violation = holdsViolation(userId, expected, []);
        if (violation) violations.push(violation);
      }

      // I6: active + committed units per shopper and variant within its purchase limit.
      violations.push(...(await purchaseLimitViolations(this.models, session)));
      // I8: while entries wait, available stays below the smallest waiting quantity.
      violations.push(...(await this.waitlist.violations(session, availableByVariant)));
      return { ok: violations.length === 0, checked, violations };
    } finally {
      await session.endSession();
    }
  }
}

function stockViolations(
  inventory: Pick<Inventory, 'variantId' | 'totalStock' | 'reservedStock' | 'availableStock'>,
  activeReserved: number,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const { variantId, totalStock, reservedStock, availableStock } = inventory;
  const figures = `(total ${totalStock}, reserved ${reservedStock}, available ${availableStock})`;
  if (![totalStock, reservedStock, availableStock].every((n) => Number.isInteger(n) && n >= 0)) {
    violations.push({
      invariant: 'I1',
      subject: variantId,
      message: `has a stock figure that is not an integer ≥ 0 ${figures}`,
    });
  } else if (availableStock !== totalStock - reservedStock) {
    violations.push({
      invariant: 'I1',
      subject: variantId,
      message: `availableStock is not totalStock − reservedStock ${figures}`,
    });
  }
  if (reservedStock !== activeReserved) {
    violations.push({
      invariant: 'I2',
      subject: variantId,
      message: `reservedStock is ${reservedStock} but active reservations hold ${activeReserved}`,
    });
  }
  return violations;
}

function capViolations(
  userId: string,
  holds: Array<{ variantId: Types.ObjectId }>,
  max: number,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  if (holds.length > max) {
    violations.push({
      invariant: 'I3',
      subject: userId,
      message: `${holds.length} active reservations, more than ${max}`,
    });
  }
  const perVariant = new Map<string, number>();
  for (const hold of holds) {
    const variantId = idToString(hold.variantId);
    perVariant.set(variantId, (perVariant.get(variantId) ?? 0) + 1);
  }
  for (const [variantId, count] of perVariant) {
    if (count > 1) {
      violations.push({
        invariant: 'I3',
        subject: userId,
        message: `${count} active reservations for variant ${variantId}`,
      });
    }
  }
  return violations;
}

function holdsViolation(
  userId: string,
  expected: string[],
  actual: string[],
): InvariantViolation | null {
  const wanted = [...expected].sort();
  const held = [...actual].sort();
  if (wanted.join() === held.join()) return null;
  return {
    invariant: 'HOLDS',
    subject: userId,
    message: `hold list [${held.join(', ')}] differs from active reservations [${wanted.join(', ')}]`,
  };
}
