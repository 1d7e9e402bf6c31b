import type { ClientSession } from 'mongodb';
import { Types } from 'mongoose';
import { MOVEMENT_DELTAS } from '../ledger';
import {
  shuffled,
  WAITLIST_ACTOR,
  type SkipReason,
  type WaitlistNotice,
  type WaitlistPolicy,
} from '../waitlist.types';
import { errorCode, DUPLICATE_KEY } from './mongo.errors';
import { applyStockChange } from './mongo.ledger';
import { idToString } from './mongo.mappers';
import { addUnits, PurchaseCountRaced } from './mongo.purchase-limits';
import type { InventoryDoc, ReservationDoc, StoreModels, WaitlistEntryDoc } from './mongo.schemas';

/**
 * The waitlist changed under this transaction (a concurrent hold, join or counter write). Like
 * LedgerRaced it carries the TransientTransactionError label, so TransactionRunner (which reads
 * labels through `hasErrorLabel`) aborts and runs the whole callback again on a fresh snapshot.
 */
export class WaitlistRaced extends Error {
  constructor() {
    super('the waitlist changed under this transaction; running it again');
  }

  hasErrorLabel(label: string): boolean {
    return label === 'TransientTransactionError';
  }
}

type Entry = WaitlistEntryDoc & { id: string };

/**
 * Hand-over on MongoDB (architecture §14), inside the transaction that freed units, right after
 * the freeing changed the inventory: the variant's waiters get the units in line order as offers.
 *
 * Why this cannot hand units to the wrong shopper under concurrency: the freeing transaction has
 * written the inventory document already, and every join writes that same document
 * (`waitlistOrder`). In a snapshot transaction a write to a document another transaction changed
 * after our snapshot is a WriteConflict (transient: the callback runs again), so a join that
 * committed after our snapshot makes us re-run and see it, and a join that has not committed yet
 * fails its own inventory write. Likewise two freeings of one variant serialise on the inventory.
 * Each offer is written with the reserve algorithm's own steps (hold list, reservation, purchase
 * counter, ledger movement + inventory via applyStockChange), so I3, I6 and I7 hold as for any hold.
 */
export async function handOver(
  models: StoreModels,
  session: ClientSession,
  inventory: InventoryDoc,
  now: Date,
  policy: WaitlistPolicy,
  notices: WaitlistNotice[],
): Promise<InventoryDoc> {
  const { variantId } = inventory;
  const waiting = { variantId, status: 'waiting' as const };
  // The common case, a variant nobody waits for, costs one indexed read.
  const any = await models.waitlistEntries.findOne(waiting, { _id: 1 }).session(session).lean();
  if (!any) return inventory;

  // Lapsed entries leave the line first: I8 speaks of the entries still waiting.
  const lapsed = await models.waitlistEntries
    .find({ ...waiting, expiresAt: { $lte: now } })
    .session(session)
    .lean();
  if (lapsed.length > 0) {
    await models.waitlistEntries.updateMany(
      { _id: { $in: lapsed.map((doc) => doc._id) }, status: 'waiting' },
      { $set: { status: 'expired', updatedAt: now } },
      { session },
    );
    for (const doc of lapsed) notices.push({ type: 'expired', ...about(doc) });
  }

  let current = await drawLottery(models, session, inventory, policy);
  if (current.availableStock === 0) return current;
  const variant = await models.variants
    .findOne({ _id: variantId }, { purchaseLimit: 1 })
    .session(session)
    .lean();

  for await (const entry of walkLine(models, session, variantId, () => current.availableStock)) {
    if (current.availableStock === 0) break;
    if (entry.quantity > current.availableStock) continue;
    const holds = await models.userholds.findOne({ _id: entry.userId }).session(session).lean();
    const counted = await models.purchaseCounts
      .findOne({ userId: entry.userId, variantId }, { units: 1 })
      .session(session)
      .lean();
    const reason = skipReason(entry, holds?.holds ?? [], counted?.units ?? 0, {
      max: policy.maxActiveReservations,
      purchaseLimit: variant?.purchaseLimit ?? undefined,
    });
    if (reason) {
      await endEntry(models, session, entry, { status: 'skipped', skipReason: reason }, now);
      notices.push({ type: 'skipped', ...about(entry), reason });
      continue;
    }
    const reservation = await placeOffer(models, session, entry, {
      hasHoldList: holds !== null,
      counted: counted?.units ?? 0,
      expiresAt: new Date(now.getTime() + policy.offerTtlMs),
      now,
      max: policy.maxActiveReservations,
    });
    current = await applyStockChange(models, session, {
      variantId,
      type: 'reserved',
      delta: MOVEMENT_DELTAS.reserved(entry.quantity),
      reservation,
      context: { actor: WAITLIST_ACTOR },
      now,
    });
    await endEntry(
      models,
      session,
      entry,
      { status: 'offered', reservationId: reservation._id },
      now,
    );
    notices.push({
      type: 'offer',
      ...about(entry),
      reservationId: idToString(reservation._id),
      quantity: entry.quantity,
      expiresAt: reservation.expiresAt,
    });
  }
  return current;
}

/** Entries read per round trip while walking the line: most hand-overs need the first few only. */
const LINE_PAGE = 20;

