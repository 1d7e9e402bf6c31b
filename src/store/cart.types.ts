/** Records of the store port's cart holds, group operations and hold extension. */
import type { MovementContext } from './ledger';
import type { Inventory, Reservation } from './store.types';

export const CART_POLICIES = ['all_or_nothing', 'best_effort'] as const;
export type CartPolicy = (typeof CART_POLICIES)[number];

export interface CartLine {
  variantId: string;
  quantity: number;
}

/**
 * How one line of a cart came out. `held` lines carry their reservation; `refused` lines a code:
 * OUT_OF_STOCK (not enough stock for this line) or NOT_ATTEMPTED (all_or_nothing: this line had
 * stock, another did not, so nothing was held).
 */
export interface CartLineOutcome {
  variantId: string;
  quantity: number;
  status: 'held' | 'refused';
  reservationId?: string;
  code?: 'OUT_OF_STOCK' | 'NOT_ATTEMPTED';
}

/** A cart hold as stored: the request's outcome, line by line, owned by one shopper. */
export interface CartGroup {
  groupId: string;
  userId: string;
  policy: CartPolicy;
  lines: CartLineOutcome[];
  idempotencyKey?: string;
  requestHash?: string;
  createdAt: Date;
}

export interface ReserveCartCommand extends MovementContext {
  userId: string;
  /**
   * Lines naming one variant are summed by the store before anything else (sumCartLines). The
   * service has already checked the summed quantities and the number of lines.
   */
  lines: CartLine[];
  policy: CartPolicy;
  expiresAt: Date;
  maxActiveReservations: number;
  idempotencyKey?: string;
  requestHash?: string;
  now: Date;
  /** A `performance.now()` time after which the store starts no new transaction attempt. */
  deadline?: number;
}

export interface CartHoldResult {
  group: CartGroup;
  /** The held lines' reservations, in line order. */
  reservations: Reservation[];
  /** Inventory after the change, one per held line. */
  inventories: Inventory[];
}

/** A group with the current state of its held lines' reservations. */
export interface CartGroupView {
  group: CartGroup;
  reservations: Reservation[];
}

export interface GroupCommand extends MovementContext {
  groupId: string;
  userId: string;
  now: Date;
}

export interface GroupChange extends CartGroupView {
  /** Inventories changed, one per line whose reservation moved; empty when nothing changed. */
  inventories: Inventory[];
  changed: boolean;
}

export interface ExtendCommand {
  reservationId: string;
  userId: string;
  now: Date;
  /** RESERVATION_TTL_SECONDS in ms: the new expiry is at most now + this … */
  ttlMs: number;
  /** … and never past createdAt + MAX_HOLD_LIFETIME_SECONDS. */
  maxLifetimeMs: number;
  maxExtensions: number;
}

export type ExtendGroupCommand = Omit<ExtendCommand, 'reservationId'> & { groupId: string };
