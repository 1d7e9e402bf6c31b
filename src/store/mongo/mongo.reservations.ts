import type { ClientSession } from 'mongodb';
import {
  ReservationExpiredError,
  ReservationNotActiveError,
  ReservationNotFoundError,
} from '../../common/errors/domain-errors';
import type {
  CommitCommand,
  Inventory,
  ListReservationsQuery,
  ReleaseCommand,
  Reservation,
  ReservationChange,
} from '../store.types';
import { idToString, parseObjectId, toInventory, toReservation } from './mongo.mappers';
import type { ReservationDoc, StoreModels } from './mongo.schemas';
import { givePurchaseBack } from './mongo.purchase-limits';
import type { TransactionRunner } from './transactions';
import type { MongoWaitlist } from './mongo.waitlist';
import type { WaitlistNotice } from '../waitlist.types';
import { applyStockChange } from './mongo.ledger';
import {
  MOVEMENT_DELTAS,
  shopperContext,
  type MovementContext,
  type StockFigures,
} from '../ledger';

/** Reading holds and ending them: commit, release, expiry. */
export class MongoReservations {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
    private readonly waitlist: MongoWaitlist,
  ) {}

  async findReservation(reservationId: string): Promise<Reservation | null> {
    const id = parseObjectId(reservationId);
    if (!id) return null;
    const doc = await this.models.reservations.findOne({ _id: id }).read('primary').lean();
    return doc ? toReservation(doc) : null;
  }

  async findReservationByIdempotencyKey(userId: string, key: string): Promise<Reservation | null> {
    const doc = await this.models.reservations
      .findOne({ userId, idempotencyKey: key })
      .read('primary')
      .lean();
    return doc ? toReservation(doc) : null;
  }

  async listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    // MongoDB reads limit 0 as "no limit"; the port means "none".
    if (query.limit <= 0) return [];
    const docs = await this.models.reservations
      .find({ userId: query.userId, ...(query.status !== undefined && { status: query.status }) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(query.limit)
      .read('primary')
      .lean();
    return docs.map(toReservation);
  }

  async commitReservation(command: CommitCommand): Promise<ReservationChange> {
    const { userId, now } = command;
    const id = parseObjectId(command.reservationId);
    if (!id) throw new ReservationNotFoundError(command.reservationId);
    return this.transactions.run(async (session) => {
      const committed = await this.models.reservations.findOneAndUpdate(
        { _id: id, userId, status: 'active', expiresAt: { $gt: now } },
        { $set: { status: 'committed', updatedAt: now, endedAt: now } },
        { session, returnDocument: 'after', lean: true },
      );
      if (!committed) {
        // Same snapshot as the refused update, so this read explains exactly that refusal.
        const current = await this.models.reservations.findOne({ _id: id }).session(session).lean();
        // Another shopper's reservation looks unknown, so existence never leaks.
        if (!current || current.userId !== userId) {
          throw new ReservationNotFoundError(command.reservationId);
        }
        if (current.status === 'committed') return unchanged(current);
        if (current.status === 'released') {
          throw new ReservationNotActiveError(idToString(current._id), current.status);
        }
        // Expired, or still active but past its expiresAt (the sweeper has not got to it yet).
        throw new ReservationExpiredError(idToString(current._id));
      }
      const q = committed.quantity;
      await this.pullHold(session, committed);
      // LAST, the hot document (as in reserve): its write lock is held from here to the commit
      // only, which matters while a sale's holds are being committed and expired under load.
      const inventory = await this.changeStock(session, committed, 'committed', {
        delta: MOVEMENT_DELTAS.committed(q),
        context: shopperContext(command),
        now,
      });
      return { reservation: toReservation(committed), inventory, changed: true };
    });
  }

  async releaseReservation(command: ReleaseCommand): Promise<ReservationChange> {
    const { userId, reason, now } = command;
    const id = parseObjectId(command.reservationId);
    if (!id) throw new ReservationNotFoundError(command.reservationId);
    const { change, notices } = await this.transactions.run(async (session) => {
      // Per attempt: an aborted attempt's offers never happened.
      const notices: WaitlistNotice[] = [];
      const ended = await this.models.reservations.findOneAndUpdate(
        {
          _id: id,
          status: 'active',
          ...(userId !== undefined && { userId }),
          // The sweeper may race a clock skew: only a hold that is really due expires.
          ...(reason === 'expired' && { expiresAt: { $lte: now } }),
        },
        { $set: { status: reason, updatedAt: now, endedAt: now } },
        { session, returnDocument: 'after', lean: true },
      );
      if (!ended) {
        const current = await this.models.reservations.findOne({ _id: id }).session(session).lean();
        if (!current || (userId !== undefined && current.userId !== userId)) {
          throw new ReservationNotFoundError(command.reservationId);
        }
        if (current.status === 'committed') {
          throw new ReservationNotActiveError(idToString(current._id), current.status);
        }
        // Already released or expired (a repeat), or — reason `expired` — not due yet: left alone.
        return { change: unchanged(current), notices };
      }
      const q = ended.quantity;
      await this.pullHold(session, ended);
      // Released and expired units give the shopper's purchase allowance back (I6).
      await givePurchaseBack(this.models, session, ended);
      // LAST, the hot document, as in commit and reserve.
      const freed = await applyStockChange(this.models, session, {
        variantId: ended.variantId,
        type: reason,
        delta: MOVEMENT_DELTAS.released(q),
        reservation: ended,
        context: shopperContext(command),
        now,
      });
      // The freed units go to the variant's waiters first, in this transaction (I8).
      const inventory = await this.waitlist.handOver(session, freed, now, notices);
      const change = { reservation: toReservation(ended), inventory: toInventory(inventory) };
      return { change: { ...change, changed: true }, notices };
    });
    this.waitlist.committed(notices);
    return change;
  }

  /**
   * Active holds due at `now`, oldest expiry first, ties by id — the reference model's order, so
   * both stores sweep alike. The partial {status, expiresAt} index finds the due holds; the `_id`
   * tie-break makes the server sort them (a top-`limit` sort over the due set only, which the
   * sweeper keeps small by running every second).
   */
  async findDueReservations(now: Date, limit: number): Promise<Reservation[]> {
    if (limit <= 0) return [];
    const docs = await this.models.reservations
      .find({ status: 'active', expiresAt: { $lte: now } })
      .sort({ expiresAt: 1, _id: 1 })
      .limit(limit)
      .read('primary')
      .lean();
    return docs.map(toReservation);
  }

  /** Applies a stock delta for an ended reservation, with its ledger movement (I5, I7). */
  private async changeStock(
    session: ClientSession,
    reservation: ReservationDoc,
    type: 'committed' | 'released' | 'expired',
    change: { delta: StockFigures; context: MovementContext; now: Date },
  ): Promise<Inventory> {
    // An active reservation always has its inventory while I2 holds (else VariantNotFoundError).
    const inventory = await applyStockChange(this.models, session, {
      variantId: reservation.variantId,
      type,
      reservation,
      ...change,
    });
    return toInventory(inventory);
  }

  private async pullHold(session: ClientSession, reservation: ReservationDoc): Promise<void> {
    await this.models.userholds.updateOne(
      { _id: reservation.userId },
      { $pull: { holds: { reservationId: reservation._id } } },
      { session },
    );
  }
}

function unchanged(doc: ReservationDoc): ReservationChange {
  return { reservation: toReservation(doc), inventory: null, changed: false };
}
