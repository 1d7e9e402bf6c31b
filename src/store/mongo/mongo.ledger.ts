import type { ClientSession } from 'mongodb';
import { Types } from 'mongoose';
import { VariantNotFoundError } from '../../common/errors/domain-errors';
import {
  addFigures,
  figuresOf,
  LEDGER_TAIL_CHECKED,
  type LedgerSummary,
  type ListMovementsQuery,
  type MovementContext,
  type MovementType,
  type StockFigures,
  type StockMovement,
} from '../ledger';
import { idToString, parseObjectId } from './mongo.mappers';
import { isDuplicateKeyOn } from './mongo.errors';
import {
  LEDGER_INDEXES,
  type InventoryDoc,
  type StockMovementDoc,
  type StoreModels,
} from './mongo.schemas';

/**
 * Another transaction changed the variant's stock after this one read it (its seq is taken, or
 * the version moved). It is a write conflict in all but name, so it carries the driver's
 * TransientTransactionError label: TransactionRunner (transactions.ts, which reads labels through
 * `hasErrorLabel`, as mongodb's lib/error.js defines it) aborts and runs the callback again on a
 * fresh snapshot, within the caller's deadline.
 */
export class LedgerRaced extends Error {
  constructor() {
    super('the stock changed under this transaction; running it again');
  }

  hasErrorLabel(label: string): boolean {
    return label === 'TransientTransactionError';
  }
}

export interface StockChange {
  variantId: Types.ObjectId;
  type: Exclude<MovementType, 'created'>;
  delta: StockFigures;
  reservation?: { _id: Types.ObjectId; groupId?: Types.ObjectId; userId: string };
  context: MovementContext;
  now: Date;
}

/** Judges the inventory read in the snapshot before anything is written; throws to refuse. */
export type StockGuard = (current: InventoryDoc) => void;

/**
 * Applies a stock change with its ledger movement, inside the caller's transaction, in this order:
 *   1. read the inventory in the transaction's snapshot (a read takes no lock);
 *   2. the caller's guard judges that snapshot (out of stock, version conflict, …) and may throw;
 *   3. insert the movement, seq = that version + 1 and `after` = those figures + delta — the
 *      insert touches the ledger only, never the hot inventory document;
 *   4. LAST, the hot document: `$inc` the figures and the version, filtered on the version read.
 *
 * Why seq is gap-free and never repeated under concurrency: the transactions run with read
 * concern snapshot, and in a snapshot transaction a write to a document that another
 * transaction changed after our snapshot (or is changing, uncommitted) fails with WriteConflict,
 * labelled TransientTransactionError, and the whole callback runs again on a fresh snapshot
 * (TransactionRunner, transactions.ts). So when step 4 succeeds no other change of this
 * inventory landed since step 1: the version read + 1 is exactly the version produced, and the
 * movement's figures are exactly the ones written. Two transactions that read the same version
 * both insert the same seq: the unique {variantId, seq} index lets only one of them have it (the
 * other gets a WriteConflict while the first is uncommitted, E11000 once it is committed — both
 * run again). A change that aborts leaves neither its movement nor its inventory update, so no
 * seq is skipped. The version filter in step 4 only restates that guarantee (LedgerRaced if it
 * were ever broken).
 *
 * The hot document's lock is still taken last and held from step 4 to the commit only; the
 * extra snapshot read in step 1 costs a round trip, no lock and no new conflict (any write of a
 * document changed after the snapshot conflicted already before the ledger existed).
 */
export async function applyStockChange(
  models: StoreModels,
  session: ClientSession,
  change: StockChange,
  guard?: StockGuard,
): Promise<InventoryDoc> {
  const { variantId, delta, now } = change;
  const current = await models.inventory.findOne({ variantId }).session(session).lean();
  if (!current) throw new VariantNotFoundError(idToString(variantId));
  guard?.(current);
  await insertMovement(models, session, {
    _id: new Types.ObjectId(),
    variantId,
    seq: current.version + 1,
    type: change.type,
    delta,
    after: addFigures(figuresOf(current), delta),
    ...(change.reservation && {
      reservationId: change.reservation._id,
      userId: change.reservation.userId,
    }),
    ...(change.reservation?.groupId && { groupId: change.reservation.groupId }),
    actor: change.context.actor ?? change.reservation?.userId ?? 'sweeper',
    ...(change.context.requestId !== undefined && { requestId: change.context.requestId }),
    at: now,
  });
  const updated = await models.inventory.findOneAndUpdate(
    { variantId, version: current.version },
    {
      $inc: {
        totalStock: delta.total,
        reservedStock: delta.reserved,
        availableStock: delta.available,
        version: 1,
      },
      $set: { needsSync: true, updatedAt: now },
    },
    { session, returnDocument: 'after', lean: true },
  );
  if (!updated) throw new LedgerRaced();
  return updated;
}

