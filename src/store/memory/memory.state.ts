import {
  DuplicateReservationError,
  MaxReservationsExceededError,
  PurchaseLimitExceededError,
  ReservationNotFoundError,
  VariantNotFoundError,
} from '../../common/errors/domain-errors';
import { newObjectId } from '../object-id';
import type { CartGroup } from '../cart.types';
import {
  figuresOf,
  MOVEMENT_DELTAS,
  SWEEPER_ACTOR,
  type MovementContext,
  type MovementType,
  type StockFigures,
  type StockMovement,
} from '../ledger';
import type { Inventory, Reservation, Variant } from '../store.types';

/** One entry of a shopper's `userholds` document (architecture §2). */
export interface Hold {
  reservationId: string;
  variantId: string;
  quantity: number;
}

/**
 * Records cross the port boundary only as deep copies (Dates included), so a caller can never
 * reach into the store's state, and the store never keeps a caller's Date that may later change.
 */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** JSON keeps the parts apart whatever characters they contain. */
export function pairKey(first: string, second: string): string {
  return JSON.stringify([first, second]);
}

export interface NewHold {
  userId: string;
  variantId: string;
  quantity: number;
  expiresAt: Date;
  now: Date;
  idempotencyKey?: string;
  requestHash?: string;
  groupId?: string;
  /** `waitlist` for an offer (memory.waitlist.ts). */
  source?: 'waitlist';
  context?: MovementContext;
}

/** What a movement says beyond its figures: the hold behind it and who made it. */
export interface MovementDetails {
  reservation?: Pick<Reservation, 'id' | 'groupId' | 'userId'>;
  context?: MovementContext;
}

/**
 * The collections of the in-memory reference model and the synchronous steps the operations are
 * made of. Shared by MemoryStore and the cart operations (memory.carts.ts); every method is
 * synchronous, so an operation built from them stays atomic on Node's single thread.
 */
export class MemoryState {
  readonly variants = new Map<string, Variant>();
  /** The unique sku index, by lower-cased SKU: SKUs differing only in case are one SKU. */
  readonly variantIdBySku = new Map<string, string>();
  readonly inventory = new Map<string, Inventory>();
  readonly reservations = new Map<string, Reservation>();
  /**
   * The unique (userId, idempotencyKey) index: a key stays taken whatever the status, until
   * retention deletes its released or expired reservation (memory.retention.ts).
   */
  readonly reservationIdByIdempotencyKey = new Map<string, string>();
  readonly userholds = new Map<string, Hold[]>();
  /** Secondary indexes, like MongoDB's: reservations by user, and the active ones (for the sweeper). */
  readonly reservationIdsByUser = new Map<string, string[]>();
  readonly activeReservationIds = new Set<string>();
  /** Cart holds by group id, and their unique (userId, idempotencyKey) index. */
  readonly groups = new Map<string, CartGroup>();
  readonly groupIdByIdempotencyKey = new Map<string, string>();
  /** Active + committed units per (userId, variantId): the purchase-limit counter (I6). */
  readonly purchasedUnits = new Map<string, number>();
  /** The `stockmovements` collection: each variant's ledger, ascending seq (I7). */
  readonly movements = new Map<string, StockMovement[]>();

  /** Duplicate (one active hold per variant) and cap (I3) for holds on all of `variantIds`. */
  checkHoldsAllowed(userId: string, variantIds: string[], max: number): void {
    const holds = this.userholds.get(userId) ?? [];
    for (const variantId of variantIds) {
      if (holds.some((hold) => hold.variantId === variantId)) {
        throw new DuplicateReservationError(variantId);
      }
    }
    if (holds.length + variantIds.length > max) throw new MaxReservationsExceededError(max);
  }

  variantOrThrow(variantId: string): { variant: Variant; inventory: Inventory } {
    const variant = this.variants.get(variantId);
    const inventory = this.inventory.get(variantId);
    if (!variant || !inventory) throw new VariantNotFoundError(variantId);
    return { variant, inventory };
  }

  /** I6: active + committed units after adding `quantity` stay within the variant's limit. */
  checkPurchaseLimit(userId: string, variant: Variant, quantity: number): void {
    if (variant.purchaseLimit === undefined) return;
    const units = this.purchasedUnits.get(pairKey(userId, variant.id)) ?? 0;
    if (units + quantity > variant.purchaseLimit) {
      throw new PurchaseLimitExceededError(
        variant.id,
        variant.purchaseLimit,
        Math.max(0, variant.purchaseLimit - units),
      );
    }
  }

