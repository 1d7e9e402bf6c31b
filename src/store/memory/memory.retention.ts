import { pairKey, type MemoryState } from './memory.state';

/**
 * Retention in the reference model, the rule MongoDB's TTL index `ended_retention` applies: a
 * released or expired reservation that ended at or before `endedBefore` is deleted, and with it
 * its (userId, Idempotency-Key) entry, so the key may be used for a new hold. Committed ones stay:
 * the purchase-limit counters (I6) are recomputed from them. Cart groups keep their lines' ids; a
 * deleted line simply no longer shows among the group's reservations, as in MongoDB.
 * A scan of every reservation: the memory store holds development and test data only.
 */
export function purgeEndedReservations(state: MemoryState, endedBefore: Date): number {
  let purged = 0;
  for (const [id, reservation] of state.reservations) {
    if (reservation.status !== 'released' && reservation.status !== 'expired') continue;
    if (!reservation.endedAt || reservation.endedAt.getTime() > endedBefore.getTime()) continue;
    state.reservations.delete(id);
    purged += 1;
    const mine = state.reservationIdsByUser.get(reservation.userId);
    if (mine) {
      const left = mine.filter((each) => each !== id);
      if (left.length > 0) state.reservationIdsByUser.set(reservation.userId, left);
      else state.reservationIdsByUser.delete(reservation.userId);
    }
    if (reservation.idempotencyKey !== undefined) {
      const key = pairKey(reservation.userId, reservation.idempotencyKey);
      if (state.reservationIdByIdempotencyKey.get(key) === id) {
        state.reservationIdByIdempotencyKey.delete(key);
      }
    }
  }
  return purged;
}
