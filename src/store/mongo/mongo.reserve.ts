import type { ClientSession } from 'mongodb';
import { Types } from 'mongoose';
import {
  DuplicateReservationError,
  MaxReservationsExceededError,
  OutOfStockError,
  ServiceUnavailableError,
  VariantNotFoundError,
} from '../../common/errors/domain-errors';
import type { Inventory, Reservation, ReserveCommand } from '../store.types';
import { parseObjectId, toInventory, toReservation } from './mongo.mappers';
import { ID_INDEX, indexNamed, isDuplicateKeyOn } from './mongo.errors';
import type { ReservationDoc, StoreModels } from './mongo.schemas';
import { MAX_ROUNDS } from './mongo.policy';
import { countPurchase, PurchaseCountRaced } from './mongo.purchase-limits';
import type { TransactionRunner } from './transactions';
import { applyStockChange } from './mongo.ledger';
import { MOVEMENT_DELTAS, shopperContext } from '../ledger';

/**
 * Thrown inside the reserve transaction when the shopper's hold list refused the new hold. The
 * refusal is an E11000 that has already aborted the transaction on the server, so the reason is
 * looked up after the transaction, outside it (see `explainRefusedHold`).
 */
class HoldRefused extends Error {}

/** Placing a hold: the hold list, the reservation, then the hot inventory document. */
export class MongoReserve {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
  ) {}

  async reserve(
    command: ReserveCommand,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    for (let round = 1; ; round++) {
      try {
        return await this.transactions.run(
          (session) => this.reserveAttempt(command, variantId, session),
          { deadline: command.deadline },
        );
      } catch (error) {
        // The purchase counter changed under its guard: the next round sees the new count.
        if (error instanceof PurchaseCountRaced) {
          if (round < MAX_ROUNDS) continue;
          throw new ServiceUnavailableError('Your purchases kept changing; try again');
        }
        if (!(error instanceof HoldRefused)) throw error;
        const refusal = await this.explainRefusedHold(command, variantId);
        if (refusal) throw refusal;
        // The blocking hold ended in between: the shopper may hold it now after all.
        if (round >= MAX_ROUNDS) {
          throw new ServiceUnavailableError('Your holds kept changing; try again');
        }
      }
    }
  }

  /** Reserve's three steps — hold list, reservation, inventory — in that order, in one transaction attempt. */
  private async reserveAttempt(
    command: ReserveCommand,
    variantId: Types.ObjectId,
    session: ClientSession,
  ): Promise<{ reservation: Reservation; inventory: Inventory }> {
    const { userId, quantity, now, maxActiveReservations: max } = command;
    // A fresh id per attempt: nothing of an aborted attempt survives into the next one.
    const reservationId = new Types.ObjectId();

    // 1. The hold list: one conditional $push is both the per-variant rule and the cap (I3).
    if (max < 1) throw new HoldRefused();
    try {
      await this.models.userholds.updateOne(
        {
          _id: userId,
          'holds.variantId': { $ne: variantId },
          // Fewer than max holds ⇔ no element at index max − 1.
          [`holds.${max - 1}`]: { $exists: false },
        },
        { $push: { holds: { reservationId, variantId, quantity } } },
        { session, upsert: true, setDefaultsOnInsert: false },
      );
    } catch (error) {
      // No match on an existing document makes the upsert insert a second `_id: userId`.
      if (isDuplicateKeyOn(error, ID_INDEX)) throw new HoldRefused();
      throw error;
    }

    // 2. The reservation. Its unique indexes catch a reused idempotency key (and, as a backstop
    // for I3, a second active hold on the variant).
    const reservation: ReservationDoc = {
      _id: reservationId,
      userId,
      variantId,
      quantity,
      status: 'active',
      expiresAt: command.expiresAt,
      ...(command.idempotencyKey !== undefined && { idempotencyKey: command.idempotencyKey }),
      ...(command.requestHash !== undefined && { requestHash: command.requestHash }),
      extensions: 0,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.models.reservations.insertOne(reservation, { session });
    } catch (error) {
      if (
        isDuplicateKeyOn(error, indexNamed('userId_idempotencyKey_unique')) ||
        isDuplicateKeyOn(error, indexNamed('one_active_per_user_variant'))
      ) {
        throw new DuplicateReservationError(command.variantId);
      }
      throw error;
    }

    // The shopper's purchase counter (I6): unknown variant and purchase limit are refused here.
    await countPurchase(this.models, session, userId, variantId, quantity);

    // 3. The ledger movement, then LAST the hot document, so its write lock is held for the
    // shortest time (mongo.ledger.ts: seq from the snapshot, the movement before the inventory).
    const inventory = await applyStockChange(
      this.models,
      session,
      {
        variantId,
        type: 'reserved',
        delta: MOVEMENT_DELTAS.reserved(quantity),
        reservation: { _id: reservationId, userId },
        context: shopperContext(command),
        now,
      },
      (current) => {
        if (current.availableStock < quantity) {
          throw new OutOfStockError(command.variantId, current.availableStock);
        }
      },
    );
    return { reservation: toReservation(reservation), inventory: toInventory(inventory) };
  }

  /**
   * Why the hold list refused, read after the aborted transaction (a read with its session would
   * fail with NoSuchTransaction, labelled transient, and the driver would re-run the callback,
   * hitting the same E11000 again). Same order as the reference model: duplicate, then the cap.
   * Null when neither holds any more (a hold ended meanwhile): the caller tries again.
   */
  private async explainRefusedHold(
    command: ReserveCommand,
    variantId: Types.ObjectId,
  ): Promise<DuplicateReservationError | MaxReservationsExceededError | null> {
    const doc = await this.models.userholds.findOne({ _id: command.userId }).read('primary').lean();
    const holds = doc?.holds ?? [];
    if (holds.some((hold) => hold.variantId.equals(variantId))) {
      return new DuplicateReservationError(command.variantId);
    }
    if (holds.length >= command.maxActiveReservations) {
      return new MaxReservationsExceededError(command.maxActiveReservations);
    }
    return null;
  }
}