/** Inserts one movement in the caller's transaction; a taken seq means another change won. */
export async function insertMovement(
  models: StoreModels,
  session: ClientSession,
  movement: StockMovementDoc,
): Promise<void> {
  try {
    await models.stockMovements.insertOne(movement, { session });
  } catch (error) {
    if (isDuplicateKeyOn(error, LEDGER_INDEXES[0])) throw new LedgerRaced();
    throw error;
  }
}

export async function listMovements(
  models: StoreModels,
  query: ListMovementsQuery,
): Promise<StockMovement[]> {
  const variantId = parseObjectId(query.variantId);
  // MongoDB reads limit 0 as "no limit"; the port means "none".
  if (!variantId || query.limit <= 0) return [];
  const docs = await models.stockMovements
    .find({ variantId, seq: { $gt: query.afterSeq } })
    .sort({ seq: 1 })
    .limit(query.limit)
    .read('primary')
    .lean();
  return docs.map(toMovement);
}

/**
 * Per variant: count, first and last seq and Σ delta over the whole ledger (one aggregation,
 * grouped on the {variantId, seq} index), then each variant's latest LEDGER_TAIL_CHECKED
 * movements, read on the index from the top (bounded, whatever the history's length).
 */
export async function ledgerSummaries(
  models: StoreModels,
  session: ClientSession,
): Promise<Map<string, LedgerSummary>> {
  type Row = { _id: Types.ObjectId; count: number; firstSeq: number; lastSeq: number } & {
    firstType: MovementType;
    total: number;
    reserved: number;
    available: number;
    tail: Pick<StockMovementDoc, 'seq' | 'delta' | 'after'>[];
  };
  const rows = await models.stockMovements
    .aggregate<Row>([
      // In index order, so $first, $last and $lastN follow each variant's seq order (the
      // accumulators keep the order documents reach $group in; $lastN needs MongoDB 5.2).
      { $sort: { variantId: 1, seq: 1 } },
      {
        $group: {
          _id: '$variantId',
          count: { $sum: 1 },
          firstSeq: { $first: '$seq' },
          firstType: { $first: '$type' },
          lastSeq: { $last: '$seq' },
          total: { $sum: '$delta.total' },
          reserved: { $sum: '$delta.reserved' },
          available: { $sum: '$delta.available' },
          // The latest movements, oldest first, in the same pass: no query per variant.
          tail: {
            $lastN: {
              n: LEDGER_TAIL_CHECKED,
              input: { seq: '$seq', delta: '$delta', after: '$after' },
            },
          },
        },
      },
    ])
    .allowDiskUse(true)
    .session(session);
  const summaries = new Map<string, LedgerSummary>();
  for (const row of rows) {
    summaries.set(idToString(row._id), {
      count: row.count,
      firstSeq: row.firstSeq,
      firstType: row.firstType,
      lastSeq: row.lastSeq,
      sum: { total: row.total, reserved: row.reserved, available: row.available },
      tail: row.tail.map((doc) => ({ seq: doc.seq, delta: doc.delta, after: doc.after })),
    });
  }
  return summaries;
}

export function toMovement(doc: StockMovementDoc): StockMovement {
  return {
    variantId: idToString(doc.variantId),
    seq: doc.seq,
    type: doc.type,
    delta: { total: doc.delta.total, reserved: doc.delta.reserved, available: doc.delta.available },
    after: { total: doc.after.total, reserved: doc.after.reserved, available: doc.after.available },
    ...(doc.reservationId != null && { reservationId: idToString(doc.reservationId) }),
    ...(doc.groupId != null && { groupId: idToString(doc.groupId) }),
    ...(doc.userId != null && { userId: doc.userId }),
    actor: doc.actor,
    ...(doc.requestId != null && { requestId: doc.requestId }),
    at: new Date(doc.at.getTime()),
  };
}
