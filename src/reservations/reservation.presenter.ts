import type { Reservation } from '../store/store.types';

export interface ReservationResponse {
  id: string;
  userId: string;
  variantId: string;
  quantity: number;
  status: string;
  expiresAt: string;
  /** Times the hold was extended. */
  extensions: number;
  /** The cart hold this is a line of. */
  groupId?: string;
  /** `waitlist` for an offer the waitlist made from freed units, else `direct`. */
  source: 'direct' | 'waitlist';
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
}

export function presentReservation(reservation: Reservation): ReservationResponse {
  const body: ReservationResponse = {
    id: reservation.id,
    userId: reservation.userId,
    variantId: reservation.variantId,
    quantity: reservation.quantity,
    status: reservation.status,
    expiresAt: reservation.expiresAt.toISOString(),
    extensions: reservation.extensions,
    source: reservation.source ?? 'direct',
    createdAt: reservation.createdAt.toISOString(),
    updatedAt: reservation.updatedAt.toISOString(),
  };
  if (reservation.groupId) body.groupId = reservation.groupId;
  if (reservation.endedAt) body.endedAt = reservation.endedAt.toISOString();
  return body;
}
