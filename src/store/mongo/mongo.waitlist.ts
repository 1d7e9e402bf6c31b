import type { ClientSession } from 'mongodb';
import { Types } from 'mongoose';
import {
  AlreadyWaitingError,
  StockAvailableError,
  VariantNotFoundError,
} from '../../common/errors/domain-errors';
import type { InvariantViolation } from '../store.types';
import {
  entryView,
  saleOpen,
  waitlistViolations,
  type JoinWaitlistCommand,
  type WaitlistEntry,
  type WaitlistEntryView,
  type WaitlistNotice,
  type WaitlistPolicy,
} from '../waitlist.types';
import { errorCode, DUPLICATE_KEY } from './mongo.errors';
import { drawLottery, handOver, WaitlistRaced } from './mongo.hand-over';
import { idToString, parseObjectId } from './mongo.mappers';
import type { InventoryDoc, StoreModels, WaitlistEntryDoc } from './mongo.schemas';
import type { TransactionRunner } from './transactions';

/** The waitlist on MongoDB (architecture §14): joining, reading, leaving, expiry, hand-over. */
export class MongoWaitlist {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
    private readonly policy: () => WaitlistPolicy,
    private readonly notify: (notices: WaitlistNotice[]) => void,
  ) {}

  /**
   * One transaction: the variant (its saleStartsAt), the shopper's entry, the inventory read in
   * the snapshot, the lottery if due, the entry — and LAST the inventory document, written on
   * every join (`waitlistOrder`, guarded on the version read). That write is what keeps I8: a
   * freeing committed after our snapshot makes it a WriteConflict (the join runs again and sees
   * the freed units), and a freeing still running conflicts with it the other way round.
   */
  async join(command: JoinWaitlistCommand): Promise<WaitlistEntryView> {
    const { userId, quantity, now } = command;
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    const doc = await this.transactions.run(async (session) => {
      const variant = await this.models.variants
        .findOne({ _id: variantId }, { saleStartsAt: 1 })
        .session(session)
        .lean();
      if (!variant) throw new VariantNotFoundError(command.variantId);
      const existing = await this.models.waitlistEntries
        .findOne({ userId, variantId })
        .session(session)
        .lean();
      if (existing && existing.status === 'waiting' && existing.expiresAt > now) {
        throw new AlreadyWaitingError(command.variantId);
      }
      const read = await this.models.inventory.findOne({ variantId }).session(session).lean();
      if (!read) throw new VariantNotFoundError(command.variantId);
      let inventory: InventoryDoc = read;
      if (inventory.availableStock >= quantity) {
        throw new StockAvailableError(command.variantId, quantity);
      }
      const open = saleOpen(variant.saleStartsAt, now);
      // The first join after the opening draws the early entries, so they stay ahead of it.
      if (open) inventory = await drawLottery(this.models, session, inventory, this.policy());
      const order = (inventory.waitlistOrder ?? 0) + 1;
      if (existing) await this.models.waitlistEntries.deleteOne({ _id: existing._id }, { session });
      const entry: WaitlistEntryDoc = {
        _id: new Types.ObjectId(),
        userId,
        variantId,
        quantity,
        status: 'waiting',
        joinedAt: now,
        expiresAt: command.expiresAt,
        order: open ? order : null,
        updatedAt: now,
      };
      try {
        await this.models.waitlistEntries.insertOne(entry, { session });
      } catch (error) {
        // Another join of the same shopper won the unique index: run again, then refused.
        if (errorCode(error) === DUPLICATE_KEY) throw new WaitlistRaced();
        throw error;
      }
      await this.touchInventory(session, inventory, order);
      return entry;
    });
    return this.view(doc, now);
  }

  async get(userId: string, variantId: string, now: Date): Promise<WaitlistEntryView | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.waitlistEntries
      .findOne({ userId, variantId: id })
      .read('primary')
      .lean();
    return doc ? this.view(doc, now) : null;
  }

  async leave(userId: string, variantId: string): Promise<boolean> {
    const id = parseObjectId(variantId);
    if (!id) return false;
    // Leaving only takes a constraint away (I8 compares with the entries that stay): no transaction.
    const result = await this.models.waitlistEntries.deleteOne({ userId, variantId: id });
    return result.deletedCount === 1;
  }

  async expire(now: Date, limit: number): Promise<WaitlistEntry[]> {
    if (limit <= 0) return [];
    const due = await this.models.waitlistEntries
      .find({ status: 'waiting', expiresAt: { $lte: now } })
      .sort({ expiresAt: 1, order: 1, _id: 1 })
      .limit(limit)
      .read('primary')
      .lean();
    const expired: WaitlistEntryDoc[] = [];
    for (const doc of due) {
      // Conditional, so a hand-over that offered or skipped the entry meanwhile keeps its answer.
      const ended = await this.models.waitlistEntries.findOneAndUpdate(
        { _id: doc._id, status: 'waiting', expiresAt: { $lte: now } },
        { $set: { status: 'expired', updatedAt: now } },
        { returnDocument: 'after', lean: true },
      );
      if (ended) expired.push(ended);
    }
    this.notify(
      expired.map((doc) => ({
        type: 'expired',
        userId: doc.userId,
        variantId: idToString(doc.variantId),
        entryId: idToString(doc._id),
      })),
    );
    return expired.map(toWaitlistEntry);
  }

  /** See mongo.hand-over.ts; notices are collected per attempt and sent by the caller after commit. */
  handOver(
    session: ClientSession,
    inventory: InventoryDoc,
    now: Date,
    notices: WaitlistNotice[],
  ): Promise<InventoryDoc> {
    return handOver(this.models, session, inventory, now, this.policy(), notices);
  }

  /** Sends what a committed transaction did to entries (Store.notifyWaitlist). */
  committed(notices: WaitlistNotice[]): void {
    this.notify(notices);
  }

  /** I8, in the reconcile's snapshot: the smallest waiting quantity per variant. */
  async violations(
    session: ClientSession,
    availableByVariant: Map<string, number>,
  ): Promise<InvariantViolation[]> {
    const rows = await this.models.waitlistEntries
      .aggregate<{ _id: Types.ObjectId; smallest: number }>([
        { $match: { status: 'waiting' } },
        { $group: { _id: '$variantId', smallest: { $min: '$quantity' } } },
      ])
      .session(session);
    const found: InvariantViolation[] = [];
    for (const row of rows) {
      const variantId = idToString(row._id);
      const available = availableByVariant.get(variantId);
      if (available !== undefined) {
        found.push(...waitlistViolations(variantId, available, row.smallest));
      }
    }
    return found;
  }

  /** Last, the hot document: the join's write that conflicts with any concurrent stock change. */
  private async touchInventory(
    session: ClientSession,
    inventory: InventoryDoc,
    order: number,
  ): Promise<void> {
    const touched = await this.models.inventory.updateOne(
      { variantId: inventory.variantId, version: inventory.version },
      { $set: { waitlistOrder: order } },
      { session },
    );
    if (touched.matchedCount === 0) throw new WaitlistRaced();
  }

  private async view(doc: WaitlistEntryDoc, now: Date): Promise<WaitlistEntryView> {
    const entry = toWaitlistEntry(doc);
    let ahead: number | null = null;
    if (doc.status === 'waiting' && doc.order !== null) {
      ahead = await this.models.waitlistEntries
        .countDocuments({
          variantId: doc.variantId,
          status: 'waiting',
          order: { $ne: null, $lt: doc.order },
          expiresAt: { $gt: now },
        })
        .read('primary');
    }
    return entryView(entry, now, ahead);
  }
}

export function toWaitlistEntry(doc: WaitlistEntryDoc): WaitlistEntry {
  return {
    id: idToString(doc._id),
    userId: doc.userId,
    variantId: idToString(doc.variantId),
    quantity: doc.quantity,
    status: doc.status,
    joinedAt: new Date(doc.joinedAt.getTime()),
    expiresAt: new Date(doc.expiresAt.getTime()),
    order: doc.order ?? null,
    ...(doc.reservationId != null && { reservationId: idToString(doc.reservationId) }),
    ...(doc.skipReason != null && { skipReason: doc.skipReason }),
    updatedAt: new Date(doc.updatedAt.getTime()),
  };
}
