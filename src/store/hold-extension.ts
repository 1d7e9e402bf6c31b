import {
  HoldLifetimeExceededError,
  ReservationExpiredError,
  ReservationNotActiveError,
} from '../common/errors/domain-errors';
import type { ExtendCommand } from './cart.types';
import type { Reservation } from './store.types';

/**
 * The rules of hold extension and expiry shared by both stores, as pure functions of a
 * reservation's current state, so the reference model and the MongoDB adapter judge alike.
 */

/** Expired, or still active past expiresAt (the sweeper has not got to it yet). */
export function isExpired(reservation: Reservation, now: Date): boolean {
  return (
    reservation.status === 'expired' ||
    (reservation.status === 'active' && reservation.expiresAt <= now)
  );
}

/** The expiry an extension would set, or the reason it is refused (the checks of extendReservation). */
export function extendedExpiry(
  reservation: Reservation,
  command: Pick<ExtendCommand, 'now' | 'ttlMs' | 'maxLifetimeMs' | 'maxExtensions'>,
): Date {
  if (isExpired(reservation, command.now)) throw new ReservationExpiredError(reservation.id);
  if (reservation.status !== 'active') {
    throw new ReservationNotActiveError(reservation.id, reservation.status);
  }
  if (reservation.extensions >= command.maxExtensions) {
    throw new HoldLifetimeExceededError(
      `Reservation ${reservation.id} was already extended ${reservation.extensions} times, the maximum`,
    );
  }
  const expiresAt = new Date(
    Math.min(
      command.now.getTime() + command.ttlMs,
      reservation.createdAt.getTime() + command.maxLifetimeMs,
    ),
  );
  if (expiresAt <= reservation.expiresAt) {
    throw new HoldLifetimeExceededError(
      `Reservation ${reservation.id} has reached its maximum lifetime; it cannot be extended`,
    );
  }
  return expiresAt;
}
