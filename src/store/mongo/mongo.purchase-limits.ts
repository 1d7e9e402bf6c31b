import type { ClientSession } from 'mongodb';
import type { Types } from 'mongoose';
import {
  PurchaseLimitExceededError,
  VariantNotFoundError,
} from '../../common/errors/domain-errors';
import type { InvariantViolation, Variant } from '../store.types';
import { idToString, parseObjectId, toVariant } from './mongo.mappers';
import type { ReservationDoc, StoreModels, VariantDoc } from './mongo.schemas';

/**
 * Purchase limits (invariant I6) on MongoDB. Each shopper has one `purchasecounts` document per
 * variant holding their active + committed units; it is written in the same transaction as the
 * hold, commit leaves it, release and expiry give units back. It is kept for every variant, with a
 * limit or not, so a limit set later by an admin counts everything already held or bought. It is
 * a per-shopper document: the hot inventory document is never touched for it.
 *
 * Concurrency: callers run inside a snapshot transaction. The counter is read in the session and
 * written with a filter that repeats the condition; had another transaction changed it after our
 * snapshot, the server answers the write with WriteConflict (a TransientTransactionError, so the
 * driver re-runs the whole callback) — so the read-check-write cannot overshoot the limit.
 */

/** Thrown when the guarded counter write found the counter changed; the caller re-runs its work. */
export class PurchaseCountRaced extends Error {}

const DUPLICATE_KEY = 11000;

/** The variant and the shopper's counted units, read in the transaction's snapshot. */
export async function readPurchaseState(
  models: StoreModels,
  session: ClientSession,
  userId: string,
  variantIds: Types.ObjectId[],
): Promise<{ variants: Map<string, VariantDoc>; units: Map<string, number> }> {
  // One after the other, never Promise.all on a transaction's session: the driver marks whichever
  // command goes out while the session is STARTING_TRANSACTION with `startTransaction: true`
  // (mongodb/lib/sessions.js, applySession), so two parallel first commands would both claim it.
  const variants = await models.variants
    .find({ _id: { $in: variantIds } })
    .session(session)
    .lean();
  const counts = await models.purchaseCounts
    .find({ userId, variantId: { $in: variantIds } })
    .session(session)
    .lean();
  return {
    variants: new Map(variants.map((doc) => [idToString(doc._id), doc])),
    units: new Map(counts.map((doc) => [idToString(doc.variantId), doc.units])),
  };
}

/** PurchaseLimitExceededError when `quantity` more units would pass the variant's limit. */
export function checkPurchaseLimit(
  variant: Pick<VariantDoc, '_id' | 'purchaseLimit'>,
  counted: number,
  quantity: number,
): void {
  const limit = variant.purchaseLimit;
  if (limit == null || counted + quantity <= limit) return;
  throw new PurchaseLimitExceededError(
    idToString(variant._id),
    limit,
    Math.max(0, limit - counted),
  );
}

/**
 * Checks and counts `quantity` units of one variant for a shopper (single holds). Reads the
 * variant (only its limit), so an unknown variant is VariantNotFoundError before any stock is
 * touched. On the flash-sale path most variants have no limit: then the counter is only
 * incremented, without being read first, so the hold costs one read and one write more.
 */
export async function countPurchase(
  models: StoreModels,
  session: ClientSession,
  userId: string,
  variantId: Types.ObjectId,
  quantity: number,
): Promise<void> {
  const variant = await models.variants
    .findOne({ _id: variantId }, { purchaseLimit: 1 })
    .session(session)
    .lean();
  if (!variant) throw new VariantNotFoundError(idToString(variantId));
  if (variant.purchaseLimit == null) {
    await incrementUnits(models, session, userId, variantId, quantity);
    return;
  }
  const counter = await models.purchaseCounts
    .findOne({ userId, variantId }, { units: 1 })
    .session(session)
    .lean();
  const counted = counter?.units ?? 0;
  checkPurchaseLimit(variant, counted, quantity);
  await addUnits(models, session, userId, variantId, counted, quantity);
}

/**
 * An unguarded increment (no limit to respect). Two first holds of one shopper on one variant
 * cannot race here: the hold list's one-per-variant rule already serialises them, and a
 * concurrent release's `$inc` on an existing document is a plain write conflict (retried). An
 * E11000 from the upsert's insert still becomes PurchaseCountRaced, so the caller runs again.
 */
async function incrementUnits(
  models: StoreModels,
  session: ClientSession,
  userId: string,
  variantId: Types.ObjectId,
  quantity: number,
): Promise<void> {
  try {
    await models.purchaseCounts.updateOne(
      { userId, variantId },
      { $inc: { units: quantity } },
      { session, upsert: true, setDefaultsOnInsert: false },
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === DUPLICATE_KEY) throw new PurchaseCountRaced();
    throw error;
  }
}

