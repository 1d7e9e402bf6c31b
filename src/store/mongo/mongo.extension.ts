import {
  ReservationExpiredError,
  ReservationNotActiveError,
  ReservationNotFoundError,
  ServiceUnavailableError,
} from '../../common/errors/domain-errors';
import type { CartGroupView, ExtendCommand, ExtendGroupCommand } from '../cart.types';
import { extendedExpiry, isExpired } from '../hold-extension';
import type { Reservation } from '../store.types';
import {
  groupView,
  linesOf,
  MAX_ROUNDS,
  ownedGroup,
  runRounds,
  SnapshotRaced,
} from './mongo.cart-groups';
import { idToString, parseObjectId, toReservation } from './mongo.mappers';
import type { ReservationDoc, StoreModels } from './mongo.schemas';
import type { TransactionRunner } from './transactions';

/**
 * Hold extension on MongoDB (architecture §12): a single hold by compare-and-swap, a cart group's
 * lines all or none in one transaction. Extension moves no stock, so it writes no movement and
 * never touches an inventory document.
 */
export class MongoExtension {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * One document, so no transaction: read, compute the new expiry, then a compare-and-swap on the
   * expiry and extension count read. The sweeper's own transition is conditional on
   * `status: active, expiresAt ≤ now`; whichever lands first makes the other's filter miss, so an
   * extension either lands before expiry or, re-read, fails with RESERVATION_EXPIRED.
   */
  async extendReservation(command: ExtendCommand): Promise<Reservation> {
    const id = parseObjectId(command.reservationId);
    if (!id) throw new ReservationNotFoundError(command.reservationId);
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const current = await this.models.reservations.findOne({ _id: id }).read('primary').lean();
      if (!current || current.userId !== command.userId) {
        throw new ReservationNotFoundError(command.reservationId);
      }
      const expiresAt = extendedExpiry(toReservation(current), command);
      const updated = await this.models.reservations.findOneAndUpdate(
        extensionGuard(current),
        { $set: { expiresAt, updatedAt: command.now }, $inc: { extensions: 1 } },
        { returnDocument: 'after', lean: true },
      );
      if (updated) return toReservation(updated);
      // Extended, committed, released or expired in between: judge it again on what it is now.
    }
    throw new ServiceUnavailableError('The hold kept changing; try the extension again');
  }

  async extendGroup(command: ExtendGroupCommand): Promise<CartGroupView> {
    return runRounds(() =>
      this.transactions.run(async (session) => {
        const group = await ownedGroup(this.models, command.groupId, command.userId, session);
        const lines = await linesOf(this.models, group, session);
        const expired = lines.find((r) => isExpired(toReservation(r), command.now));
        if (expired) throw new ReservationExpiredError(idToString(expired._id));
        const active = lines.filter((r) => r.status === 'active');
        if (active.length === 0) {
          throw new ReservationNotActiveError(
            idToString(group._id),
            lines[0]?.status ?? 'released',
          );
        }
        // Every line is judged before any is written: all or none.
        const expiries = active.map((r) => extendedExpiry(toReservation(r), command));
        for (const [i, line] of active.entries()) {
          const result = await this.models.reservations.updateOne(
            extensionGuard(line),
            { $set: { expiresAt: expiries[i], updatedAt: command.now }, $inc: { extensions: 1 } },
            { session },
          );
          if (result.modifiedCount !== 1) throw new SnapshotRaced();
        }
        return groupView(this.models, group, session);
      }),
    );
  }
}

/**
 * The compare-and-swap filter of an extension: still active, and still at the expiry and count
 * read. `extensions: null` also matches a reservation written before the field existed.
 */
function extensionGuard(current: ReservationDoc): Record<string, unknown> {
  return {
    _id: current._id,
    status: 'active',
    expiresAt: current.expiresAt,
    extensions: current.extensions ?? null,
  };
}