/**
 * The variant's waiting entries that fit what is available now, in line order, a page at a time
 * (on the {variantId, status, order} index, no sort in memory), until nothing is left to give.
 * Places are unique per variant (the inventory's counter), so `order` alone orders the line.
 */
async function* walkLine(
  models: StoreModels,
  session: ClientSession,
  variantId: Types.ObjectId,
  available: () => number,
): AsyncGenerator<Entry> {
  let after: number | null = null;
  while (available() > 0) {
    const page: WaitlistEntryDoc[] = await models.waitlistEntries
      .find({
        variantId,
        status: 'waiting',
        order: after === null ? { $ne: null } : { $gt: after },
        quantity: { $lte: available() },
      })
      .sort({ order: 1 })
      .limit(LINE_PAGE)
      .session(session)
      .lean();
    for (const doc of page) yield { ...doc, id: idToString(doc._id) };
    if (page.length < LINE_PAGE) return;
    after = page[page.length - 1].order;
  }
}

/**
 * The opening lottery: waiting entries without a place get the next places, in a random order,
 * and the inventory's `waitlistOrder` moves past them. Returns the inventory as it now stands.
 */
export async function drawLottery(
  models: StoreModels,
  session: ClientSession,
  inventory: InventoryDoc,
  policy: WaitlistPolicy,
): Promise<InventoryDoc> {
  const undrawn = await models.waitlistEntries
    .find({ variantId: inventory.variantId, status: 'waiting', order: null }, { _id: 1 })
    .sort({ _id: 1 })
    .session(session)
    .lean();
  if (undrawn.length === 0) return inventory;
  const last = inventory.waitlistOrder ?? 0;
  const drawn = shuffled(undrawn, policy.random);
  for (const [i, doc] of drawn.entries()) {
    await models.waitlistEntries.updateOne(
      { _id: doc._id, order: null },
      { $set: { order: last + 1 + i } },
      { session },
    );
  }
  const updated = await models.inventory.findOneAndUpdate(
    { variantId: inventory.variantId, version: inventory.version },
    { $set: { waitlistOrder: last + drawn.length } },
    { session, returnDocument: 'after', lean: true },
  );
  if (!updated) throw new WaitlistRaced();
  return updated;
}

/** The caps the same hold would be refused on, in reserve's order; the same words as memory. */
function skipReason(
  entry: Entry,
  holds: Array<{ variantId: Types.ObjectId }>,
  counted: number,
  caps: { max: number; purchaseLimit: number | undefined },
): SkipReason | null {
  if (holds.some((hold) => hold.variantId.equals(entry.variantId))) return 'DUPLICATE_RESERVATION';
  if (holds.length >= caps.max) return 'MAX_RESERVATIONS_EXCEEDED';
  if (caps.purchaseLimit !== undefined && counted + entry.quantity > caps.purchaseLimit) {
    return 'PURCHASE_LIMIT_EXCEEDED';
  }
  return null;
}

/**
 * The offer's hold list entry, reservation and purchase counter, guarded on what was read in this
 * snapshot; any guard that misses (or an E11000: an insert another transaction beat us to) is a
 * race, so the transaction runs again (WaitlistRaced).
 */
async function placeOffer(
  models: StoreModels,
  session: ClientSession,
  entry: Entry,
  offer: { hasHoldList: boolean; counted: number; expiresAt: Date; now: Date; max: number },
): Promise<ReservationDoc> {
  const { userId, variantId, quantity } = entry;
  const reservationId = new Types.ObjectId();
  const hold = { reservationId, variantId, quantity };
  const reservation: ReservationDoc = {
    _id: reservationId,
    userId,
    variantId,
    quantity,
    status: 'active',
    expiresAt: offer.expiresAt,
    extensions: 0,
    source: 'waitlist',
    createdAt: offer.now,
    updatedAt: offer.now,
  };
  try {
    if (offer.hasHoldList) {
      const pushed = await models.userholds.updateOne(
        {
          _id: userId,
          'holds.variantId': { $ne: variantId },
          [`holds.${offer.max - 1}`]: { $exists: false },
        },
        { $push: { holds: hold } },
        { session },
      );
      if (pushed.matchedCount === 0) throw new WaitlistRaced();
    } else {
      await models.userholds.insertOne({ _id: userId, holds: [hold] }, { session });
    }
    await models.reservations.insertOne(reservation, { session });
    await addUnits(models, session, userId, variantId, offer.counted, quantity);
  } catch (error) {
    if (error instanceof PurchaseCountRaced || errorCode(error) === DUPLICATE_KEY) {
      throw new WaitlistRaced();
    }
    throw error;
  }
  return reservation;
}

async function endEntry(
  models: StoreModels,
  session: ClientSession,
  entry: Entry,
  fields: Partial<WaitlistEntryDoc>,
  now: Date,
): Promise<void> {
  const ended = await models.waitlistEntries.updateOne(
    { _id: entry._id, status: 'waiting' },
    { $set: { ...fields, updatedAt: now } },
    { session },
  );
  if (ended.matchedCount === 0) throw new WaitlistRaced();
}

function about(doc: Pick<WaitlistEntryDoc, '_id' | 'userId' | 'variantId'>): {
  userId: string;
  variantId: string;
  entryId: string;
} {
  return { userId: doc.userId, variantId: idToString(doc.variantId), entryId: idToString(doc._id) };
}
