import type { CartGroupView } from '../store/cart.types';
import { presentReservation, type ReservationResponse } from './reservation.presenter';

export interface CartLineResponse {
  variantId: string;
  quantity: number;
  status: 'held' | 'refused';
  /** The line's hold, as it is now (held lines only). */
  reservation?: ReservationResponse;
  /** Why the line was refused: OUT_OF_STOCK. */
  code?: string;
}

export interface CartResponse {
  groupId: string;
  policy: string;
  lines: CartLineResponse[];
}

export function presentCart(view: CartGroupView): CartResponse {
  const byId = new Map(view.reservations.map((r) => [r.id, r]));
  return {
    groupId: view.group.groupId,
    policy: view.group.policy,
    lines: view.group.lines.map((line) => {
      const body: CartLineResponse = {
        variantId: line.variantId,
        quantity: line.quantity,
        status: line.status,
      };
      const reservation = line.reservationId ? byId.get(line.reservationId) : undefined;
      if (reservation) body.reservation = presentReservation(reservation);
      if (line.code) body.code = line.code;
      return body;
    }),
  };
}