/**
 * Writes counted + quantity, guarded on the value read: `units: counted` (or no document when
 * nothing was counted, where the upsert inserts and the unique {userId, variantId} index refuses a
 * second one with E11000). Checked in mongodb/lib/operations/update.js: updateOne with upsert
 * reports matchedCount/upsertedCount, and an E11000 from the upsert's insert surfaces as a
 * MongoServerError with code 11000 (not labelled transient), which we turn into PurchaseCountRaced.
 */
export async function addUnits(
  models: StoreModels,
  session: ClientSession,
  userId: string,
  variantId: Types.ObjectId,
  counted: number,
  quantity: number,
): Promise<void> {
  try {
    const result = await models.purchaseCounts.updateOne(
      { userId, variantId, units: counted === 0 ? { $in: [0, null] } : counted },
      { $inc: { units: quantity } },
      { session, upsert: true, setDefaultsOnInsert: false },
    );
    if (result.matchedCount === 0 && result.upsertedCount === 0) throw new PurchaseCountRaced();
  } catch (error) {
    if ((error as { code?: unknown }).code === DUPLICATE_KEY) throw new PurchaseCountRaced();
    throw error;
  }
}

/** Release and expiry give a line's units back (commit keeps them: they are bought). */
export async function givePurchaseBack(
  models: StoreModels,
  session: ClientSession,
  reservation: Pick<ReservationDoc, 'userId' | 'variantId' | 'quantity'>,
): Promise<void> {
  await models.purchaseCounts.updateOne(
    { userId: reservation.userId, variantId: reservation.variantId },
    { $inc: { units: -reservation.quantity } },
    { session },
  );
}

export async function setPurchaseLimit(
  models: StoreModels,
  variantId: string,
  limit: number | null,
  now: Date,
): Promise<Variant> {
  const id = parseObjectId(variantId);
  if (!id) throw new VariantNotFoundError(variantId);
  const update =
    limit === null
      ? { $unset: { purchaseLimit: '' }, $set: { updatedAt: now } }
      : { $set: { purchaseLimit: limit, updatedAt: now } };
  const doc = await models.variants.findOneAndUpdate({ _id: id }, update, {
    returnDocument: 'after',
    lean: true,
  });
  if (!doc) throw new VariantNotFoundError(variantId);
  return toVariant(doc);
}

/**
 * I6 for reconcile, in the caller's snapshot session: per shopper and variant, active + committed
 * units within the variant's purchaseLimit, and the counter equal to them. Same words as the
 * reference model.
 */
export async function purchaseLimitViolations(
  models: StoreModels,
  session: ClientSession,
): Promise<InvariantViolation[]> {
  type Row = { _id: { userId: string; variantId: Types.ObjectId }; units: number };
  const rows = await models.reservations
    .aggregate<Row>([
      { $match: { status: { $in: ['active', 'committed'] } } },
      {
        $group: {
          _id: { userId: '$userId', variantId: '$variantId' },
          units: { $sum: '$quantity' },
        },
      },
    ])
    .session(session);
  const limits = new Map<string, number>();
  const limited = await models.variants
    .find({ purchaseLimit: { $exists: true } }, { purchaseLimit: 1 })
    .session(session)
    .lean();
  for (const doc of limited) {
    if (doc.purchaseLimit != null) limits.set(idToString(doc._id), doc.purchaseLimit);
  }
  const key = (userId: string, variantId: string) => JSON.stringify([userId, variantId]);
  const held = new Map<string, number>();
  const violations: InvariantViolation[] = [];
  for (const row of rows) {
    const variantId = idToString(row._id.variantId);
    held.set(key(row._id.userId, variantId), row.units);
    const limit = limits.get(variantId);
    if (limit !== undefined && row.units > limit) {
      violations.push(
        i6(row._id.userId, `${row.units} units of variant ${variantId}, limit ${limit}`),
      );
    }
  }
  const counters = models.purchaseCounts.find({}).session(session).lean().cursor();
  for await (const doc of counters) {
    const variantId = idToString(doc.variantId);
    const k = key(doc.userId, variantId);
    const units = held.get(k) ?? 0;
    held.delete(k);
    if (doc.units !== units) {
      violations.push(
        i6(
          doc.userId,
          `purchase counter of variant ${variantId} is ${doc.units}, reservations hold ${units}`,
        ),
      );
    }
  }
  for (const [k, units] of held) {
    const [userId, variantId] = JSON.parse(k) as [string, string];
    violations.push(
      i6(userId, `purchase counter of variant ${variantId} is 0, reservations hold ${units}`),
    );
  }
  return violations;
}

function i6(userId: string, message: string): InvariantViolation {
  return { invariant: 'I6', subject: userId, message };
}