  /** Writes a hold whose every check has passed: reservation, hold list, counter, inventory. */
  placeHold(hold: NewHold, inventory: Inventory): Reservation {
    const { userId, variantId, quantity, now } = hold;
    const reservation: Reservation = copy({
      id: newObjectId(now),
      userId,
      variantId,
      quantity,
      status: 'active' as const,
      expiresAt: hold.expiresAt,
      ...(hold.idempotencyKey !== undefined && { idempotencyKey: hold.idempotencyKey }),
      ...(hold.requestHash !== undefined && { requestHash: hold.requestHash }),
      ...(hold.groupId !== undefined && { groupId: hold.groupId }),
      extensions: 0,
      ...(hold.source !== undefined && { source: hold.source }),
      createdAt: now,
      updatedAt: now,
    });
    this.reservations.set(reservation.id, reservation);
    this.activeReservationIds.add(reservation.id);
    const mine = this.reservationIdsByUser.get(userId);
    if (mine) mine.push(reservation.id);
    else this.reservationIdsByUser.set(userId, [reservation.id]);
    if (hold.idempotencyKey !== undefined) {
      this.reservationIdByIdempotencyKey.set(pairKey(userId, hold.idempotencyKey), reservation.id);
    }
    const holds = this.userholds.get(userId) ?? [];
    this.userholds.set(userId, [...holds, { reservationId: reservation.id, variantId, quantity }]);
    this.addPurchasedUnits(userId, variantId, quantity);
    inventory.availableStock -= quantity;
    inventory.reservedStock += quantity;
    this.markChanged(inventory, now, 'reserved', MOVEMENT_DELTAS.reserved(quantity), {
      reservation,
      context: hold.context,
    });
    return reservation;
  }

  /** Unknown and another shopper's reservation look the same, so existence never leaks. */
  ownedReservation(reservationId: string, userId: string | undefined): Reservation {
    const reservation = this.reservations.get(reservationId);
    if (!reservation || (userId !== undefined && reservation.userId !== userId)) {
      throw new ReservationNotFoundError(reservationId);
    }
    return reservation;
  }

  /** active → committed: reserved −q, total −q. The purchase counter keeps the units. */
  commit(reservation: Reservation, now: Date, context?: MovementContext): Inventory {
    const inventory = this.end(reservation, 'committed', now);
    inventory.reservedStock -= reservation.quantity;
    inventory.totalStock -= reservation.quantity;
    const delta = MOVEMENT_DELTAS.committed(reservation.quantity);
    this.markChanged(inventory, now, 'committed', delta, { reservation, context });
    return inventory;
  }

  /** active → released | expired: reserved −q, available +q, and the allowance is given back. */
  release(
    reservation: Reservation,
    reason: 'released' | 'expired',
    now: Date,
    context?: MovementContext,
  ): Inventory {
    const inventory = this.end(reservation, reason, now);
    inventory.reservedStock -= reservation.quantity;
    inventory.availableStock += reservation.quantity;
    this.addPurchasedUnits(reservation.userId, reservation.variantId, -reservation.quantity);
    const delta = MOVEMENT_DELTAS.released(reservation.quantity);
    this.markChanged(inventory, now, reason, delta, { reservation, context });
    return inventory;
  }

  /** Moves an active reservation to its end state and pulls its hold; returns its inventory. */
  private end(
    reservation: Reservation,
    status: 'committed' | 'released' | 'expired',
    now: Date,
  ): Inventory {
    const inventory = this.inventory.get(reservation.variantId);
    // Unreachable while I2 holds: an active reservation always has its inventory.
    if (!inventory) throw new VariantNotFoundError(reservation.variantId);
    reservation.status = status;
    this.activeReservationIds.delete(reservation.id);
    reservation.updatedAt = new Date(now);
    reservation.endedAt = new Date(now);
    const holds = this.userholds.get(reservation.userId) ?? [];
    this.userholds.set(
      reservation.userId,
      holds.filter((hold) => hold.reservationId !== reservation.id),
    );
    return inventory;
  }

  private addPurchasedUnits(userId: string, variantId: string, delta: number): void {
    const key = pairKey(userId, variantId);
    const units = (this.purchasedUnits.get(key) ?? 0) + delta;
    if (units === 0) this.purchasedUnits.delete(key);
    else this.purchasedUnits.set(key, units);
  }

  /**
   * Invariant I5: every stock change bumps the version and flags the search document stale; and
   * I7: in the same synchronous step, one ledger movement whose seq is the version just produced.
   * Called after the figures changed, so `after` is the inventory as it now stands.
   */
  markChanged(
    inventory: Inventory,
    now: Date,
    type: Exclude<MovementType, 'created'>,
    delta: StockFigures,
    details: MovementDetails,
  ): void {
    inventory.version += 1;
    inventory.needsSync = true;
    inventory.updatedAt = new Date(now);
    this.recordMovement(inventory, now, type, delta, details);
  }

  /** Appends the movement that made `inventory` what it is now (one array push: the hot path). */
  recordMovement(
    inventory: Inventory,
    now: Date,
    type: MovementType,
    delta: StockFigures,
    { reservation, context }: MovementDetails,
  ): void {
    // Plain assignments rather than conditional spreads: this runs on every hold (the live-sale path).
    const movement: StockMovement = {
      variantId: inventory.variantId,
      seq: inventory.version,
      type,
      delta,
      after: figuresOf(inventory),
      actor: context?.actor ?? reservation?.userId ?? SWEEPER_ACTOR,
      at: new Date(now),
    };
    if (reservation !== undefined) {
      movement.reservationId = reservation.id;
      movement.userId = reservation.userId;
      if (reservation.groupId !== undefined) movement.groupId = reservation.groupId;
    }
    if (context?.requestId !== undefined) movement.requestId = context.requestId;
    const ledger = this.movements.get(inventory.variantId);
    if (ledger) ledger.push(movement);
    else this.movements.set(inventory.variantId, [movement]);
  }
}
